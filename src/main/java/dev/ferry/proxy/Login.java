package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * What an AUTH, HELLO or SELECT asks for: the identity the session has once Redis accepts it, the login
 * to keep, and the command to send (HELLO without its SETNAME: the name is the session's, not the shared
 * connection's). Null from {@link #of} when Redis will refuse the command without changing anything
 * (a syntax or arity error), so it may go anywhere.
 *
 * @param target   the session's identity once Redis answers OK
 * @param covers   the parts of the identity it sets (CommandTable.AUTH, HELLO, SELECT)
 * @param user     the user whose password it proves, or null
 * @param password that password
 * @param name     a name HELLO SETNAME gives the session (null: none)
 * @param send     the command to send instead of the client's bytes, or null to send those
 * @param refusal  an error Ferry answers itself (an invalid HELLO SETNAME name), or null
 */
record Login(Identity target, int covers, String user, byte[] password, byte[] name, ByteBuf send, String refusal) {
    static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

    static Login of(int flags, List<byte[]> args, Identity now) {
        if ((flags & CommandTable.AUTH) != 0) {
            if (args.size() == 2) return new Login(now.withUser("default"), CommandTable.AUTH, "default", args.get(1), null, null, null);
            if (args.size() == 3) {
                String u = Resp.text(args.get(1));
                return new Login(now.withUser(u), CommandTable.AUTH, u, args.get(2), null, null, null);
            }
            return null;
        }
        if ((flags & CommandTable.SELECT) != 0) {
            Long db = args.size() == 2 ? Resp.integer(args.get(1)) : null;
            if (db == null || db < 0 || db > Integer.MAX_VALUE) return null;
            return new Login(now.withDb(db.intValue()), CommandTable.SELECT, null, null, null, null, null);
        }
        return hello(args, now);
    }

    private static Login hello(List<byte[]> args, Identity now) {
        if (args.size() == 1) return null;  // HELLO alone: the server's details, nothing changes
        Long ver = Resp.integer(args.get(1));
        if (ver == null || ver < 2 || ver > 3) return null;
        String user = null;
        byte[] password = null;
        byte[] name = null;
        for (int j = 2; j < args.size(); j++) {
            int more = args.size() - 1 - j;
            if (Resp.is(args.get(j), "AUTH") && more >= 2) {
                user = Resp.text(args.get(j + 1));
                password = args.get(j + 2);
                j += 2;
            } else if (Resp.is(args.get(j), "SETNAME") && more >= 1) {
                name = args.get(j + 1);
                j++;
            } else {
                return null;  // Redis's syntax error
            }
        }
        if (name != null && !validName(name)) {
            return new Login(now, 0, null, null, null, null, BAD_NAME);
        }
        Identity target = new Identity(user != null ? user : now.user(), now.db(), ver.intValue());
        int covers = CommandTable.HELLO | (user != null ? CommandTable.AUTH : 0);
        ByteBuf send = null;
        if (name != null) {
            List<byte[]> a = new ArrayList<>(List.of("HELLO".getBytes(), args.get(1)));
            if (user != null) {
                a.add("AUTH".getBytes());
                a.add(args.get(indexOfAuth(args) + 1));
                a.add(password);
            }
            send = Resp.command(a.toArray(new byte[0][]));
        }
        return new Login(target, covers, user, password, name, send, null);
    }

    private static int indexOfAuth(List<byte[]> args) {
        for (int j = 2; j < args.size(); j++) {
            if (Resp.is(args.get(j), "AUTH")) return j;
        }
        return -1;
    }

    /** Redis's rule for client names: printable ASCII without spaces; empty clears the name. */
    static boolean validName(byte[] name) {
        for (byte b : name) {
            if (b < '!' || b > '~') return false;
        }
        return true;
    }

    /** Whether sending it changes nothing but what Redis answers (same identity, nothing rewritten). */
    boolean changesNothing(Identity now) {
        return target.equals(now) && name == null && send == null && user == null;
    }
}
