package dev.ferry.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a new configuration changes against the running one, frontend by frontend, in the keys an
 * operator wrote: what a reload must do, and what its log line says. Values are never named (they may
 * be passwords).
 */
public record ConfigChanges(List<String> added, List<String> removed, Map<String, List<String>> changed, boolean adminChanged) {

    /** Keys whose change needs new checks, subscriptions and fencing (a new topology); the rest concern new client sessions. */
    private static final List<String> TOPOLOGY_KEYS = List.of("master", "sentinels", "servers", "password", "user",
            "sentinel-password", "sentinel-user", "check", "failover-hold", "fence", "down-after", "tripwire", "node-tls", "sentinel-tls",
            "role", "max-lag", "max-lag-bytes", "replica-fallback", "read-from-master");

    public static ConfigChanges between(FerryConfig before, FerryConfig after) {
        Map<String, FrontendConfig> old = byName(before);
        Map<String, FrontendConfig> next = byName(after);
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, List<String>> changed = new LinkedHashMap<>();
        for (String name : next.keySet()) {
            if (!old.containsKey(name)) added.add(name);
            else if (!old.get(name).equals(next.get(name))) changed.put(name, keys(old.get(name), next.get(name)));
        }
        for (String name : old.keySet()) if (!next.containsKey(name)) removed.add(name);
        return new ConfigChanges(added, removed, changed, !Objects.equals(before.admin(), after.admin()));
    }

    public boolean none() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && !adminChanged;
    }

    /** Whether the frontend's checks must start over with the new settings. */
    public static boolean needsNewTopology(List<String> keys) {
        return keys.stream().anyMatch(TOPOLOGY_KEYS::contains);
    }

    /** Keys that new client sessions take from their upstream (node connections, timeouts, limits). */
    private static final List<String> UPSTREAM_KEYS = List.of("node-tls", "check", "wait-for-master", "connections",
            "move-timeout", "client-output-limit", "role", "replica-fallback");

    /** Whether new client sessions need an upstream of their own (with its own node connections) for the new settings. */
    public static boolean needsNewUpstream(List<String> keys) {
        return keys.stream().anyMatch(UPSTREAM_KEYS::contains);
    }

    /** Whether the frontend must listen anew: another address, or TLS turned on or off on it. */
    public static boolean needsNewListener(FrontendConfig a, FrontendConfig b) {
        return !a.bind().equals(b.bind()) || !Objects.equals(a.tls().plaintextBind(), b.tls().plaintextBind())
                || a.tls().towardClients() != b.tls().towardClients();
    }

    /** The changed keys, as written in the YAML. */
    static List<String> keys(FrontendConfig a, FrontendConfig b) {
        List<String> k = new ArrayList<>();
        if (!a.bind().equals(b.bind())) k.add("bind");
        if (!Objects.equals(a.tls().plaintextBind(), b.tls().plaintextBind())) k.add("plaintext-bind");
        if (!Objects.equals(a.tls().clients(), b.tls().clients())) k.add("tls");
        if (!Objects.equals(a.masterName(), b.masterName())) k.add("master");
        if (!a.sentinels().equals(b.sentinels())) k.add("sentinels");
        if (!a.servers().equals(b.servers())) k.add("servers");
        if (!Objects.equals(a.redisAuth().password(), b.redisAuth().password())) k.add("password");
        if (!Objects.equals(a.redisAuth().user(), b.redisAuth().user())) k.add("user");
        if (!Objects.equals(a.sentinelAuth().password(), b.sentinelAuth().password())) k.add("sentinel-password");
        if (!Objects.equals(a.sentinelAuth().user(), b.sentinelAuth().user())) k.add("sentinel-user");
        if (!a.check().equals(b.check())) k.add("check");
        if (!a.waitForMaster().equals(b.waitForMaster())) k.add("wait-for-master");
        if (!a.failoverHold().equals(b.failoverHold())) k.add("failover-hold");
        if (a.fence() != b.fence()) k.add("fence");
        if (!a.downAfter().equals(b.downAfter())) k.add("down-after");
        if (a.tripwire() != b.tripwire()) k.add("tripwire");
        if (a.connections() != b.connections()) k.add("connections");
        if (!a.moveTimeout().equals(b.moveTimeout())) k.add("move-timeout");
        if (a.clientOutputLimit() != b.clientOutputLimit()) k.add("client-output-limit");
        if (!Objects.equals(a.tls().nodes(), b.tls().nodes())) k.add("node-tls");
        if (!Objects.equals(a.tls().sentinels(), b.tls().sentinels())) k.add("sentinel-tls");
        replicaKeys(a, b, k);
        return k;
    }

    private static void replicaKeys(FrontendConfig a, FrontendConfig b, List<String> k) {
        if (a.readsFromReplicas() != b.readsFromReplicas()) {
            k.add("role");
            return;
        }
        if (!a.readsFromReplicas()) return;
        ReplicaReads x = a.replicaReads().get();
        ReplicaReads y = b.replicaReads().get();
        if (!x.maxLag().equals(y.maxLag())) k.add("max-lag");
        if (!x.maxLagBytes().equals(y.maxLagBytes())) k.add("max-lag-bytes");
        if (x.fallback() != y.fallback()) k.add("replica-fallback");
        if (x.fromMaster() != y.fromMaster()) k.add("read-from-master");
    }

    /** One line for the log: {@code added [b]; removed [c]; changed a (password, check); admin}. */
    public String describe() {
        if (none()) return "nothing changed";
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) parts.add("added " + added);
        if (!removed.isEmpty()) parts.add("removed " + removed + " (draining their sessions)");
        changed.forEach((name, keys) -> parts.add("changed " + name + " (" + String.join(", ", keys) + ")"));
        if (adminChanged) parts.add("admin listener changed");
        return String.join("; ", parts);
    }

    private static Map<String, FrontendConfig> byName(FerryConfig c) {
        Map<String, FrontendConfig> m = new LinkedHashMap<>();
        for (FrontendConfig f : c.frontends()) m.put(f.name(), f);
        return m;
    }
}
