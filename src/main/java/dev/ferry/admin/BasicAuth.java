package dev.ferry.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/** HTTP Basic credentials of the admin listener, checked in constant time (like HAProxy's {@code stats auth}). */
final class BasicAuth {
    static final String CHALLENGE = "Basic realm=\"ferry\"";

    private final byte[] user;
    private final byte[] password;

    BasicAuth(String user, String password) {
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether an {@code Authorization} header value carries these credentials. */
    boolean accepts(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) return false;
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) return false;
        byte[] u = Arrays.copyOfRange(decoded, 0, colon);
        byte[] p = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        // Both compared always (no short-circuit), so timing tells nothing about which one was wrong.
        boolean userOk = MessageDigest.isEqual(u, user);
        boolean passwordOk = MessageDigest.isEqual(p, password);
        return userOk & passwordOk;
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) return i;
        }
        return -1;
    }
}
