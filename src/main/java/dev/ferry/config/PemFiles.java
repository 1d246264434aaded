package dev.ferry.config;

import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Date;

/**
 * Reads PEM certificates and private keys with Netty's own reader (the one the TLS layer uses) and
 * checks what a handshake would only find later: the key belongs to the certificate, the certificate
 * is in date, an encrypted key has its password. Every mistake is a {@link ConfigException} naming the
 * key; file contents and passwords never appear in a message.
 */
public final class PemFiles {
    private PemFiles() {}

    /** A private key and the certificate chain it belongs to, leaf first. */
    public record KeyAndChain(PrivateKey key, X509Certificate[] chain) {
        public X509Certificate leaf() {
            return chain[0];
        }
    }

    /** The certificate at {@code certAt} with the key at {@code keyAt}, checked to belong together and to be valid {@code now}. */
    public static KeyAndChain keyAndChain(String certAt, Path cert, String keyAt, Path key, String password, Instant now)
            throws ConfigException {
        X509Certificate[] chain = certificates(certAt, cert);
        PrivateKey privateKey = privateKey(keyAt, key, password);
        if (!belongTogether(privateKey, chain[0].getPublicKey())) {
            throw new ConfigException(keyAt + ": " + key + " is not the key of the certificate in " + certAt + " ("
                    + subject(chain[0]) + ")");
        }
        inDate(certAt, chain[0], now);
        return new KeyAndChain(privateKey, chain);
    }

    /** The certificates in a PEM file (a chain, or CA certificates to trust); at least one. */
    public static X509Certificate[] certificates(String at, Path file) throws ConfigException {
        byte[] pem = read(at, file);
        try {
            X509Certificate[] certs = Netty.certificates(pem);
            if (certs.length == 0) throw new ConfigException(at + ": " + file + " holds no PEM certificate");
            return certs;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(at + ": " + file + " holds no readable PEM certificate ('-----BEGIN CERTIFICATE-----')");
        }
    }

    /** Throws naming {@code at} when {@code cert} has expired or is not valid yet. */
    public static void inDate(String at, X509Certificate cert, Instant now) throws ConfigException {
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new ConfigException(at + ": the certificate " + subject(cert) + " expired on " + cert.getNotAfter().toInstant()
                    + "; install a renewed one");
        } catch (CertificateNotYetValidException e) {
            throw new ConfigException(at + ": the certificate " + subject(cert) + " is not valid before "
                    + cert.getNotBefore().toInstant() + " (is this host's clock right?)");
        }
    }

    public static String subject(X509Certificate cert) {
        return "'" + cert.getSubjectX500Principal().getName() + "'";
    }

    private static PrivateKey privateKey(String at, Path file, String password) throws ConfigException {
        byte[] pem = read(at, file);
        String text = new String(pem, StandardCharsets.US_ASCII);
        boolean encrypted = text.contains("ENCRYPTED PRIVATE KEY");
        if (encrypted && password == null) {
            throw new ConfigException(at + ": " + file + " is encrypted; set key-password");
        }
        if (!text.contains("-----BEGIN PRIVATE KEY-----") && !encrypted) {
            String pkcs1 = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? " It is in the older PKCS#1/SEC1 form; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8" : "";
            throw new ConfigException(at + ": " + file + " holds no PKCS#8 private key ('-----BEGIN PRIVATE KEY-----')." + pkcs1);
        }
        try {
            return asJdkKey(Netty.privateKey(pem, encrypted ? password : null));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new ConfigException(at + ": " + file + (encrypted ? ": key-password does not decrypt it" : ": not a readable private key"));
        }
    }

    /** Netty reads keys with BouncyCastle when it is on the class path; the JDK's own key object works with every provider. */
    private static PrivateKey asJdkKey(PrivateKey key) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    /** Signs with the private key and verifies with the certificate's public key: true only for a pair. */
    private static boolean belongTogether(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (!key.getAlgorithm().equals(certificateKey.getAlgorithm())) return false;
        if (algorithm == null) return true; // a key kind not signed with here: the handshake will tell
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(certificateKey);
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(String at, Path file) throws ConfigException {
        try {
            if (Files.isDirectory(file)) throw new ConfigException(at + ": " + file + " is a directory, not a PEM file");
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(at + ": " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(at + ": " + file + ": permission denied (Ferry runs as " + System.getProperty("user.name") + ")");
        } catch (IOException | SecurityException e) {
            throw new ConfigException(at + ": " + file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Netty's PEM reader (protected statics of SslContext), so keys are read exactly as the TLS layer reads them. */
    private abstract static class Netty extends SslContext {
        static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
            return toX509Certificates(new ByteArrayInputStream(pem));
        }

        static PrivateKey privateKey(byte[] pem, String password) throws GeneralSecurityException, IOException {
            return toPrivateKey(new ByteArrayInputStream(pem), password);
        }
    }
}
