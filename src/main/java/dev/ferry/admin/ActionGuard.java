package dev.ferry.admin;

import dev.ferry.config.AdminConfig;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.util.Locale;

/**
 * Who may ask the admin listener to act ({@code POST /failover}, and any later action): only with
 * {@code admin.password} set (credentials are checked before this), and never from a page of another
 * site, which a browser holding the credentials could be made to send (its Origin, Referer or
 * Sec-Fetch-Site says so). Tools such as {@code curl} and {@code ferry failover} send none of these.
 */
final class ActionGuard {
    static final String NO_PASSWORD = "actions are off: this admin listener has no admin.password. Set admin.password "
            + "(and admin.user, default 'admin') in Ferry's configuration to allow POST /failover; the read-only pages stay open\n";

    private ActionGuard() {}

    /** Why the request may not act, or null when it may. */
    static String refusal(AdminConfig config, FullHttpRequest req) {
        if (!config.authRequired()) return NO_PASSWORD;
        String host = req.headers().get(HttpHeaderNames.HOST);
        String site = req.headers().get("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            return "cross-site request refused: actions are taken only from this listener's own pages or from tools\n";
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameAuthority(origin, host)) {
            return "cross-site request refused: Origin " + origin + " is not this listener (" + host + ")\n";
        }
        String referer = req.headers().get(HttpHeaderNames.REFERER);
        if (origin == null && referer != null && !sameAuthority(referer, host)) {
            return "cross-site request refused: the request came from another site's page\n";
        }
        return null;
    }

    /** Whether a URL ({@code https://host:port/...}) names the same host and port as the Host header. */
    private static boolean sameAuthority(String url, String host) {
        if (host == null) return false;
        try {
            String authority = URI.create(url.trim()).getRawAuthority();
            return authority != null && authority.toLowerCase(Locale.ROOT).equals(host.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
