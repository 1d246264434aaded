package dev.ferry.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where commands and replies end, however the bytes are split into read bursts. */
class ScannersTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** Feeds the stream in pieces of {@code step} bytes; returns "length:flags" per command. */
    private static List<String> commands(String stream, int step) {
        RequestScanner scanner = new RequestScanner();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < stream.length(); i += step) {
            ByteBuf b = bytes(stream.substring(i, Math.min(stream.length(), i + step)));
            assertThat(scanner.scan(b, (len, flags) -> out.add(len + ":" + flags))).isTrue();
            b.release();
        }
        return out;
    }

    /** Feeds the stream in pieces; returns "end-offset-in-stream:kind" per reply. */
    private static List<String> replies(String stream, int step) {
        ReplyScanner scanner = new ReplyScanner();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < stream.length(); i += step) {
            int base = i;
            ByteBuf b = bytes(stream.substring(i, Math.min(stream.length(), i + step)));
            assertThat(scanner.scan(b, (end, kind) -> out.add((base + end) + ":" + kind))).isTrue();
            b.release();
        }
        return out;
    }

    @Test
    void commandsAreFoundWhateverTheSplit() {
        String set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        String get = "*2\r\n$3\r\nget\r\n$1\r\nk\r\n";
        String stream = set + get + "PING\r\n";
        for (int step = 1; step <= stream.length(); step++) {
            assertThat(commands(stream, step)).as("step %d", step)
                    .containsExactly(set.length() + ":0", get.length() + ":" + CommandTable.READ, "6:" + (CommandTable.READ | CommandTable.INLINE));
        }
    }

    @Test
    void argumentsLongerThanTheReadWindowAreSkippedByLength() {
        String big = "*3\r\n$3\r\nSET\r\n$" + 300 + "\r\n" + "k".repeat(300) + "\r\n$1000\r\n" + "v".repeat(1000) + "\r\n";
        String get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
        String stream = big + get + big;
        for (int step : new int[] {stream.length(), 1000, 257, 7}) {
            assertThat(commands(stream, step)).as("step %d", step)
                    .containsExactly(big.length() + ":0", get.length() + ":" + CommandTable.READ, big.length() + ":0");
        }
    }

    @Test
    void bytesThatMakeNoCommandCountTowardsTheNext() {
        assertThat(commands("\r\n*0\r\n*1\r\n$4\r\nPING\r\n", 3)).containsExactly((2 + 4 + 14) + ":" + CommandTable.READ);
    }

    @Test
    void stateCommandsAndTiesToTheNodeAreRecognised() {
        assertThat(commands("*2\r\n$6\r\nselect\r\n$1\r\n3\r\n", 5)).containsExactly("23:" + CommandTable.SELECT);
        assertThat(commands("*3\r\n$6\r\nCLIENT\r\n$7\r\nsetname\r\n$1\r\nx\r\n", 4))
                .containsExactly("36:" + CommandTable.SETNAME);
        assertThat(commands("*2\r\n$6\r\nCLIENT\r\n$2\r\nid\r\n", 4)).containsExactly("24:" + CommandTable.DESCRIBE);
        assertThat(commands("*2\r\n$6\r\nSCRIPT\r\n$4\r\nkill\r\n", 9)).containsExactly("26:" + (CommandTable.LEASE | CommandTable.ANY_DB));
        assertThat(commands("*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n", 7)).containsExactly("26:" + CommandTable.STREAM);
        assertThat(commands("*3\r\n$6\r\nclient\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n", 64)).containsExactly("36:" + CommandTable.STREAM);
        assertThat(commands("MULTI\r\n", 2)).containsExactly("7:" + (CommandTable.MULTI | CommandTable.INLINE));
        assertThat(commands("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n", 1))
                .containsExactly("29:" + (CommandTable.BLOCKING | CommandTable.LEASE));
    }

    @Test
    void theFormsFerryAnswersItselfNeedRedissArity() {
        assertThat(commands("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$6\r\nSELECT\r\n", 5))
                .as("SELECT without its argument is Redis's arity error: plain")
                .containsExactly("23:" + CommandTable.SELECT, "16:0");
        assertThat(commands("*2\r\n$6\r\nCLIENT\r\n$7\r\nGETNAME\r\n*3\r\n$6\r\nCLIENT\r\n$7\r\nGETNAME\r\n$1\r\nx\r\n", 7))
                .as("CLIENT GETNAME with an extra argument goes to Redis, on a connection of its own")
                .containsExactly("29:" + CommandTable.GETNAME, "36:" + CommandTable.LEASE);
    }

    @Test
    void commandsRedisLimitsForUnauthenticatedClientsAreMarked() {
        String eleven = "*11\r\n$4\r\nMSET\r\n" + "$1\r\nx\r\n".repeat(10);
        assertThat(commands(eleven, 13)).containsExactly(eleven.length() + ":" + CommandTable.UNAUTH_LIMIT);
        String big = "*2\r\n$4\r\nECHO\r\n$16385\r\n" + "x".repeat(16385) + "\r\n";
        assertThat(commands(big, 4000)).containsExactly(big.length() + ":" + (CommandTable.READ | CommandTable.UNAUTH_LIMIT));
    }

    @Test
    void aLongUnknownCommandNameIsPlain() {
        String name = "X".repeat(100);
        assertThat(commands("*1\r\n$100\r\n" + name + "\r\n", 9)).containsExactly((10 + 102) + ":0");
    }

    @Test
    void malformedRequestsAreRefusedWithAReason() {
        RequestScanner s = new RequestScanner();
        assertThat(s.scan(bytes("*2\r\n$3\r\nGET\r\n:1\r\n"), (l, f) -> {})).isFalse();
        assertThat(s.problem()).isEqualTo("expected '$', got ':'");
        RequestScanner t = new RequestScanner();
        assertThat(t.scan(bytes("*x\r\n"), (l, f) -> {})).isFalse();
        assertThat(t.problem()).contains("where a number was expected");
    }

    @Test
    void repliesOfEveryTypeEndWhereTheyShould() {
        String r1 = "+OK\r\n";
        String r2 = "$5\r\nhello\r\n";
        String r3 = "*3\r\n:1\r\n$-1\r\n*2\r\n+a\r\n$1\r\nb\r\n";
        String r4 = "%1\r\n+k\r\n~2\r\n,1.5\r\n#t\r\n";          // RESP3 map holding a set
        String r5 = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"; // a push, not a reply
        String r6 = "|1\r\n+ttl\r\n:3\r\n:42\r\n";                  // an attribute, then the reply
        String r7 = "*-1\r\n";
        String r8 = "_\r\n";
        String r9 = "$-1\r\n:12345\r\n";
        String stream = r1 + r2 + r3 + r4 + r5 + r6 + r7 + r8 + r9;
        int e1 = r1.length(), e2 = e1 + r2.length(), e3 = e2 + r3.length(), e4 = e3 + r4.length(), e5 = e4 + r5.length(),
                e6 = e5 + r6.length(), e7 = e6 + r7.length(), e8 = e7 + r8.length(), e9 = e8 + 5, e10 = e8 + r9.length();
        for (int step = 1; step <= stream.length(); step++) {
            assertThat(replies(stream, step)).as("step %d", step).containsExactly(e1 + ":0", e2 + ":0", e3 + ":0", e4 + ":0",
                    e5 + ":" + ReplyScanner.PUSH, e6 + ":0", e7 + ":0", e8 + ":0", e9 + ":0", e10 + ":0");
        }
    }

    @Test
    void refusalsThatMeanNotExecutedAreTold() {
        String ro = "-READONLY You can't write against a read only replica.\r\n";
        String ub = "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n";
        String other = "-ERR wrong number of arguments\r\n";
        String nested = "*1\r\n-READONLY inside EXEC\r\n";
        String stream = ro + ub + other + nested;
        int e1 = ro.length(), e2 = e1 + ub.length(), e3 = e2 + other.length(), e4 = e3 + nested.length();
        for (int step = 1; step <= stream.length(); step++) {
            assertThat(replies(stream, step)).as("step %d", step).containsExactly(e1 + ":" + ReplyScanner.READONLY,
                    e2 + ":" + ReplyScanner.UNBLOCKED, e3 + ":" + ReplyScanner.ERROR, e4 + ":" + ReplyScanner.OK);
        }
    }

    @Test
    void aBufferEndingInsideATopLevelErrorSaysSo() {
        ReplyScanner s = new ReplyScanner();
        s.scan(bytes("+OK\r\n-READ"), (e, k) -> {});
        assertThat(s.insideTopLevelError()).isTrue();
        s.scan(bytes("ONLY no\r\n$3\r\nab"), (e, k) -> {});
        assertThat(s.insideTopLevelError()).isFalse();
    }

    @Test
    void theJournalKeepsUnansweredCommandsAcrossBuffersAndForgetsAnsweredOnes() {
        CommandJournal j = new CommandJournal();
        ByteBuf a = bytes("*1\r\n$4\r\nPING\r\n*1\r\n$4");
        ByteBuf b = bytes("\r\nPING\r\n");
        j.append(a);
        j.record(14, CommandTable.READ);
        j.append(b);
        j.record(14, 0);
        j.markAllSent();
        assertThat(j.sent()).isEqualTo(2);
        assertThat(j.copy(0).toString(StandardCharsets.UTF_8)).isEqualTo("*1\r\n$4\r\nPING\r\n");
        j.removeOldest();
        assertThat(j.oldestFlags()).isZero();
        assertThat(j.copy(0).toString(StandardCharsets.UTF_8)).as("spans both buffers").isEqualTo("*1\r\n$4\r\nPING\r\n");
        assertThat(a.refCnt()).as("still holds the start of an unanswered command").isEqualTo(2);
        j.removeOldest();
        assertThat(a.refCnt()).as("released once nothing in it is unanswered").isEqualTo(1);
        assertThat(j.bytes()).isZero();
        j.release();
        assertThat(b.refCnt()).isEqualTo(1);
        a.release();
        b.release();
    }
}
