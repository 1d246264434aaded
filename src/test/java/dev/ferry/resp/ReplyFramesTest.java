package dev.ferry.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyFramesTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** Every prefix shorter than the reply is incomplete; the whole reply ends where the next starts. */
    private static void endsExactly(String reply) throws IOException {
        String next = "+NEXT\r\n";
        for (int cut = 0; cut < reply.length(); cut++) {
            assertThat(ReplyFrames.end(bytes(reply.substring(0, cut)), 0)).as("%d bytes of %s", cut, reply).isEqualTo(-1);
        }
        assertThat(ReplyFrames.end(bytes(reply + next), 0)).isEqualTo(reply.length());
    }

    @Test
    void aReplyIsWholeOnlyWithItsLastByte() throws IOException {
        endsExactly("+OK\r\n");
        endsExactly("-ERR unknown command\r\n");
        endsExactly(":1000\r\n");
        endsExactly("$5\r\nhello\r\n");
        endsExactly("$-1\r\n");
        endsExactly("*-1\r\n");
        endsExactly("*0\r\n");
        endsExactly("*3\r\n$6\r\nmaster\r\n:3129\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n6380\r\n$4\r\n3129\r\n");
    }

    @Test
    void resp3TypesAreFramedLikeTheirResp2Kin() throws IOException {
        endsExactly("%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n");
        endsExactly("~2\r\n:1\r\n:2\r\n");
        endsExactly(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
        endsExactly("_\r\n");
        endsExactly("#t\r\n");
        endsExactly(",3.14\r\n");
        endsExactly("(3492890328409238509324850943850943825024385\r\n");
        endsExactly("=15\r\ntxt:Some string\r\n");
        endsExactly("!21\r\nSYNTAX invalid syntax\r\n");
    }

    @Test
    void aBulkPayloadIsSkippedByItsLengthEvenWhenItHoldsCrlf() throws IOException {
        endsExactly("$8\r\na\r\nb\r\n*9\r\n");
    }

    @Test
    void bytesThatAreNotRespAreRefused() {
        assertThatThrownBy(() -> ReplyFrames.end(bytes("hello\r\n"), 0)).isInstanceOf(IOException.class).hasMessageContaining("not a RESP reply");
        assertThatThrownBy(() -> ReplyFrames.end(bytes("$x\r\n"), 0)).isInstanceOf(IOException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> ReplyFrames.end(bytes("$999999999999\r\n"), 0)).isInstanceOf(IOException.class).hasMessageContaining("too large");
    }

    @Test
    void theReaderTurnsABlobErrorIntoAnErrorReply() throws IOException {
        Object r = new RespReader(new io.netty.buffer.ByteBufInputStream(bytes("!21\r\nSYNTAX invalid syntax\r\n"))).read();
        assertThat(r).isInstanceOf(ErrorReply.class);
        assertThat(((ErrorReply) r).code()).isEqualTo("SYNTAX");
    }
}
