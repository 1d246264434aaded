package dev.ferry.config;

/**
 * What Ferry sends as {@code AUTH} to Redis nodes or Sentinels. The password is never printed:
 * {@link #toString()} masks it so that logs and error messages cannot leak it by accident.
 */
public record Credentials(String user, String password) {
    public static final Credentials NONE = new Credentials(null, null);

    public boolean present() {
        return password != null;
    }

    @Override
    public String toString() {
        if (!present()) return "no auth";
        return (user == null ? "default" : user) + ":****";
    }
}
