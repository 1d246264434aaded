package dev.ferry.proxy;

import io.netty.buffer.ByteBuf;

/**
 * The commands about who a session is: AUTH, HELLO and SELECT go to a connection of the identity they ask
 * for, where Redis judges them (nothing else of the session is sent until the reply); CLIENT SETNAME and
 * GETNAME, QUIT and RESET are answered here, in their turn.
 */
final class IdentityCommands {
    private final ClientSession s;

    IdentityCommands(ClientSession s) {
        this.s = s;
    }

    /** CLIENT SETNAME/GETNAME, RESET or QUIT, answered by Ferry after the replies to what came before. */
    void answerHere(int f) {
        ByteBuf reply;
        if ((f & CommandTable.SETNAME) != 0) {
            byte[] n = s.args(s.journal.sent()).get(2);
            if (Login.validName(n)) {
                s.name = n.length == 0 ? null : n;
                reply = Resp.OK.duplicate();
            } else {
                reply = Resp.error(Login.BAD_NAME);
            }
        } else if ((f & CommandTable.GETNAME) != 0) {
            reply = s.name != null ? Resp.bulk(s.name) : (s.identity.proto() == 3 ? Resp.NULL3 : Resp.NULL2).duplicate();
        } else if ((f & CommandTable.RESET) != 0) {
            s.identity = Identity.INITIAL;
            s.name = null;
            s.watchBroken = false;
            s.state.reset();
            reply = Resp.RESET.duplicate();
        } else {
            s.quitting = true;
            reply = Resp.OK.duplicate();
        }
        s.journal.skipNext(1);
        s.journal.removeOldest();
        s.stats().commandsLocal.increment();
        s.out.write(reply);
        if (s.quitting) {
            NodeConnections.flushAndClose(s.client);
        } else {
            s.flushSoon();
        }
    }

    /** AUTH, HELLO or SELECT: to a connection of the identity it asks for, where Redis judges it. */
    void loginOrPlain(int f) {
        Login lg = Login.of(f, s.args(0), s.identity);
        if (lg != null && lg.refusal() != null) {
            s.journal.skipNext(1);
            s.journal.removeOldest();
            s.out.write(Resp.error(lg.refusal()));
            s.flushSoon();
            s.sender.pump();
            return;
        }
        Router.Route r = s.sender.usableRoute();
        if (r == null) return;
        if (lg == null || lg.changesNothing(s.identity)) {
            // Redis refuses it without changing anything, or it changes nothing: any connection of this identity.
            NodeLink l = s.pool.shared(r.node(), s.identity);
            if (l == null) l = s.pool.openShared(r.node(), s.identity, null, 0);
            if (!l.ready()) {
                l.await(s);
                return;
            }
            s.login = lg != null ? lg : new Login(s.identity, 0, null, null, null, null, null);
            writeLogin(l);
            return;
        }
        NodeLink l = s.pool.shared(r.node(), lg.target());
        s.login = lg;
        if (l == null) {
            // No connection of that identity yet: open one whose first client command is this one.
            s.link = s.pool.openShared(r.node(), lg.target(), s, lg.covers());
            s.attachTo(r.node());
            return;
        }
        if (!l.ready()) {
            s.login = null;
            l.await(s);
            return;
        }
        writeLogin(l);
    }

    /** The link opened for this session's login is ready for it. */
    void loginNow(NodeLink l) {
        if (s.closed || s.login == null) {
            l.close();
            return;
        }
        writeLogin(l);
    }

    void writeLogin(NodeLink l) {
        if (s.login.send() != null) {
            l.channel().write(s.login.send(), l.channel().voidPromise());
            s.journal.skipNext(1);
        } else {
            s.journal.writeNext(l.channel(), 1);
        }
        l.sent(s, 1);
        l.flushSoon();
        s.link = l;
        s.attachTo(l.node);
        s.stats().commandsShared.increment();
    }
}
