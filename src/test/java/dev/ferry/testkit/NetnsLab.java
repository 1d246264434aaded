package dev.ferry.testkit;

import dev.ferry.config.HostPort;
import dev.ferry.demo.group.RedisProcess;
import dev.ferry.demo.group.SentinelGroup;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis group spread over three network namespaces ("hosts") on a private bridge, so that tests can
 * cut real network paths with nftables while Ferry and the test client stay in this JVM's namespace.
 *
 * <pre>
 *   this namespace ── veth ferry&lt;id&gt; 10.77.N.1 ──┐
 *                                                  ├─ br0 in namespace ferry-&lt;id&gt;-hub
 *   ferry-&lt;id&gt;-h&lt;i&gt; (i = 1..3) eth0 10.77.N.(10+i) ──┘
 *        redis-server :700&lt;i&gt; (h1 the initial master), redis-sentinel :2700&lt;i&gt; (quorum 2)
 * </pre>
 *
 * N is picked at random among subnets nothing on this machine uses, and held with a file lock so that
 * labs in parallel JVMs never share one. A partition is an {@code inet ferry_partition} table in a host's
 * namespace dropping packets from and to the given peers both ways, like a cable pulled, not a refusal.
 * {@link #close()} (or, failing that, JVM exit) kills the processes and deletes the namespaces and links.
 * The queries and waits are {@link SentinelGroup}'s, asked from this JVM's side: a host cut from it answers nothing.
 */
public final class NetnsLab extends SentinelGroup {
    private static final Logger log = LoggerFactory.getLogger(NetnsLab.class);
    public static final int HOSTS = 3;
    private static final int NODE_BASE_PORT = 7000;
    private static final int SENTINEL_BASE_PORT = 27000;
    private static final String TABLE = "ferry_partition";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern LAB_NAMESPACE = Pattern.compile("ferry-(\\d{3})[a-z]{2}-(hub|h\\d+)");

    /** Something a host can be cut from: another host or the side Ferry and the test client run on. */
    public record Peer(String name, String ip) {
        @Override
        public String toString() {
            return name + "(" + ip + ")";
        }
    }

    private final String id;
    private final int subnet;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<String> namespaces = new CopyOnWriteArrayList<>();
    private volatile boolean rootLinkCreated;
    private final Map<Integer, Set<Peer>> cuts = new HashMap<>();

    private NetnsLab(Builder b, Reservation r, String id) {
        super(b, "lab " + id, "ferry-lab-" + id + "-");
        this.id = id;
        this.subnet = r.subnet;
        this.lockChannel = r.channel;
        this.lock = r.lock;
        long started = System.nanoTime();
        startUp(() -> {
            buildNetwork();
            startNodes();
        }, () -> startSentinels(b));
        log.info("netns lab {} up in {} ms on 10.77.{}.0/24: master {}, replicas {}, sentinels {} ({})", id,
                (System.nanoTime() - started) / 1_000_000, subnet, nodes.get(0).address(),
                nodeAddresses().subList(1, nodes.size()), sentinelAddresses(), dir());
    }

    /** The lab's name part: three digits of its subnet and two random letters. */
    private static String newId(int subnet) {
        return String.format("%03d%c%c", subnet, (char) ('a' + ThreadLocalRandom.current().nextInt(26)),
                (char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Three hosts, each with one node and one Sentinel (quorum 2), a random password. */
    public static NetnsLab start() {
        return builder().start();
    }

    // ---- can it run here?

    /** Whether this machine lets us build labs: Linux, root, {@code ip netns}, veth, bridges and nftables in a namespace. */
    public static boolean supported() {
        return Support.REASON == null;
    }

    /** Why {@link #supported()} is false ("supported" when it is true), for the test's skip message. */
    public static String unsupportedReason() {
        return Support.REASON == null ? "supported" : Support.REASON;
    }

    private static final class Support {
        static final String REASON = probe();
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces need Linux, this is " + System.getProperty("os.name");
        }
        String uid = uid();
        if (!"0".equals(uid)) return "network namespaces need root, this JVM runs as uid " + uid;
        if (findTool("ip") == null) return "the 'ip' command (iproute2) is not installed";
        if (findTool("nft") == null) return "the 'nft' command (nftables) is not installed";
        String ns = "ferry-probe-" + ProcessHandle.current().pid();
        try {
            run(null, ipCommand(), "netns", "add", ns);
        } catch (RuntimeException e) {
            return "'ip netns add' does not work here: " + e.getMessage();
        }
        try {
            run(null, ipCommand(), "-n", ns, "link", "add", "probebr", "type", "bridge");
            run(null, ipCommand(), "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
            run("table inet " + TABLE + " {\n  chain input { type filter hook input priority 0; policy accept; }\n}\n"
                    + "delete table inet " + TABLE + "\n", ipCommand(), "netns", "exec", ns, findTool("nft"), "-f", "-");
            return null;
        } catch (RuntimeException e) {
            return "namespaces exist but bridges, veth pairs or nftables do not work in them: " + e.getMessage();
        } finally {
            runQuietly(ipCommand(), "netns", "del", ns);
        }
    }

    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.substring(4).trim().split("\\s+")[0];
            }
        } catch (IOException e) {
            // not Linux or no procfs: unknown
        }
        return "unknown";
    }

    // ---- accessors

    /** The lab's name part: namespaces are {@code ferry-<id>-hub} and {@code ferry-<id>-h<i>}. */
    public String id() {
        return id;
    }

    /** The N of 10.77.N.0/24. */
    public int subnet() {
        return subnet;
    }

    /** Host i's node (1-based). */
    public RedisProcess node(int host) {
        return nodes.get(checkHost(host) - 1);
    }

    /** Host i's Sentinel (1-based). */
    public RedisProcess sentinel(int host) {
        return sentinels.get(checkHost(host) - 1);
    }

    public String namespace(int host) {
        return "ferry-" + id + "-h" + checkHost(host);
    }

    /** Host i's address, 10.77.N.(10+i). */
    public String hostIp(int host) {
        return "10.77." + subnet + "." + (10 + checkHost(host));
    }

    /** The address this JVM has on the lab's bridge, from which Ferry and the test client reach the hosts. */
    public String ferryIp() {
        return "10.77." + subnet + ".1";
    }

    /** The host (1-based) a node or Sentinel address lives on. */
    public int hostOf(HostPort address) {
        for (int i = 1; i <= HOSTS; i++) if (hostIp(i).equals(address.host())) return i;
        throw new IllegalArgumentException(address + " is on no host of lab " + id);
    }

    public Peer host(int host) {
        return new Peer("h" + checkHost(host), hostIp(host));
    }

    public Peer ferrySide() {
        return new Peer("ferry", ferryIp());
    }

    /** Every other host, and the Ferry side. */
    public Set<Peer> everyoneBut(int host) {
        checkHost(host);
        Set<Peer> all = new LinkedHashSet<>();
        for (int i = 1; i <= HOSTS; i++) if (i != host) all.add(host(i));
        all.add(ferrySide());
        return all;
    }

    /** Every other host, not the Ferry side. */
    public Set<Peer> otherHosts(int host) {
        Set<Peer> all = everyoneBut(host);
        all.remove(ferrySide());
        return all;
    }

    // ---- partitions

    /**
     * Cuts {@code host} off from {@code from}, replacing any cut it had: its namespace drops every packet
     * from or to those addresses. Connections stay open on both ends and simply hear nothing.
     */
    public synchronized void isolate(int host, Set<Peer> from) {
        checkHost(host);
        Set<String> ips = from.stream().map(Peer::ip).filter(ip -> !ip.equals(hostIp(host))).collect(Collectors.toCollection(TreeSet::new));
        if (ips.isEmpty()) {
            heal(host);
            return;
        }
        String set = String.join(", ", ips);
        String script = "table inet " + TABLE + "\n"
                + "delete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "  chain input { type filter hook input priority 0; policy accept; ip saddr { " + set + " } drop; }\n"
                + "  chain output { type filter hook output priority 0; policy accept; ip daddr { " + set + " } drop; }\n"
                + "}\n";
        run(script, ipCommand(), "netns", "exec", namespace(host), nftCommand(), "-f", "-");
        cuts.put(host, Set.copyOf(from));
        log.warn("partition: h{} ({}) cut from {}", host, hostIp(host), from);
    }

    /** Cuts {@code host} off from every other host and from the Ferry side. */
    public void isolateCompletely(int host) {
        isolate(host, everyoneBut(host));
    }

    /** Removes the host's cut, if any. */
    public synchronized void heal(int host) {
        checkHost(host);
        run("table inet " + TABLE + "\ndelete table inet " + TABLE + "\n", ipCommand(), "netns", "exec", namespace(host),
                nftCommand(), "-f", "-");
        if (cuts.remove(host) != null) log.warn("partition: h{} ({}) healed", host, hostIp(host));
    }

    public void healAll() {
        for (int i = 1; i <= HOSTS; i++) heal(i);
    }

    /** The peers each host is cut from now. */
    public synchronized Map<Integer, Set<Peer>> cuts() {
        return Map.copyOf(cuts);
    }

    // ---- queries (from this JVM's side, so a host cut from it answers nothing)

    /** The config epoch each answering Sentinel reports for the master name. */
    public Map<HostPort, Long> sentinelEpochs() {
        Map<HostPort, Long> epochs = new LinkedHashMap<>();
        for (RedisProcess s : sentinels) {
            if (!running(s)) continue;
            long epoch = masterRecord(s).configEpoch();
            if (epoch >= 0) epochs.put(s.address(), epoch);
        }
        return epochs;
    }

    // ---- life cycle

    /** Once the processes are dead: deletes the namespaces and links, then frees the subnet. */
    @Override
    protected void tearDown() {
        List<String> created = new ArrayList<>(namespaces);
        Collections.reverse(created);
        for (String ns : created) deleteNamespace(ns);
        if (rootLinkCreated && linkExists(rootLink())) runQuietly(ipCommand(), "link", "del", rootLink());
        release(lockChannel, lock);
        log.info("netns lab {} torn down", id);
    }

    // ---- network

    private String hubNamespace() {
        return "ferry-" + id + "-hub";
    }

    /** The veth end in this JVM's namespace; at most 15 characters, as Linux requires. */
    private String rootLink() {
        return "ferry" + id;
    }

    private void buildNetwork() {
        String hub = hubNamespace();
        addNamespace(hub);
        ip("-n", hub, "link", "set", "lo", "up");
        ip("-n", hub, "link", "add", "br0", "type", "bridge");
        ip("-n", hub, "link", "set", "br0", "up");
        ip("link", "add", rootLink(), "type", "veth", "peer", "name", "up0", "netns", hub);
        rootLinkCreated = true;
        // No IPv6 on our end: the only traffic leaving this namespace for the lab is to 10.77.N.x.
        writeQuietly(Path.of("/proc/sys/net/ipv6/conf", rootLink(), "disable_ipv6"), "1");
        ip("addr", "add", ferryIp() + "/24", "dev", rootLink());
        ip("link", "set", rootLink(), "up");
        ip("-n", hub, "link", "set", "up0", "master", "br0", "up");
        for (int i = 1; i <= HOSTS; i++) {
            String ns = namespace(i);
            addNamespace(ns);
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", hub, "link", "add", "h" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", hub, "link", "set", "h" + i, "master", "br0", "up");
            ip("-n", ns, "addr", "add", hostIp(i) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
        }
    }

    private void addNamespace(String ns) {
        ip("netns", "add", ns);
        namespaces.add(ns);
    }

    /** Kills whatever still runs in one of our namespaces (only processes a lab started), then deletes it. */
    private static void deleteNamespace(String ns) {
        String pids = runQuietly(ipCommand(), "netns", "pids", ns);
        if (pids != null) {
            for (String pid : pids.trim().split("\\s+")) {
                if (pid.isEmpty()) continue;
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (runQuietly(ipCommand(), "netns", "del", ns) == null) log.warn("could not delete namespace {}", ns);
    }

    private static boolean linkExists(String name) {
        return Files.exists(Path.of("/sys/class/net", name));
    }

    private static void ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = ipCommand();
        System.arraycopy(args, 0, cmd, 1, args.length);
        run(null, cmd);
    }

    // ---- subnet reservation

    private record Reservation(int subnet, FileChannel channel, FileLock lock) {}

    /** A free 10.77.N.0/24: locked by no other lab (file lock, dropped by the OS if that JVM dies) and unused here. */
    private static synchronized Reservation reserveSubnet() {
        sweepStaleLabs();
        List<Integer> candidates = new ArrayList<>(IntStream.rangeClosed(2, 254).boxed().toList());
        Collections.shuffle(candidates);
        String used = runQuietly(ipCommand(), "-4", "-o", "addr", "show") + "\n" + runQuietly(ipCommand(), "-4", "route", "show");
        for (int n : candidates) {
            if (used.contains("10.77." + n + ".")) continue;
            Reservation r = tryLock(n);
            if (r != null) return r;
        }
        throw new IllegalStateException("no free 10.77.N.0/24 subnet for a lab");
    }

    private static Reservation tryLock(int n) {
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "ferry-netns-lab-" + n + ".lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) return new Reservation(n, channel, lock);
        } catch (IOException | OverlappingFileLockException e) {
            // held by a lab in this JVM, or unusable
        }
        release(channel, null);
        return null;
    }

    /**
     * Deletes the namespaces (and so the links, and the processes in them) of labs whose JVM died without
     * cleaning up: those whose subnet lock nobody holds any more.
     */
    private static void sweepStaleLabs() {
        String list = runQuietly(ipCommand(), "netns", "list");
        if (list == null) return;
        Map<Integer, List<String>> bySubnet = new TreeMap<>();
        for (String line : list.lines().toList()) {
            Matcher m = LAB_NAMESPACE.matcher(line.split("\\s+")[0]);
            if (m.matches()) bySubnet.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(m.group());
        }
        bySubnet.forEach((n, names) -> {
            Reservation r = tryLock(n);
            if (r == null) return; // a live lab
            try {
                for (String ns : names) {
                    log.warn("removing namespace {}, left over by a lab whose JVM died", ns);
                    deleteNamespace(ns);
                }
            } finally {
                release(r.channel(), r.lock());
            }
        });
    }

    private static void release(FileChannel channel, FileLock lock) {
        try {
            if (lock != null && lock.isValid()) lock.release();
            if (channel != null) channel.close();
        } catch (IOException e) {
            // the OS drops the lock with the descriptor anyway
        }
    }

    // ---- processes

    private void startNodes() {
        HostPort master = new HostPort(hostIp(1), NODE_BASE_PORT + 1);
        for (int i = 1; i <= HOSTS; i++) {
            HostPort address = new HostPort(hostIp(i), NODE_BASE_PORT + i);
            nodes.add(startInNamespace(RedisProcess.Kind.SERVER, i, address, password(), nodeConfig(i > 1 ? master : null)));
        }
    }

    private void startSentinels(Builder b) {
        HostPort master = nodes.get(0).address();
        for (int i = 1; i <= HOSTS; i++) {
            List<String> config = sentinelConfig(master, b.quorum);
            config.add(0, "protected-mode no"); // clients come from other hosts, and a Sentinel has no password
            HostPort address = new HostPort(hostIp(i), SENTINEL_BASE_PORT + i);
            sentinels.add(startInNamespace(RedisProcess.Kind.SENTINEL, i, address, null, config));
        }
    }

    /** {@code ip netns exec} execs the binary, so the child's pid is Redis's own and signals reach it directly. */
    private RedisProcess startInNamespace(RedisProcess.Kind kind, int host, HostPort address, String password, List<String> config) {
        List<String> prefix = List.of(ipCommand(), "netns", "exec", namespace(host));
        return RedisProcess.start(kind, prefix, dir().resolve("h" + host), address, password, config);
    }

    private static int checkHost(int host) {
        if (host < 1 || host > HOSTS) throw new IllegalArgumentException("hosts are 1.." + HOSTS + ", got " + host);
        return host;
    }

    // ---- commands

    private static final class Tools {
        static final String IP = findTool("ip");
        static final String NFT = findTool("nft");
    }

    private static String ipCommand() {
        if (Tools.IP == null) throw new IllegalStateException("the 'ip' command (iproute2) is not installed");
        return Tools.IP;
    }

    private static String nftCommand() {
        if (Tools.NFT == null) throw new IllegalStateException("the 'nft' command (nftables) is not installed");
        return Tools.NFT;
    }

    private static String findTool(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path candidate = Path.of(d, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
        }
        return null;
    }

    /** Runs a command to completion (stdin from {@code input} when given); returns its output, throws with it on failure. */
    private static String run(String input, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (input != null) in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", cmd) + "` did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s");
            }
            String output = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", cmd) + "` failed (exit " + p.exitValue() + "): " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd));
        }
    }

    /** {@link #run} for clean-up: null instead of an exception. */
    private static String runQuietly(String... cmd) {
        try {
            return run(null, cmd);
        } catch (RuntimeException e) {
            log.debug("{}", e.getMessage());
            return null;
        }
    }

    private static void writeQuietly(Path file, String value) {
        try {
            if (Files.exists(file)) Files.writeString(file, value);
        } catch (IOException e) {
            log.debug("could not write {}: {}", file, e.getMessage());
        }
    }

    /** Settings for {@link NetnsLab}: its own here, with their defaults, and those of {@link SentinelGroup.Settings}. */
    public static final class Builder extends Settings<Builder> {
        private int quorum = 2;

        private Builder() {
            super("lab" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL));
        }

        public Builder quorum(int n) {
            if (n < 1 || n > HOSTS) throw new IllegalArgumentException("quorum must be 1.." + HOSTS + ", got " + n);
            this.quorum = n;
            return this;
        }

        /** Builds the network and starts the group; throws (having cleaned up) when this machine cannot. */
        public NetnsLab start() {
            if (!supported()) throw new IllegalStateException("network namespace labs cannot run here: " + unsupportedReason());
            Reservation r = reserveSubnet();
            try {
                return new NetnsLab(this, r, newId(r.subnet()));
            } catch (RuntimeException e) {
                release(r.channel(), r.lock()); // close() has freed it unless the directory could not be made; twice is harmless
                throw e;
            }
        }
    }
}
