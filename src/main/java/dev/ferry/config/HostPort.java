package dev.ferry.config;

/** A TCP address as Redis names it: {@code host:port}. Equality is by the literal host, as Sentinel reports it. */
public record HostPort(String host, int port) implements Comparable<HostPort> {

    public HostPort {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }

    /** Parses {@code host:port} or {@code [v6]:port}; throws IllegalArgumentException with a readable message. */
    public static HostPort parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("address is empty");
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + s + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' has no numeric port");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("'" + s + "' has port out of range 1-65535");
        return new HostPort(host, port);
    }

    @Override
    public int compareTo(HostPort o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
