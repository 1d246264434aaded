package dev.ferry.proxy;

/**
 * What Ferry needs to know about a command to keep a session across a change of master: whether it
 * may run again on the new master after the old one refused it, whether it sets connection state that
 * must be replayed there, or whether it ties the session to its node. Everything else is plain: it is
 * forwarded, and sent again only when the old master refused it with {@code -READONLY}.
 */
final class CommandTable {
    /** Reads without side effects: safe to run again on the new master, to keep replies in order. */
    static final int READ = 1;
    /** Blocking pops: {@code -UNBLOCKED} at a demotion means nothing was popped, so they run again. */
    static final int BLOCKING = 1 << 1;
    /** Connection state replayed on the new master, last one of each kind. */
    static final int STATE_AUTH = 1 << 2;
    static final int STATE_HELLO = 1 << 3;
    static final int STATE_SELECT = 1 << 4;
    static final int STATE_SETNAME = 1 << 5;
    static final int STATE = STATE_AUTH | STATE_HELLO | STATE_SELECT | STATE_SETNAME;
    /** Transactions: a session between MULTI and EXEC, or with keys watched, stays on its node. */
    static final int MULTI = 1 << 6;
    static final int EXEC = 1 << 7;  // EXEC and DISCARD end a transaction and unwatch
    static final int WATCH = 1 << 8;
    static final int UNWATCH = 1 << 9;
    /**
     * Replies no longer one per command (Pub/Sub, MONITOR, CLIENT REPLY) or state tied to the node
     * (CLIENT TRACKING): from here on the session is forwarded byte for byte and cut at a change.
     */
    static final int OPAQUE = 1 << 10;
    static final int RESET = 1 << 11;
    /** Set by the session, not the table: the command was sent inside MULTI ... EXEC. */
    static final int IN_TX = 1 << 12;

    static final int MAX_NAME = 24;

    private static final int SLOTS = 512;
    private static final byte[][] KEYS = new byte[SLOTS][];
    private static final int[] FLAGS = new int[SLOTS];
    private static final byte[] CLIENT = "CLIENT".getBytes();
    private static final byte[] SETNAME = "SETNAME".getBytes();
    private static final byte[] TRACKING = "TRACKING".getBytes();
    private static final byte[] REPLY = "REPLY".getBytes();

    static {
        for (String n : ("GET MGET EXISTS TTL PTTL EXPIRETIME PEXPIRETIME TYPE STRLEN GETRANGE SUBSTR GETBIT BITCOUNT BITPOS "
                + "HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HRANDFIELD HSCAN "
                + "LRANGE LLEN LINDEX LPOS SCARD SISMEMBER SMISMEMBER SMEMBERS SRANDMEMBER SINTER SUNION SDIFF SINTERCARD SSCAN "
                + "ZRANGE ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZSCORE ZMSCORE ZCARD ZCOUNT "
                + "ZLEXCOUNT ZRANK ZREVRANK ZRANDMEMBER ZINTER ZUNION ZDIFF ZINTERCARD ZSCAN "
                + "XRANGE XREVRANGE XLEN GEOPOS GEODIST GEOHASH GEOSEARCH GEORADIUS_RO GEORADIUSBYMEMBER_RO LCS "
                + "DBSIZE KEYS SCAN RANDOMKEY DUMP PING ECHO TIME").split(" ")) {
            put(n, READ);
        }
        for (String n : "BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP".split(" ")) put(n, BLOCKING);
        for (String n : "SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE MONITOR SYNC PSYNC".split(" ")) {
            put(n, OPAQUE);
        }
        put("AUTH", STATE_AUTH);
        put("HELLO", STATE_HELLO);
        put("SELECT", STATE_SELECT);
        put("MULTI", MULTI);
        put("EXEC", EXEC);
        put("DISCARD", EXEC);
        put("WATCH", WATCH);
        put("UNWATCH", UNWATCH);
        put("RESET", RESET);
    }

    private CommandTable() {}

    /** The flags of a command, from its name and first argument (case-insensitive). */
    static int classify(byte[] name, int nameLen, byte[] arg1, int arg1Len) {
        if (nameLen > MAX_NAME || nameLen == 0) return 0;
        if (equalsIgnoreCase(name, nameLen, CLIENT)) return client(arg1, arg1Len);
        int slot = hash(name, nameLen);
        while (KEYS[slot] != null) {
            if (equalsIgnoreCase(name, nameLen, KEYS[slot])) return FLAGS[slot];
            slot = (slot + 1) & (SLOTS - 1);
        }
        return 0;
    }

    /** Whether the first argument matters to classify the command (only CLIENT's does). */
    static boolean hasSubcommands(byte[] name, int nameLen) {
        return equalsIgnoreCase(name, nameLen, CLIENT);
    }

    private static int client(byte[] sub, int len) {
        if (equalsIgnoreCase(sub, len, SETNAME)) return STATE_SETNAME;
        if (equalsIgnoreCase(sub, len, TRACKING) || equalsIgnoreCase(sub, len, REPLY)) return OPAQUE;
        return 0;
    }

    private static void put(String name, int flags) {
        byte[] key = name.getBytes();
        int slot = hash(key, key.length);
        while (KEYS[slot] != null) slot = (slot + 1) & (SLOTS - 1);
        KEYS[slot] = key;
        FLAGS[slot] = flags;
    }

    private static int hash(byte[] b, int len) {
        int h = 0;
        for (int i = 0; i < len; i++) h = h * 31 + upper(b[i]);
        h ^= h >>> 9;
        return h & (SLOTS - 1);
    }

    private static boolean equalsIgnoreCase(byte[] b, int len, byte[] upperKey) {
        if (len != upperKey.length) return false;
        for (int i = 0; i < len; i++) {
            if (upper(b[i]) != upperKey[i]) return false;
        }
        return true;
    }

    private static int upper(byte c) {
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    }
}
