package dev.ferry.resp;

import dev.ferry.config.HostPort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a Sentinel says about one instance: the flat name/value array of {@code SENTINEL MASTER}, or one
 * entry of {@code SENTINEL REPLICAS} or {@code SENTINEL SENTINELS}. Sentinel sends every value as a string;
 * a number that is absent or not a number reads as -1, an address that is incomplete as null.
 */
public record SentinelFields(Map<String, String> fields) {
    public static final SentinelFields NONE = new SentinelFields(Map.of());

    public SentinelFields {
        fields = Map.copyOf(fields);
    }

    /** {@code SENTINEL MASTER}'s reply; an error reply or anything but an array is {@link #NONE}. */
    public static SentinelFields parse(Object reply) {
        return new SentinelFields(ReplyValues.pairs(reply));
    }

    /** {@code SENTINEL REPLICAS} or {@code SENTINELS}: one entry per item that is an array; empty for anything else. */
    public static List<SentinelFields> parseEach(Object reply) {
        List<SentinelFields> out = new ArrayList<>();
        if (reply instanceof List<?> items) {
            for (Object item : items) if (item instanceof List<?>) out.add(parse(item));
        }
        return out;
    }

    /** The addresses listed by {@code SENTINEL REPLICAS} or {@code SENTINELS}, leaving out entries without one. */
    public static List<HostPort> addressesIn(Object reply) {
        List<HostPort> out = new ArrayList<>();
        for (SentinelFields f : parseEach(reply)) if (f.address() != null) out.add(f.address());
        return out;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The value named {@code name}, or null. */
    public String get(String name) {
        return fields.get(name);
    }

    /** The instance's address from {@code ip} and {@code port}; null when either is missing or malformed. */
    public HostPort address() {
        return ReplyValues.address(fields.get("ip"), fields.get("port"));
    }

    /** Its comma-separated flags, e.g. {@code master,failover_in_progress} or {@code s_down,slave,disconnected}; "" when absent. */
    public String flags() {
        return fields.getOrDefault("flags", "");
    }

    public boolean hasFlag(String flag) {
        return Arrays.asList(flags().split(",")).contains(flag);
    }

    /** A master's record while this Sentinel leads its failover. */
    public boolean failoverInProgress() {
        return hasFlag("failover_in_progress");
    }

    /** This Sentinel finds the instance down ({@code s_down}). */
    public boolean subjectivelyDown() {
        return hasFlag("s_down");
    }

    public long configEpoch() {
        return ReplyValues.toLong(fields.get("config-epoch"));
    }

    public long downAfterMillis() {
        return ReplyValues.toLong(fields.get("down-after-milliseconds"));
    }

    public int quorum() {
        return ReplyValues.toInt(fields.get("quorum"));
    }

    /** A master's count of the replicas this Sentinel knows ({@code num-slaves}). */
    public int numReplicas() {
        return ReplyValues.toInt(fields.get("num-slaves"));
    }

    public int numOtherSentinels() {
        return ReplyValues.toInt(fields.get("num-other-sentinels"));
    }

    /** A replica's {@code replica-priority} as this Sentinel last read it ({@code slave-priority}); 0 never promoted. */
    public int replicaPriority() {
        return ReplyValues.toInt(fields.get("slave-priority"));
    }
}
