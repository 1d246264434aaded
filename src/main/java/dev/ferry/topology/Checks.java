package dev.ferry.topology;

import dev.ferry.config.HostPort;
import java.io.IOException;

/**
 * The topology's I/O: one check of a Sentinel or a node, and one command to a node (fencing). The real
 * one ({@link RedisChecks}) talks to Redis; tests script the answers. Checks of one address may be asked
 * from several threads, one at a time per address.
 */
interface Checks extends AutoCloseable {
    SentinelReport sentinel(HostPort sentinel);

    NodeReport node(HostPort node);

    /** Sends one command on a fresh connection; error replies are returned, not thrown. */
    Object command(HostPort node, String... args) throws IOException;

    @Override
    void close();
}
