package dev.ferry.topology;

/**
 * How a node answered its last check. Only {@link #DOWN} says it is not there: a node that is busy,
 * loading or silent may be a master at work, as Sentinel sees it (it counts {@code -LOADING} as an
 * answer, and acts on silence or {@code -BUSY} only after {@code down-after-milliseconds}).
 */
public enum Liveness {
    /** Answered PING and ROLE. */
    ANSWERS,
    /**
     * Answered {@code -BUSY} (a script or function running past its time limit; {@code SCRIPT KILL} ends it),
     * or its client table is full so no check gets in.
     */
    BUSY,
    /** Answered {@code -LOADING}: it is loading its dataset. */
    LOADING,
    /** Said nothing within the check timeout: paused, running a slow command, or cut off by the network. */
    SILENT,
    /** Refused or closed the connection, or refused the check (AUTH, an error): not there, or not to be checked. */
    DOWN;

    /** Sentinel's "available": an answer that proves the node alive and well ({@code PONG} or {@code -LOADING}). */
    public boolean available() {
        return this == ANSWERS || this == LOADING;
    }

    /** Not answering the check, but possibly a master at work that will answer once free. */
    public boolean busy() {
        return this == BUSY || this == LOADING || this == SILENT;
    }

    public String word() {
        return name().toLowerCase();
    }
}
