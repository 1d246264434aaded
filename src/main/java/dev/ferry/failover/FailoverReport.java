package dev.ferry.failover;

import dev.ferry.config.HostPort;
import java.util.List;
import java.util.Map;

/**
 * What a planned failover did, on one screen.
 *
 * @param writesPausedMillis from the moment writes were held to the moment the new master got traffic
 * @param sessionsCut        client sessions on the old master that this Ferry closed (-1: no Ferry here)
 * @param offsets            replication offsets: the old master's when writes stopped, then each node's
 * @param converged          every Sentinel names the new master and every node follows it
 */
public record FailoverReport(
        String frontend, HostPort before, HostPort after, long epochBefore, long epochAfter,
        long writesPausedMillis, long totalMillis, int sessionsCut, Map<String, Long> offsets,
        boolean converged, List<String> steps) {

    public FailoverReport {
        offsets = Map.copyOf(offsets);
        steps = List.copyOf(steps);
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("planned failover of '").append(frontend).append("': ").append(converged ? "DONE" : "NOT CONVERGED").append('\n');
        sb.append(String.format("  master          %s -> %s%n", before, after));
        sb.append(String.format("  Sentinel epoch  %d -> %d%n", epochBefore, epochAfter));
        sb.append(String.format("  writes paused   %d ms%n", writesPausedMillis));
        sb.append(String.format("  client sessions %s%n", sessionsCut < 0 ? "not proxied by this process (running Ferry instances follow the Sentinels)"
                : sessionsCut + " cut on " + before + " (clients reconnect to " + after + ")"));
        sb.append("  offsets        ");
        offsets.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(' ').append(e.getKey()).append('=').append(e.getValue()));
        sb.append('\n');
        sb.append(String.format("  took            %d ms in all%n", totalMillis));
        sb.append("  steps\n");
        for (String s : steps) sb.append("    ").append(s).append('\n');
        return sb.toString();
    }
}
