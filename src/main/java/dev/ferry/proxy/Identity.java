package dev.ferry.proxy;

/**
 * Who a session runs as on Redis: the ACL user it authenticated as (null: it never authenticated), its
 * database and its protocol version. Shared node connections are per identity, so one client's AUTH,
 * SELECT or HELLO never changes what another client runs as.
 */
record Identity(String user, int db, int proto) {
    static final Identity INITIAL = new Identity(null, 0, 2);

    Identity withUser(String u) {
        return new Identity(u, db, proto);
    }

    Identity withDb(int d) {
        return new Identity(user, d, proto);
    }

    Identity withProto(int p) {
        return new Identity(user, db, p);
    }

    @Override
    public String toString() {
        return (user == null ? "(no AUTH)" : user) + "/db" + db + "/resp" + proto;
    }
}
