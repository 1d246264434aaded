package dev.ferry.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority the tests make for themselves: EC P-256 keys, PEM files (PKCS#8 keys) in a
 * directory, certificates naming 127.0.0.1 and localhost unless told otherwise, valid for a day unless
 * told otherwise (an expired one is a few lines away).
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    public static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");

    /** A certificate and its key on disk. */
    public record Issued(Path cert, Path key) {}

    private final Path dir;
    private final String name;
    private final KeyPair keys;
    private final X500Name subject;
    private final Path caFile;

    private TestCa(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.keys = newKeys();
        this.subject = new X500Name("CN=" + name);
        try {
            Files.createDirectories(dir);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            this.caFile = dir.resolve(name + "-ca.crt");
            write(caFile, pem(new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())))));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make test CA " + name, e);
        }
    }

    public static TestCa create(Path dir, String name) {
        return new TestCa(dir, name);
    }

    public Path caFile() {
        return caFile;
    }

    /** A certificate for {@code cn} naming 127.0.0.1 and localhost, valid from an hour ago for a day. */
    public Issued issue(String cn) {
        Instant now = Instant.now();
        return issue(cn, LOOPBACK, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), null);
    }

    /** A certificate for {@code cn} that expired an hour ago. */
    public Issued expired(String cn) {
        Instant now = Instant.now();
        return issue(cn, LOOPBACK, now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)), null);
    }

    /**
     * A certificate naming {@code names} (IP addresses or DNS names) valid between the two instants; its key
     * encrypted with {@code keyPassword} when not null.
     */
    public Issued issue(String cn, List<String> names, Instant notBefore, Instant notAfter, String keyPassword) {
        KeyPair k = newKeys();
        try {
            GeneralName[] sans = names.stream()
                    .map(n -> new GeneralName(n.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=" + cn), k.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            String file = cn + "-" + SERIAL.incrementAndGet();
            Issued issued = new Issued(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
            write(issued.cert(), pem(new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())))));
            OutputEncryptor encryptor = keyPassword == null ? null
                    : new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                    .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword(keyPassword.toCharArray()).build();
            write(issued.key(), pem(new JcaPKCS8Generator(k.getPrivate(), encryptor).generate()));
            return issued;
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate for " + cn + " from " + name, e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            if (o instanceof PemObject po) p.writeObject(po);
            else p.writeObject(o);
        }
        return w.toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
