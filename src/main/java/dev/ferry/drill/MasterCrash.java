package dev.ferry.drill;

import dev.ferry.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code --crash}: the master's redis-server on this host, found and checked before any write, then killed with SIGKILL. */
final class MasterCrash {
    private final HostPort master;
    private final ProcessHandle process;

    private MasterCrash(HostPort master, ProcessHandle process) {
        this.master = master;
        this.process = process;
    }

    /** The master's process on this host, checked before any write: its address is local and the pid is a redis-server listening there. */
    static MasterCrash find(HostPort master, DrillGroup group) throws DrillStopped {
        String refuse = "--crash: the master " + master;
        if (!isLocal(master.host())) {
            throw DrillStopped.failure(refuse + " does not run on this host; run the drill on its host, or drill a Sentinel failover (without --crash)");
        }
        Map<String, String> server = group.info(master, "server");
        String pidText = server.get("process_id");
        if (pidText == null) throw DrillStopped.failure(refuse + " did not tell its process_id (INFO server)");
        long pid = Long.parseLong(pidText.trim());
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow(() -> DrillStopped.failure(refuse + " says process_id " + pid
                + ", but no such process runs here (a container or another host behind this address?); nothing killed"));
        String command = p.info().command().orElse("");
        if (!command.contains("redis")) {
            throw DrillStopped.failure(refuse + " says process_id " + pid + ", but that process here is '"
                    + (command.isEmpty() ? "not visible to this user" : command) + "'; nothing killed");
        }
        if (!String.valueOf(master.port()).equals(server.get("tcp_port"))) {
            throw DrillStopped.failure(refuse + " reports tcp_port " + server.get("tcp_port") + " (behind a port mapping?); nothing killed");
        }
        return new MasterCrash(master, p);
    }

    String kill() throws DrillStopped {
        if (!process.destroyForcibly()) throw DrillStopped.failure("--crash: could not kill process " + process.pid() + " (permission?)");
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw DrillStopped.failure("--crash: process " + process.pid() + " of " + master + " survived SIGKILL for 5 s");
        }
        return "killed redis-server " + master + " (pid " + process.pid() + ", SIGKILL); the Sentinels act after down-after-milliseconds";
    }

    private static boolean isLocal(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
