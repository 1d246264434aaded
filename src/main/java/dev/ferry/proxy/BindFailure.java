package dev.ferry.proxy;

/** A listener could not bind; the message says which one and why, for an operator. */
public final class BindFailure extends Exception {
    public BindFailure(String message) {
        super(message, null, false, false);
    }

    public static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (m.contains("Address already in use")) return "address already in use (another process listens there)";
        if (m.contains("Cannot assign requested address")) return "that address is not on this host";
        if (m.contains("Permission denied")) return "permission denied (ports below 1024 need privileges)";
        return m;
    }
}
