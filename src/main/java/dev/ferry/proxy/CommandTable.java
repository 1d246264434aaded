package dev.ferry.proxy;

/**
 * The one table of per-command rules: for each command (and, for CLIENT, SCRIPT and FUNCTION, its
 * subcommand) the flags that decide where it may travel and what it does to the session. A command not
 * in the table is plain: it yields one reply, leaves no state on the connection, and travels on a shared
 * node connection. Every rule is one {@code put} line below; docs/ROUTING.md is this table in words.
 */
final class CommandTable {
    /** Reads without side effects: safe to run again on the new master, to keep replies in order. */
    static final int READ = 1;
    /** Blocking pops: {@code -UNBLOCKED} at a demotion means nothing was popped, so they run again. */
    static final int BLOCKING = 1 << 1;
    /** Who the connection is: verified by Redis on a connection already of the new identity. */
    static final int AUTH = 1 << 2;
    static final int HELLO = 1 << 3;
    static final int SELECT = 1 << 4;
    static final int IDENTITY = AUTH | HELLO | SELECT;
    /** CLIENT SETNAME / GETNAME: the name is the session's, kept by Ferry on shared connections. */
    static final int SETNAME = 1 << 5;
    static final int GETNAME = 1 << 6;
    /** Transactions: from MULTI or WATCH until EXEC, DISCARD or UNWATCH the session has a connection of its own. */
    static final int MULTI = 1 << 7;
    static final int EXEC = 1 << 8;  // EXEC and DISCARD end a transaction and unwatch
    static final int WATCH = 1 << 9;
    static final int UNWATCH = 1 << 10;
    /**
     * Not a request/reply stream Ferry can follow any more (SYNC, PSYNC, SCRIPT DEBUG): from here on the
     * session is forwarded byte for byte on a connection of its own, and cut at a change of master.
     */
    static final int OPAQUE = 1 << 11;
    /**
     * Replies no longer one per command (Pub/Sub, MONITOR, CLIENT REPLY): from here on the session has a
     * connection of its own whose replies and messages pass whole as they come; at a change of master its
     * subscriptions (or MONITOR, or REPLY OFF) are set up again on the new one.
     */
    static final int STREAM = 1 << 21;
    /**
     * Connection settings that mean nothing on a shared connection but are set up again on a session's
     * own connection when it moves (CLIENT SETINFO, NO-EVICT, NO-TOUCH; TRACKING is also PIN).
     */
    static final int REPLAY = 1 << 22;
    /** Set by the session: an EXEC sent as DISCARD (its WATCH could not move); its reply is the null of an aborted EXEC. */
    static final int REPLY_NULL = 1 << 23;
    static final int RESET = 1 << 12;
    static final int QUIT = 1 << 13;
    /** State set on the connection itself (tracking, eviction and LRU flags): a connection of its own until RESET. */
    static final int PIN = 1 << 14;
    /**
     * May block, pause, close or describe its own connection (blocking pops, WAIT, CLIENT KILL/LIST,
     * SCRIPT KILL, DEBUG...): runs on a connection of its own for this one command, never on a shared one.
     */
    static final int LEASE = 1 << 15;
    /**
     * Describes the connection itself (CLIENT ID, CLIENT INFO): a connection of its own until RESET, so the
     * answer stays true of the session; nothing on it needs carrying to a new master.
     */
    static final int DESCRIBE = 1 << 19;
    /**
     * WAIT/WAITAOF count acknowledgements of the connection's own last write: sent on the session's own
     * connection after a marker write there, and from then on the session keeps that connection, so its
     * writes and its WAITs meet on one connection as they would directly.
     */
    static final int WAIT = 1 << 20;
    /**
     * Runs while Redis refuses SELECT and CLIENT SETNAME with -BUSY (SCRIPT KILL, FUNCTION KILL): leased
     * on a connection that needs neither, since the session's database and name do not matter to it.
     */
    static final int ANY_DB = 1 << 24;
    /** CLIENT PAUSE / UNPAUSE: once Redis accepted it, Ferry knows which commands the pause holds back. */
    static final int PAUSE = 1 << 25;

    // Set by the scanner or the session, not the table.
    /** An inline command (not a RESP array): Redis parses quotes in it, so it is never put on a shared connection. */
    static final int INLINE = 1 << 16;
    /** More than 10 arguments or a bulk over 16 KiB: Redis closes an unauthenticated connection that sends it. */
    static final int UNAUTH_LIMIT = 1 << 17;
    /** Sent inside MULTI ... EXEC. */
    static final int IN_TX = 1 << 18;

    /** Everything that keeps a command off the shared path when it is the next one to send. */
    static final int NOT_SHARED = IDENTITY | SETNAME | GETNAME | MULTI | WATCH | OPAQUE | STREAM | RESET | QUIT | PIN | DESCRIBE | LEASE | INLINE;

    static final int MAX_NAME = 24;

    private static final int SLOTS = 512;
    private static final byte[][] KEYS = new byte[SLOTS][];
    private static final int[] FLAGS = new int[SLOTS];
    /** Commands whose first argument is a subcommand that changes the rule. */
    private static final byte[][] WITH_SUBCOMMANDS = {bytes("CLIENT"), bytes("SCRIPT"), bytes("FUNCTION")};
    private static final int SUB_SLOTS = 64;
    private static final byte[][] SUB_KEYS = new byte[SUB_SLOTS][];
    private static final int[] SUB_FLAGS = new int[SUB_SLOTS];
    /** The rule of a CLIENT subcommand Ferry does not know: it may describe or change its own connection. */
    private static final int UNKNOWN_CLIENT_SUBCOMMAND = LEASE;

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
        for (String n : "BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP".split(" ")) put(n, BLOCKING | LEASE);
        // XREAD/XREADGROUP block only with BLOCK, which may stand anywhere: a lease either way (cheap, reused).
        put("XREAD", READ | LEASE);
        put("XREADGROUP", LEASE);
        put("WAIT", LEASE | WAIT);
        put("WAITAOF", LEASE | WAIT);
        for (String n : "DEBUG SHUTDOWN FAILOVER".split(" ")) put(n, LEASE);
        // Configures the connection for the SYNC that follows (redis-cli --rdb, --functions-rdb): keep it.
        put("REPLCONF", PIN);
        // A script may keep Redis busy: on a shared connection the commands of other sessions would queue
        // behind it instead of getting Redis's -BUSY, and SCRIPT KILL could not get past it.
        for (String n : "EVAL EVALSHA EVAL_RO EVALSHA_RO FCALL FCALL_RO".split(" ")) put(n, LEASE);
        for (String n : "SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE MONITOR".split(" ")) put(n, STREAM);
        put("SYNC", OPAQUE);
        put("PSYNC", OPAQUE);
        put("AUTH", AUTH);
        put("HELLO", HELLO);
        put("SELECT", SELECT);
        put("MULTI", MULTI);
        put("EXEC", EXEC);
        put("DISCARD", EXEC);
        put("WATCH", WATCH);
        put("UNWATCH", UNWATCH);
        put("RESET", RESET);
        put("QUIT", QUIT);

        sub("CLIENT SETNAME", SETNAME);
        sub("CLIENT GETNAME", GETNAME);
        sub("CLIENT SETINFO", REPLAY);  // library name and version: harmless on a shared connection
        sub("CLIENT HELP", 0);
        for (String s : "ID INFO GETREDIR TRACKINGINFO".split(" ")) sub("CLIENT " + s, DESCRIBE);
        for (String s : "TRACKING NO-EVICT NO-TOUCH".split(" ")) sub("CLIENT " + s, PIN | REPLAY);
        sub("CLIENT CACHING", PIN);
        sub("CLIENT REPLY", STREAM);
        for (String s : "LIST KILL UNBLOCK".split(" ")) sub("CLIENT " + s, LEASE);
        sub("CLIENT PAUSE", LEASE | PAUSE);
        sub("CLIENT UNPAUSE", LEASE | PAUSE);
        // A busy script holds its own connection: KILL must come on another one, never queued behind it.
        sub("SCRIPT KILL", LEASE | ANY_DB);
        sub("FUNCTION KILL", LEASE | ANY_DB);
        sub("SCRIPT DEBUG", OPAQUE);
    }

    private CommandTable() {}

    /**
     * The flags of a command from its name, first argument and argument count (case-insensitive).
     * The forms Ferry answers itself must have Redis's arity; any other form goes to Redis, which answers it.
     */
    static int classify(byte[] name, int nameLen, byte[] arg1, int arg1Len, long argc) {
        if (nameLen > MAX_NAME || nameLen == 0) return 0;
        int flags;
        int with = subcommandsOf(name, nameLen);
        if (with >= 0) {
            flags = subcommand(with, arg1, arg1Len);
        } else {
            flags = lookup(KEYS, FLAGS, SLOTS, -1, name, nameLen, 0);
        }
        if ((flags & SETNAME) != 0 && argc != 3) return LEASE;
        if ((flags & GETNAME) != 0 && argc != 2) return LEASE;
        if ((flags & SELECT) != 0 && argc != 2) return 0;        // Redis's arity error, no state change
        if ((flags & AUTH) != 0 && argc != 2 && argc != 3) return 0;
        if ((flags & RESET) != 0 && argc != 1) return 0;
        return flags;
    }

    /** Whether the first argument matters to classify the command. */
    static boolean hasSubcommands(byte[] name, int nameLen) {
        return subcommandsOf(name, nameLen) >= 0;
    }

    private static int subcommandsOf(byte[] name, int nameLen) {
        for (int k = 0; k < WITH_SUBCOMMANDS.length; k++) {
            if (equalsIgnoreCase(name, nameLen, WITH_SUBCOMMANDS[k])) return k;
        }
        return -1;
    }

    private static int subcommand(int with, byte[] sub, int len) {
        int unknown = with == 0 ? UNKNOWN_CLIENT_SUBCOMMAND : 0;
        return lookup(SUB_KEYS, SUB_FLAGS, SUB_SLOTS, with, sub, len, unknown);
    }

    private static int lookup(byte[][] keys, int[] flags, int slots, int prefix, byte[] b, int len, int otherwise) {
        int slot = hash(prefix, b, len) & (slots - 1);
        while (keys[slot] != null) {
            byte[] key = keys[slot];
            if (key[0] == prefix + 1 && equalsIgnoreCase(b, len, key, 1)) return flags[slot];
            slot = (slot + 1) & (slots - 1);
        }
        return otherwise;
    }

    private static void put(String name, int flags) {
        insert(KEYS, FLAGS, SLOTS, -1, bytes(name), flags);
    }

    private static void sub(String commandAndSub, int flags) {
        String[] parts = commandAndSub.split(" ");
        int with = subcommandsOf(bytes(parts[0]), parts[0].length());
        insert(SUB_KEYS, SUB_FLAGS, SUB_SLOTS, with, bytes(parts[1]), flags);
    }

    /** Keys are stored with a first byte telling which command they are a subcommand of (0: none). */
    private static void insert(byte[][] keys, int[] flags, int slots, int prefix, byte[] name, int f) {
        byte[] key = new byte[name.length + 1];
        key[0] = (byte) (prefix + 1);
        System.arraycopy(name, 0, key, 1, name.length);
        int slot = hash(prefix, name, name.length) & (slots - 1);
        while (keys[slot] != null) slot = (slot + 1) & (slots - 1);
        keys[slot] = key;
        flags[slot] = f;
    }

    private static int hash(int prefix, byte[] b, int len) {
        int h = prefix;
        for (int i = 0; i < len; i++) h = h * 31 + upper(b[i]);
        return h ^ (h >>> 9);
    }

    private static boolean equalsIgnoreCase(byte[] b, int len, byte[] upperKey) {
        if (len != upperKey.length) return false;
        for (int i = 0; i < len; i++) {
            if (upper(b[i]) != upperKey[i]) return false;
        }
        return true;
    }

    private static boolean equalsIgnoreCase(byte[] b, int len, byte[] upperKey, int from) {
        if (len != upperKey.length - from) return false;
        for (int i = 0; i < len; i++) {
            if (upper(b[i]) != upperKey[from + i]) return false;
        }
        return true;
    }

    private static int upper(byte c) {
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
