package dev.ferry.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.Ferry;
import dev.ferry.Launcher;
import dev.ferry.config.FerryConfig;
import dev.ferry.config.HostPort;
import dev.ferry.demo.group.PortAllocator;
import dev.ferry.proxy.BindFailure;
import dev.ferry.testkit.TestConfig;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher starts the admin listener with Ferry and closes it with Ferry; no Redis process needed. */
class LauncherAdminTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private static FerryConfig config(int frontendPort, int adminPort) {
        return TestConfig.of(TestConfig.Frontend.named("orders").bindPort(frontendPort).masterName("mymaster")
                .sentinels(List.of(new HostPort("127.0.0.1", PortAllocator.next())))).admin(TestConfig.Admin.on(adminPort)).load();
    }

    @Test
    void theLauncherStartsTheAdminListenerAndClosesItWithFerry() throws Exception {
        int adminPort = PortAllocator.next();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health")).build();

        try (Ferry ferry = Launcher.start(config(PortAllocator.next(), adminPort))) {
            assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).body()).startsWith("no master: orders");
        }

        assertThatThrownBy(() -> http.send(health, HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }

    @Test
    void anAdminPortInUseFailsTheStartNamingTheAddressAndLeavesNothingListening() throws Exception {
        int frontendPort = PortAllocator.next();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int adminPort = taken.getLocalPort();

            assertThatThrownBy(() -> Launcher.start(config(frontendPort, adminPort)))
                    .isInstanceOf(BindFailure.class)
                    .hasMessage("admin: cannot listen on 127.0.0.1:" + adminPort + ": address already in use (another process listens there)");
        }
        try (ServerSocket frontendPortIsFree = new ServerSocket()) {
            frontendPortIsFree.bind(new InetSocketAddress("127.0.0.1", frontendPort));
        }
    }
}
