package dev.ferry.demo;

import dev.ferry.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** The texts of the demo folder: each instance's configuration, and the {@code demo.json} that describes the demo. */
final class DemoFiles {
    /** Long enough for the load balancer to take a stopping instance out before its listeners close. */
    static final Duration DRAIN = Balancer.CHECK_INTERVAL.multipliedBy(Balancer.FALL).plusSeconds(1);

    private DemoFiles() {}

    /** Instance {@code i}'s configuration, in the place of the seed's haproxy{@code i+1}. */
    static String instanceYaml(Demo demo, int i, String name, Path file) {
        DemoPorts ports = demo.ports();
        String sentinels = ports.sentinels().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "));
        String servers = ports.redis().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "));
        return "# " + name + " of 'ferry demo' (pid " + ProcessHandle.current().pid() + "), in the place of the seed's haproxy"
                + (i + 1) + ".\n"
                + "# Try: ./ferry check --config " + file + "\n"
                + "frontends:\n"
                + "  - name: " + Demo.FRONTEND + "\n"
                + "    bind: 127.0.0.1:" + ports.client(i) + "\n"
                + "    master: " + Demo.MASTER_NAME + "\n"
                + "    sentinels: [" + sentinels + "]\n"
                + "    servers: [" + servers + "]\n"
                + "    password: " + demo.password() + "\n"
                + "admin:\n"
                + "  bind: 127.0.0.1:" + ports.admin(i) + "\n"
                + "  user: " + Demo.ADMIN_USER + "\n"
                + "  password: " + demo.adminPassword() + "\n"
                + "  refresh: 5s\n"
                + "  node-name: " + name + "\n"
                + "  # On SIGTERM /health answers 503 this long first: the load balancer's " + Balancer.FALL + " failed checks, "
                + Balancer.CHECK_INTERVAL.toSeconds() + " s apart, and a second more.\n"
                + "  drain: " + DRAIN.toSeconds() + "s\n";
    }

    /** What {@code ferry drill --demo} reads: ports, passwords and the config file of every instance. */
    static String json(Demo demo) {
        String ferries = demo.instances().stream().map(in -> "{\"name\": " + q(in.name()) + ", \"client\": " + q(in.client().toString())
                + ", \"admin\": " + q(in.admin().toString()) + ", \"config\": " + q(in.config().toString())
                + ", \"pidFile\": " + q(in.process().pidFile().toString()) + "}")
                .collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
        return "{\n"
                + "  \"pid\": " + ProcessHandle.current().pid() + ",\n"
                + "  \"dir\": " + q(demo.dir().toString()) + ",\n"
                + "  \"basePort\": " + demo.ports().base() + ",\n"
                + "  \"masterName\": " + q(Demo.MASTER_NAME) + ",\n"
                + "  \"password\": " + q(demo.password()) + ",\n"
                + "  \"adminUser\": " + q(Demo.ADMIN_USER) + ",\n"
                + "  \"adminPassword\": " + q(demo.adminPassword()) + ",\n"
                + "  \"balancer\": " + q(demo.balancerAddress().toString()) + ",\n"
                + "  \"balancerStats\": " + q(demo.balancerStats().toString()) + ",\n"
                + "  \"redis\": " + list(demo.group().nodeAddresses()) + ",\n"
                + "  \"sentinels\": " + list(demo.group().sentinelAddresses()) + ",\n"
                + "  \"ferry\": " + ferries + "\n"
                + "}\n";
    }

    private static String list(List<HostPort> l) {
        return l.stream().map(h -> q(h.toString())).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
