package dev.ferry.resp;

/** A RESP error reply such as {@code -READONLY You can't write against a read only replica.} */
public record ErrorReply(String message) {
    /** The error code: the first word, e.g. {@code READONLY}, {@code NOAUTH}, {@code WRONGPASS}. */
    public String code() {
        int sp = message.indexOf(' ');
        return sp < 0 ? message : message.substring(0, sp);
    }

    @Override
    public String toString() {
        return "-" + message;
    }
}
