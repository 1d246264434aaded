package dev.ferry.demo.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Hands out free loopback TCP ports, never the same one twice in this JVM. */
public final class PortAllocator {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private PortAllocator() {}

    /** A port that nothing listens on right now; the caller should bind it soon. */
    public static synchronized int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = probe();
            if (HANDED_OUT.add(port)) return port;
        }
        throw new IllegalStateException("no free loopback port found in 100 attempts");
    }

    private static int probe() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
    }
}
