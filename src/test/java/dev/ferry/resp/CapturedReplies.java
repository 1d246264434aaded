package dev.ferry.resp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Replies as redis-server and redis-sentinel 7.0.15 sent them, byte for byte (a master on 127.0.0.1:17391,
 * its replica on :17392, two Sentinels on :17393 and :17394 watching "mymaster"), captured once by hand.
 * Tests decode them with {@link RespReader}, so what a parser sees is exactly what it sees in production.
 */
final class CapturedReplies {
    private CapturedReplies() {}

    static Object decode(String wire) {
        try {
            return new RespReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))).read();
        } catch (IOException e) {
            throw new UncheckedIOException("not a RESP reply: " + wire, e);
        }
    }

    // ---- ROLE

    static final String MASTER_ROLE = ""
            + "*3\r\n$6\r\nmaster\r\n:2204\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$5\r\n17392\r\n$4\r\n2204\r\n";

    static final String MASTER_ROLE_WITHOUT_REPLICAS = "*3\r\n$6\r\nmaster\r\n:291\r\n*0\r\n";

    static final String REPLICA_ROLE = "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:17391\r\n$9\r\nconnected\r\n:2472\r\n";

    /** A replica whose master does not answer: before its first sync it reports offset -1. */
    static final String REPLICA_ROLE_CONNECTING = "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:17399\r\n$7\r\nconnect\r\n:-1\r\n";

    static final String SENTINEL_ROLE = "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n";

    // ---- Sentinel

    static final String MASTER_ADDR = "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n17391\r\n";

    /** GET-MASTER-ADDR-BY-NAME of a name the Sentinel does not know. */
    static final String NULL_ARRAY = "*-1\r\n";

    /** SENTINEL MASTER, REPLICAS or SENTINELS of a name the Sentinel does not know. */
    static final String NO_SUCH_MASTER = "-ERR No such master with that name\r\n";

    static final String SENTINEL_MASTER = ""
            + "*40\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n"
            + "$5\r\n17391\r\n$5\r\nrunid\r\n$40\r\nbfda769c4232ab8f56820c5010e70da1fed90fa3\r\n$5\r\nflags\r\n"
            + "$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
            + "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n781\r\n"
            + "$15\r\nlast-ping-reply\r\n$3\r\n781\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n"
            + "$12\r\ninfo-refresh\r\n$4\r\n1323\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n"
            + "$18\r\nrole-reported-time\r\n$5\r\n21368\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n"
            + "$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n1\r\n$6\r\nquorum\r\n"
            + "$1\r\n1\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n";

    /** The same record with the flags it showed while leading a failover it was told to make (SENTINEL FAILOVER). */
    static final String SENTINEL_MASTER_FAILING_OVER = SENTINEL_MASTER.replace(
            "$5\r\nflags\r\n$6\r\nmaster\r\n", "$5\r\nflags\r\n$42\r\nmaster,failover_in_progress,force_failover\r\n");

    static final String SENTINEL_REPLICAS = ""
            + "*1\r\n*42\r\n$4\r\nname\r\n$15\r\n127.0.0.1:17392\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"
            + "$4\r\nport\r\n$5\r\n17392\r\n$5\r\nrunid\r\n$40\r\nb0a8cdc453c315b74ba8ab0d8051cd92d7bf868d\r\n"
            + "$5\r\nflags\r\n$5\r\nslave\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n"
            + "$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n"
            + "$18\r\nlast-ok-ping-reply\r\n$3\r\n246\r\n$15\r\nlast-ping-reply\r\n$3\r\n246\r\n"
            + "$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n$12\r\ninfo-refresh\r\n$5\r\n10002\r\n"
            + "$13\r\nrole-reported\r\n$5\r\nslave\r\n$18\r\nrole-reported-time\r\n$5\r\n24253\r\n"
            + "$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n"
            + "$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n17391\r\n"
            + "$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$4\r\n1668\r\n"
            + "$17\r\nreplica-announced\r\n$1\r\n1\r\n";

    /** After its node was killed: the replica (the old master, demoted by a failover) flagged s_down. */
    static final String SENTINEL_REPLICAS_DOWN = ""
            + "*1\r\n*44\r\n$4\r\nname\r\n$15\r\n127.0.0.1:17391\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"
            + "$4\r\nport\r\n$5\r\n17391\r\n$5\r\nrunid\r\n$40\r\nbfda769c4232ab8f56820c5010e70da1fed90fa3\r\n"
            + "$5\r\nflags\r\n$25\r\ns_down,slave,disconnected\r\n$21\r\nlink-pending-commands\r\n$1\r\n2\r\n"
            + "$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$4\r\n3941\r\n"
            + "$18\r\nlast-ok-ping-reply\r\n$4\r\n4538\r\n$15\r\nlast-ping-reply\r\n$4\r\n4538\r\n"
            + "$11\r\ns-down-time\r\n$4\r\n1932\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n"
            + "$12\r\ninfo-refresh\r\n$4\r\n6610\r\n$13\r\nrole-reported\r\n$5\r\nslave\r\n"
            + "$18\r\nrole-reported-time\r\n$5\r\n11751\r\n$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n"
            + "$18\r\nmaster-link-status\r\n$2\r\nok\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n"
            + "$11\r\nmaster-port\r\n$5\r\n17392\r\n$14\r\nslave-priority\r\n$3\r\n100\r\n"
            + "$17\r\nslave-repl-offset\r\n$4\r\n7911\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n";

    static final String SENTINEL_SENTINELS = ""
            + "*1\r\n*28\r\n$4\r\nname\r\n$40\r\n03d533c1de4a94e285abd45f4df3c08c5a3ea061\r\n$2\r\nip\r\n"
            + "$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n17394\r\n$5\r\nrunid\r\n"
            + "$40\r\n03d533c1de4a94e285abd45f4df3c08c5a3ea061\r\n$5\r\nflags\r\n$8\r\nsentinel\r\n"
            + "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
            + "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n958\r\n"
            + "$15\r\nlast-ping-reply\r\n$3\r\n958\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n2000\r\n"
            + "$18\r\nlast-hello-message\r\n$3\r\n597\r\n$12\r\nvoted-leader\r\n$1\r\n?\r\n"
            + "$18\r\nvoted-leader-epoch\r\n$1\r\n0\r\n";

    // ---- INFO and CONFIG GET

    static final String INFO_SENTINEL = ""
            + "$255\r\n# Sentinel\r\nsentinel_masters:1\r\nsentinel_tilt:0\r\n"
            + "sentinel_tilt_since_seconds:-1\r\nsentinel_running_scripts:0\r\n"
            + "sentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:0\r\n"
            + "master0:name=mymaster,status=ok,address=127.0.0.1:17391,slaves=1,sentinels=2\r\n\r\n";

    static final String INFO_REPLICATION = ""
            + "$418\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
            + "slave0:ip=127.0.0.1,port=17392,state=online,offset=3826,lag=0\r\n"
            + "master_failover_state:no-failover\r\nmaster_replid:b758236f2922887c841edbd48b34aca6f8275faf\r\n"
            + "master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:3840\r\n"
            + "second_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\n"
            + "repl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:3840\r\n\r\n";

    static final String CONFIG_MIN_REPLICAS = "*4\r\n$20\r\nmin-replicas-max-lag\r\n$2\r\n10\r\n$21\r\nmin-replicas-to-write\r\n$1\r\n0\r\n";

    static final String CONFIG_REPLICA_PRIORITY = "*2\r\n$16\r\nreplica-priority\r\n$3\r\n100\r\n";

    /** CONFIG GET of a name that matches nothing. */
    static final String EMPTY_ARRAY = "*0\r\n";
}
