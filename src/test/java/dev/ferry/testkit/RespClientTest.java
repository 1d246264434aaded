package dev.ferry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.config.HostPort;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The tests' RESP client against a server that answers canned bytes: what it reads is what the bytes say. */
class RespClientTest {

    /** A server for one connection: reads one command, answers {@code reply}, then closes when {@code close}. */
    private static HostPort server(String reply, boolean close, ServerSocket socket) {
        CompletableFuture.runAsync(() -> {
            try (Socket s = socket.accept()) {
                InputStream in = s.getInputStream();
                in.read(new byte[1024]);
                s.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                if (!close) Thread.sleep(2000);
            } catch (IOException | InterruptedException e) {
                // the test ended first
            }
        });
        return new HostPort("127.0.0.1", socket.getLocalPort());
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void repliesKeepTheirRespTypeAndNestedItems() throws Exception {
        try (ServerSocket s = listen();
             RespClient c = RespClient.open(server("%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*2\r\n$-1\r\n_\r\n", false, s), "typed")) {
            RespClient.Reply r = c.call("HELLO", "3");

            assertThat(r).isEqualTo(new RespClient.Reply('%', null, List.of(RespClient.simple("a"), RespClient.integer(1),
                    RespClient.bulk("b"), RespClient.array(new RespClient.Reply('_', null, null), new RespClient.Reply('_', null, null)))));
        }
    }

    @Test
    void anErrorReplyIsAReplyNotAnException() throws Exception {
        try (ServerSocket s = listen(); RespClient c = RespClient.open(server("-READONLY You can't write\r\n", false, s), "writer")) {
            RespClient.Reply r = c.call("SET", "k", "v");

            assertThat(r.isError()).isTrue();
            assertThat(r.text()).isEqualTo("READONLY You can't write");
        }
    }

    @Test
    void aClosedConnectionIsAnEofNamingTheClient() throws Exception {
        try (ServerSocket s = listen(); RespClient c = RespClient.open(server("", true, s), "cut")) {
            assertThatThrownBy(() -> c.call("PING")).isInstanceOf(EOFException.class).hasMessageContaining("'cut'");
        }
    }

    @Test
    void silenceIsATimeoutAndTheConnectionStaysOpen() throws Exception {
        try (ServerSocket s = listen(); RespClient c = RespClient.open(server("", false, s), "quiet")) {
            c.send(List.of(List.of("PING")));

            assertThatThrownBy(() -> c.read(Duration.ofMillis(100))).isInstanceOf(SocketTimeoutException.class);
            assertThat(c.closedWithin(Duration.ofMillis(100))).isFalse();
        }
    }
}
