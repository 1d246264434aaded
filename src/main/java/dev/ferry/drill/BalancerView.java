package dev.ferry.drill;

import dev.ferry.config.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** The load balancer as its own stats page (HAProxy's CSV) tells it: whether it sends new connections to a backend. */
final class BalancerView {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final HttpRequest request;

    BalancerView(HostPort stats, String user, String password) {
        this.request = HttpRequest.newBuilder(URI.create("http://" + stats + "/stats;csv"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(2)).build();
    }

    /** The backend's status column ("UP", "DOWN", "UP 1/2" while going down, "DOWN 1/2" while coming up), or "?" when unknown. */
    String status(String server) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? status(r.body(), server) : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** True when the balancer sends it new connections: fully UP, or still UP while a first check failed. */
    static boolean inService(String status) {
        return status.startsWith("UP");
    }

    static String status(String csv, String server) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty()) return "?";
        List<String> header = List.of(lines.get(0).replaceFirst("^# ", "").split(",", -1));
        int name = header.indexOf("svname");
        int status = header.indexOf("status");
        if (name < 0 || status < 0) return "?";
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length > Math.max(name, status) && cells[name].equals(server)) return cells[status];
        }
        return "?";
    }
}
