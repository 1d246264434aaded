package dev.ferry.tls;

import dev.ferry.config.ConfigException;

/** TLS material read from files that may be replaced on disk (certificates renewed, CAs rotated). */
public interface Reloadable {
    /** Names it in log lines, e.g. {@code frontends[0].tls}. */
    String name();

    /** Whether any of its files differs from what was loaded (modified, replaced, removed). */
    boolean filesChanged();

    /**
     * Reads the files again and, if they check out, uses them for every new handshake from now on;
     * on a mistake keeps what it had and throws. Returns what it now uses, for the log.
     */
    String reload() throws ConfigException;
}
