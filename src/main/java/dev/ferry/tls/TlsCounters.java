package dev.ferry.tls;

import java.util.concurrent.atomic.LongAdder;

/** TLS outcomes on one side of a frontend (its client ports, or its connections to nodes or Sentinels), for the admin side. */
public final class TlsCounters {
    public final LongAdder handshakes = new LongAdder();
    /** Handshakes that failed: untrusted or missing certificate, wrong name, no common version or cipher, cut short. */
    public final LongAdder handshakeFailures = new LongAdder();
    /** Plaintext clients on a TLS port (answered with an error they can read). */
    public final LongAdder plaintextOnTlsPort = new LongAdder();
    /** TLS clients on a plaintext port (closed; they cannot read a plaintext error). */
    public final LongAdder tlsOnPlaintextPort = new LongAdder();
}
