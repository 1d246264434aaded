package dev.ferry.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads Ferry's YAML configuration, expands {@code ${ENV}} references and validates everything once.
 * Every mistake becomes one {@link ConfigException} whose message names the key, e.g.
 * {@code frontends[0].bind: '127.0.0.1' is not host:port}.
 */
public final class ConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of("frontends", "admin");
    private static final Set<String> FRONTEND_KEYS = Set.of("name", "bind", "master", "sentinels", "servers",
            "password", "user", "sentinel-password", "sentinel-user", "check", "wait-for-master", "failover-hold", "fence", "mode",
            "connections", "move-timeout", "client-output-limit", "client-input-limit", "down-after", "tripwire",
            "tls", "plaintext-bind", "node-tls", "sentinel-tls", "role", "max-lag", "max-lag-bytes", "replica-fallback",
            "read-from-master");
    private static final List<String> REPLICA_KEYS = List.of("max-lag", "max-lag-bytes", "replica-fallback", "read-from-master");
    private static final Set<String> CHECK_KEYS = Set.of("interval", "timeout");
    private static final Set<String> ADMIN_KEYS = Set.of("bind", "user", "password", "health-auth", "refresh",
            "node-name", "show-version", "drain", "tls");
    private static final Set<String> SERVER_TLS_KEYS = Set.of("cert", "key", "key-password", "client-ca", "protocols");
    private static final Set<String> CLIENT_TLS_KEYS = Set.of("ca", "cert", "key", "key-password", "verify-hostname",
            "server-name", "protocols");
    /** TLS 1.3 and 1.2 only; with Netty's defaults that means forward-secret AEAD ciphers. */
    public static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Function<String, String> env;
    private final Clock clock;
    private Path baseDir = Path.of("");

    public ConfigLoader() {
        this(System::getenv);
    }

    /** @param env looks up environment variables (tests pass a map). */
    public ConfigLoader(Function<String, String> env) {
        this(env, Clock.systemUTC());
    }

    /** @param clock what "now" is when certificates are checked for expiry. */
    public ConfigLoader(Function<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    public FerryConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(file + ": cannot read the configuration file (" + reason(e) + ")");
        }
        return parse(file, text);
    }

    public FerryConfig parse(Path source, String yaml) throws ConfigException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setLabel(String.valueOf(source)).build())
                    .loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) throw new ConfigException("frontends: missing (the file is empty)");
        Path parent = source == null ? null : source.toAbsolutePath().getParent();
        baseDir = parent == null ? Path.of("").toAbsolutePath() : parent;
        Map<String, Object> top = map("(top level)", root);
        unknownKeys("", top, TOP_KEYS);
        Object frontendsNode = top.get("frontends");
        if (frontendsNode == null) throw new ConfigException("frontends: missing; name at least one Redis group to serve");
        if (!(frontendsNode instanceof List<?> list) || list.isEmpty()) {
            throw new ConfigException("frontends: must be a non-empty list");
        }
        List<FrontendConfig> frontends = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<HostPort, String> binds = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "frontends[" + i + "]";
            FrontendConfig f = frontend(at, map(at, list.get(i)));
            if (names.put(f.name(), at) != null) {
                throw new ConfigException(at + ".name: '" + f.name() + "' is used by " + names.get(f.name()) + " too");
            }
            // Port 0 asks for a free port, so two of those never clash.
            String other = f.bind().port() == 0 ? null : binds.put(f.bind(), at);
            if (other != null) throw new ConfigException(at + ".bind: " + f.bind() + " is already the bind of " + other);
            HostPort plain = f.tls().plaintextBind();
            other = plain == null || plain.port() == 0 ? null : binds.put(plain, at + ".plaintext-bind");
            if (other != null) throw new ConfigException(at + ".plaintext-bind: " + plain + " is already the bind of " + other);
            frontends.add(f);
        }
        Optional<AdminConfig> admin = Optional.empty();
        if (top.get("admin") != null) {
            AdminConfig a = admin(map("admin", top.get("admin")));
            for (FrontendConfig f : frontends) {
                if (a.bind().port() != 0 && (f.bind().equals(a.bind()) || a.bind().equals(f.tls().plaintextBind()))) {
                    throw new ConfigException("admin.bind: " + a.bind() + " is already a bind of frontend '" + f.name() + "'");
                }
            }
            admin = Optional.of(a);
        }
        return new FerryConfig(source, frontends, admin);
    }

    private FrontendConfig frontend(String at, Map<String, Object> m) throws ConfigException {
        unknownKeys(at + ".", m, FRONTEND_KEYS);
        String name = requiredString(at + ".name", m.get("name"));
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(at + ".name: '" + name + "' may only hold letters, digits, '.', '_' and '-'");
        }
        HostPort bind = address(at + ".bind", requiredString(at + ".bind", m.get("bind")), true);
        List<HostPort> sentinels = addresses(at + ".sentinels", m.get("sentinels"));
        List<HostPort> servers = addresses(at + ".servers", m.get("servers"));
        String master = optionalString(at + ".master", m.get("master"));
        if (!sentinels.isEmpty() && master == null) {
            throw new ConfigException(at + ".master: missing; with sentinels: set the Sentinel master name (as in 'sentinel monitor <name> ...')");
        }
        if (sentinels.isEmpty() && servers.isEmpty()) {
            throw new ConfigException(at + ": needs sentinels: (recommended) or servers: to find the master");
        }
        Credentials redis = credentials(at, m, "user", "password");
        Credentials sentinel = credentials(at, m, "sentinel-user", "sentinel-password");
        CheckConfig check = CheckConfig.DEFAULT;
        if (m.get("check") != null) {
            Map<String, Object> c = map(at + ".check", m.get("check"));
            unknownKeys(at + ".check.", c, CHECK_KEYS);
            Duration interval = duration(at + ".check.interval", c.get("interval"), check.interval());
            Duration timeout = duration(at + ".check.timeout", c.get("timeout"), check.timeout());
            if (interval.toMillis() < 10) throw new ConfigException(at + ".check.interval: must be at least 10ms");
            if (timeout.toMillis() < 10) throw new ConfigException(at + ".check.timeout: must be at least 10ms");
            check = new CheckConfig(interval, timeout);
        }
        Duration wait = duration(at + ".wait-for-master", m.get("wait-for-master"), FrontendConfig.DEFAULT_WAIT_FOR_MASTER);
        Duration hold = duration(at + ".failover-hold", m.get("failover-hold"), FrontendConfig.DEFAULT_FAILOVER_HOLD);
        boolean fence = bool(at + ".fence", m.get("fence"), true);
        mode(at + ".mode", m.get("mode"));
        ConnectionPolicy connections = connections(at + ".connections", m.get("connections"));
        Duration move = duration(at + ".move-timeout", m.get("move-timeout"), FrontendConfig.DEFAULT_MOVE_TIMEOUT);
        long outputLimit = size(at + ".client-output-limit", m.get("client-output-limit"), FrontendConfig.DEFAULT_CLIENT_OUTPUT_LIMIT);
        long inputLimit = size(at + ".client-input-limit", m.get("client-input-limit"), FrontendConfig.DEFAULT_CLIENT_INPUT_LIMIT);
        Optional<Duration> downAfter = downAfter(at + ".down-after", m.get("down-after"), sentinels.isEmpty(), check);
        boolean tripwire = bool(at + ".tripwire", m.get("tripwire"), FrontendConfig.defaultTripwire(sentinels.isEmpty()));
        return new FrontendConfig(name, bind, master, sentinels, servers, redis, sentinel, check, wait, hold, fence,
                connections, move, outputLimit, inputLimit, downAfter, tripwire, frontendTls(at, m, bind), replicaReads(at, m));
    }

    /** {@code role: replica} and its keys; they mean nothing on a master frontend, so they are refused there. */
    private Optional<ReplicaReads> replicaReads(String at, Map<String, Object> m) throws ConfigException {
        String role = m.get("role") == null ? "master" : expand(at + ".role", String.valueOf(m.get("role"))).trim();
        if (role.equals("master")) {
            for (String k : REPLICA_KEYS) {
                if (m.containsKey(k)) {
                    throw new ConfigException(at + "." + k + ": applies only to role: replica (this frontend is role: master)");
                }
            }
            return Optional.empty();
        }
        if (!role.equals("replica")) {
            throw new ConfigException(at + ".role: '" + role + "' is not a role; use master (default) or replica");
        }
        OptionalLong maxBytes = OptionalLong.empty();
        if (m.get("max-lag-bytes") != null) {
            Object v = m.get("max-lag-bytes");
            String s = expand(at + ".max-lag-bytes", String.valueOf(v)).trim();
            Matcher mt = SIZE.matcher(s);
            if (!mt.matches()) throw new ConfigException(at + ".max-lag-bytes: '" + s + "' is not a size (e.g. 0, 512kb, 1mb)");
            maxBytes = OptionalLong.of(bytes(Long.parseLong(mt.group(1)), mt.group(2)));
        }
        Optional<Duration> maxLag = Optional.of(ReplicaReads.DEFAULT_MAX_LAG);
        Object lag = m.get("max-lag");
        if (lag != null && List.of("off", "none").contains(String.valueOf(lag).trim())) maxLag = Optional.empty();
        else if (lag != null) maxLag = Optional.of(duration(at + ".max-lag", lag, null));
        ReplicaReads.Fallback fallback = ReplicaReads.Fallback.MASTER;
        Object f = m.get("replica-fallback");
        if (f != null) {
            String s = expand(at + ".replica-fallback", String.valueOf(f)).trim();
            fallback = switch (s) {
                case "master" -> ReplicaReads.Fallback.MASTER;
                case "refuse" -> ReplicaReads.Fallback.REFUSE;
                default -> throw new ConfigException(at + ".replica-fallback: '" + s
                        + "' is not a fallback; use master (default: read from the master while no replica qualifies) or refuse");
            };
        }
        boolean fromMaster = bool(at + ".read-from-master", m.get("read-from-master"), false);
        return Optional.of(new ReplicaReads(maxBytes, maxLag, fallback, fromMaster));
    }

    private Optional<Duration> downAfter(String at, Object v, boolean staticMode, CheckConfig check) throws ConfigException {
        if (v == null) return staticMode ? Optional.of(FrontendConfig.DEFAULT_STATIC_DOWN_AFTER) : Optional.empty();
        Duration d = duration(at, v, null);
        if (d.compareTo(check.timeout()) < 0) {
            throw new ConfigException(at + ": " + d.toMillis() + "ms is shorter than check.timeout (" + check.timeout().toMillis()
                    + "ms): a node is known silent only after a check timed out");
        }
        return Optional.of(d);
    }

    private FrontendTlsConfig frontendTls(String at, Map<String, Object> m, HostPort bind) throws ConfigException {
        TlsServerConfig clients = m.get("tls") == null ? null : serverTls(at + ".tls", m.get("tls"));
        HostPort plain = null;
        if (m.get("plaintext-bind") != null) {
            plain = address(at + ".plaintext-bind", requiredString(at + ".plaintext-bind", m.get("plaintext-bind")), true);
            if (clients == null) {
                throw new ConfigException(at + ".plaintext-bind: only beside tls: (bind is already plaintext without it)");
            }
            if (plain.equals(bind) && plain.port() != 0) throw new ConfigException(at + ".plaintext-bind: is the same as bind");
        }
        TlsClientConfig nodes = m.get("node-tls") == null ? null : clientTls(at + ".node-tls", m.get("node-tls"));
        TlsClientConfig sentinels = m.get("sentinel-tls") == null ? null : clientTls(at + ".sentinel-tls", m.get("sentinel-tls"));
        if (clients == null && nodes == null && sentinels == null) return FrontendTlsConfig.NONE;
        return new FrontendTlsConfig(clients, plain, nodes, sentinels);
    }

    /** A listener's certificate and key (checked to match and to be in date), and the CA for client certificates. */
    private TlsServerConfig serverTls(String at, Object node) throws ConfigException {
        Map<String, Object> m = map(at, node);
        unknownKeys(at + ".", m, SERVER_TLS_KEYS);
        Path cert = path(at + ".cert", requiredString(at + ".cert", m.get("cert")));
        Path key = path(at + ".key", requiredString(at + ".key", m.get("key")));
        String password = keyPassword(at, m);
        Path clientCa = m.get("client-ca") == null ? null : path(at + ".client-ca", requiredString(at + ".client-ca", m.get("client-ca")));
        List<String> protocols = protocols(at + ".protocols", m.get("protocols"));
        PemFiles.keyAndChain(at + ".cert", cert, at + ".key", key, password, clock.instant());
        if (clientCa != null) PemFiles.certificates(at + ".client-ca", clientCa);
        return new TlsServerConfig(cert, key, password, clientCa, protocols);
    }

    /** Trust (a CA file, or the JVM's), an optional client certificate, and how the server's name is checked. */
    private TlsClientConfig clientTls(String at, Object node) throws ConfigException {
        Map<String, Object> m = node instanceof Boolean b && b ? Map.of() : map(at, node);
        unknownKeys(at + ".", m, CLIENT_TLS_KEYS);
        Path ca = m.get("ca") == null ? null : path(at + ".ca", requiredString(at + ".ca", m.get("ca")));
        Path cert = m.get("cert") == null ? null : path(at + ".cert", requiredString(at + ".cert", m.get("cert")));
        Path key = m.get("key") == null ? null : path(at + ".key", requiredString(at + ".key", m.get("key")));
        if (cert != null && key == null) throw new ConfigException(at + ".key: missing; cert is set, so its key is needed");
        if (key != null && cert == null) throw new ConfigException(at + ".cert: missing; key is set, so its certificate is needed");
        String password = keyPassword(at, m);
        boolean verify = bool(at + ".verify-hostname", m.get("verify-hostname"), true);
        String serverName = optionalString(at + ".server-name", m.get("server-name"));
        if (serverName != null && serverName.isBlank()) throw new ConfigException(at + ".server-name: is empty");
        List<String> protocols = protocols(at + ".protocols", m.get("protocols"));
        if (ca != null) PemFiles.certificates(at + ".ca", ca);
        if (cert != null) PemFiles.keyAndChain(at + ".cert", cert, at + ".key", key, password, clock.instant());
        return new TlsClientConfig(ca, cert, key, password, verify, serverName, protocols);
    }

    private String keyPassword(String at, Map<String, Object> m) throws ConfigException {
        String password = optionalString(at + ".key-password", m.get("key-password"));
        if (password != null && password.isEmpty()) {
            throw new ConfigException(at + ".key-password: is empty (an unset environment variable?)");
        }
        return password;
    }

    private List<String> protocols(String at, Object node) throws ConfigException {
        if (node == null) return DEFAULT_TLS_PROTOCOLS;
        List<?> list = node instanceof List<?> l ? l : List.of(node);
        if (list.isEmpty()) throw new ConfigException(at + ": empty; name TLSv1.3 and/or TLSv1.2");
        Set<String> out = new LinkedHashSet<>();
        for (Object o : list) {
            String p = expand(at, String.valueOf(o)).trim();
            if (!DEFAULT_TLS_PROTOCOLS.contains(p)) {
                throw new ConfigException(at + ": '" + p + "' is not offered; use TLSv1.3 and/or TLSv1.2");
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    /** A file path; a relative one is taken from the configuration file's directory. */
    private Path path(String at, String text) throws ConfigException {
        try {
            return baseDir.resolve(text.trim()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(at + ": '" + text + "' is not a file path");
        }
    }

    /** The old per-frontend mode: redis is what every frontend does now; tcp is gone. */
    private static void mode(String at, Object v) throws ConfigException {
        if (v == null || "redis".equals(String.valueOf(v))) return;
        if ("tcp".equals(String.valueOf(v))) {
            throw new ConfigException(at + ": tcp was removed in Ferry 0.2: every frontend follows RESP, so sessions survive "
                    + "a change of master; for one node connection per client session, as tcp gave, use connections: dedicated");
        }
        throw new ConfigException(at + ": '" + v + "' is not a mode; remove the key (every frontend follows RESP)");
    }

    private static ConnectionPolicy connections(String at, Object v) throws ConfigException {
        if (v == null) return ConnectionPolicy.SHARED;
        for (ConnectionPolicy p : ConnectionPolicy.values()) {
            if (p.key().equals(String.valueOf(v))) return p;
        }
        throw new ConfigException(at + ": '" + v + "' is not a connection policy; use shared (default) or dedicated");
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)(b|kb|mb|gb)?", Pattern.CASE_INSENSITIVE);

    /** A size such as 64mb, 512kb, 1gb or a plain number of bytes. */
    private static long size(String at, Object v, long fallback) throws ConfigException {
        if (v == null) return fallback;
        Matcher mt = SIZE.matcher(String.valueOf(v).trim());
        if (!mt.matches()) throw new ConfigException(at + ": '" + v + "' is not a size (e.g. 64mb, 512kb, 1gb)");
        long bytes = bytes(Long.parseLong(mt.group(1)), mt.group(2));
        if (bytes < 1024 * 1024) throw new ConfigException(at + ": must be at least 1mb");
        return bytes;
    }

    private static long bytes(long n, String unit) {
        return switch (unit == null ? "b" : unit.toLowerCase()) {
            case "kb" -> n << 10;
            case "mb" -> n << 20;
            case "gb" -> n << 30;
            default -> n;
        };
    }

    private AdminConfig admin(Map<String, Object> m) throws ConfigException {
        unknownKeys("admin.", m, ADMIN_KEYS);
        HostPort bind = address("admin.bind", requiredString("admin.bind", m.get("bind")), true);
        String user = optionalString("admin.user", m.get("user"));
        String password = optionalString("admin.password", m.get("password"));
        if (user != null && password == null) {
            throw new ConfigException("admin.password: missing; admin.user is set, so the stats page needs a password");
        }
        if (password != null && password.isEmpty()) throw new ConfigException("admin.password: is empty");
        if (password != null && user == null) user = "admin";
        boolean healthAuth = bool("admin.health-auth", m.get("health-auth"), false);
        Duration refresh = duration("admin.refresh", m.get("refresh"), Duration.ofSeconds(30));
        String node = optionalString("admin.node-name", m.get("node-name"));
        if (node == null) node = hostname();
        boolean showVersion = bool("admin.show-version", m.get("show-version"), false);
        Duration drain = duration("admin.drain", m.get("drain"), AdminConfig.DEFAULT_DRAIN);
        if (drain.compareTo(AdminConfig.MAX_DRAIN) > 0) {
            throw new ConfigException("admin.drain: " + drain.toSeconds() + "s is longer than " + AdminConfig.MAX_DRAIN.toSeconds()
                    + "s; a few load balancer health-check intervals are enough");
        }
        TlsServerConfig tls = m.get("tls") == null ? null : serverTls("admin.tls", m.get("tls"));
        return new AdminConfig(bind, user, password, healthAuth, refresh, node, showVersion, drain, tls);
    }

    private Credentials credentials(String at, Map<String, Object> m, String userKey, String passwordKey)
            throws ConfigException {
        String user = optionalString(at + "." + userKey, m.get(userKey));
        String password = optionalString(at + "." + passwordKey, m.get(passwordKey));
        if (user != null && password == null) {
            throw new ConfigException(at + "." + passwordKey + ": missing; " + userKey + " is set, so AUTH needs a password");
        }
        if (password != null && password.isEmpty()) {
            throw new ConfigException(at + "." + passwordKey + ": is empty (an unset environment variable?)");
        }
        return password == null ? Credentials.NONE : new Credentials(user, password);
    }

    private List<HostPort> addresses(String at, Object node) throws ConfigException {
        if (node == null) return List.of();
        if (!(node instanceof List<?> list)) throw new ConfigException(at + ": must be a list of host:port");
        Set<HostPort> out = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String key = at + "[" + i + "]";
            HostPort hp = address(key, requiredString(key, list.get(i)), false);
            if (!out.add(hp)) throw new ConfigException(key + ": " + hp + " is listed twice");
        }
        return List.copyOf(out);
    }

    private HostPort address(String at, String text, boolean allowZeroPort) throws ConfigException {
        try {
            if (allowZeroPort && text.endsWith(":0")) {
                return new HostPort(HostPort.parse(text.substring(0, text.length() - 2) + ":1").host(), 0);
            }
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ": " + e.getMessage());
        }
    }

    private Duration duration(String at, Object node, Duration fallback) throws ConfigException {
        if (node == null) return fallback;
        String s = expand(at, String.valueOf(node)).trim();
        if (node instanceof Integer i) return Duration.ofMillis(i);
        Matcher mt = DURATION.matcher(s);
        if (!mt.matches()) throw new ConfigException(at + ": '" + s + "' is not a duration such as 500ms, 1s, 2m");
        long n = Long.parseLong(mt.group(1));
        return switch (mt.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private boolean bool(String at, Object node, boolean fallback) throws ConfigException {
        if (node == null) return fallback;
        if (node instanceof Boolean b) return b;
        String s = expand(at, String.valueOf(node)).trim();
        if (s.equals("true") || s.equals("yes") || s.equals("on")) return true;
        if (s.equals("false") || s.equals("no") || s.equals("off")) return false;
        throw new ConfigException(at + ": '" + s + "' is not true or false");
    }

    private String requiredString(String at, Object node) throws ConfigException {
        String s = optionalString(at, node);
        if (s == null || s.isBlank()) throw new ConfigException(at + ": missing");
        return s;
    }

    private String optionalString(String at, Object node) throws ConfigException {
        if (node == null) return null;
        if (node instanceof Map || node instanceof List) throw new ConfigException(at + ": must be a single value");
        return expand(at, String.valueOf(node));
    }

    /** Expands ${VAR} and ${VAR:-default}. An unset variable without a default is an error naming both. */
    private String expand(String at, String value) throws ConfigException {
        Matcher mt = ENV.matcher(value);
        StringBuilder out = new StringBuilder();
        while (mt.find()) {
            String v = env.apply(mt.group(1));
            if (v == null) v = mt.group(2);
            if (v == null) {
                throw new ConfigException(at + ": environment variable " + mt.group(1) + " is not set");
            }
            mt.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        mt.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String at, Object node) throws ConfigException {
        if (!(node instanceof Map<?, ?> m)) throw new ConfigException(at + ": must be a mapping of keys to values");
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) throw new ConfigException(at + ": key '" + k + "' is not a name");
        }
        return (Map<String, Object>) m;
    }

    private static void unknownKeys(String prefix, Map<String, Object> m, Set<String> known) throws ConfigException {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new ConfigException(prefix + k + ": unknown key (known here: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "ferry";
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.charset.MalformedInputException) return "not UTF-8 text";
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        return s.replace('\n', ' ').replaceAll("\\s+", " ").trim();
    }
}
