package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last password Redis accepted from a client for each user, kept as the {@code AUTH} command that
 * opens further connections of that user (another event loop's shared connection, the new master's after
 * a failover, a dedicated one). Only a session that authenticated itself as a user ever runs on a
 * connection opened with that user's password: Ferry's own credentials are never lent to clients.
 */
final class Logins {
    private final Map<String, byte[]> authByUser = new ConcurrentHashMap<>();
    /** Users Redis does not let run SELECT: their connections select the database before they log in. */
    private final java.util.Set<String> selectFirst = ConcurrentHashMap.newKeySet();

    /**
     * A connection of {@code user} was refused SELECT: a client of that user got its database the way it
     * did directly, selecting it before logging in (as an unauthenticated or default user).
     */
    void refusedSelect(String user) {
        selectFirst.add(user);
    }

    boolean selectsFirst(String user) {
        return selectFirst.contains(user);
    }

    /** Redis accepted this login: keep it (the user "default" for the one-argument AUTH). */
    void accepted(String user, byte[] password) {
        byte[] auth = "default".equals(user)
                ? Resp.commandBytes("AUTH".getBytes(StandardCharsets.US_ASCII), password)
                : Resp.commandBytes("AUTH".getBytes(StandardCharsets.US_ASCII), user.getBytes(StandardCharsets.UTF_8), password);
        authByUser.put(user, auth);
    }

    /** The AUTH command for a user, or null when no client proved that user's password yet. */
    ByteBuf authFor(String user) {
        byte[] b = authByUser.get(user);
        return b == null ? null : Unpooled.wrappedBuffer(b);
    }
}
