package dev.ferry.cli;

import dev.ferry.config.AdminConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLException;

/** Asks a running Ferry's admin listener to act (POST), as its configuration describes it: HTTP or HTTPS, with its credentials. */
final class AdminClient {
    private AdminClient() {}

    static HttpResponse<String> post(AdminConfig admin, String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
        String host = admin.bind().host().equals("0.0.0.0") ? "127.0.0.1" : admin.bind().host();
        String scheme = admin.tls() == null ? "http://" : "https://";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(scheme + host + ":" + admin.bind().port() + pathAndQuery))
                .timeout(timeout).POST(HttpRequest.BodyPublishers.noBody());
        if (admin.authRequired()) {
            String token = Base64.getEncoder().encodeToString((admin.user() + ":" + admin.password()).getBytes(StandardCharsets.UTF_8));
            req.header("Authorization", "Basic " + token);
        }
        return client(admin).send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Over HTTPS the admin listener's own certificate file is what this command trusts. */
    private static HttpClient client(AdminConfig admin) throws IOException {
        if (admin.tls() == null) return HttpClient.newHttpClient();
        try {
            JdkSslContext ssl = (JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(admin.tls().cert().toFile()).build();
            return HttpClient.newBuilder().sslContext(ssl.context()).build();
        } catch (SSLException | RuntimeException e) {
            throw new IOException("cannot trust " + admin.tls().cert() + ": " + e.getMessage());
        }
    }
}
