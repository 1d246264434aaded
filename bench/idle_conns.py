#!/usr/bin/env python3
"""Opens N client connections to a Redis endpoint and holds them, to measure a proxy's memory per session.

  idle_conns.py --port P [--password PW] -n N [--ping-every S] [--stop-on-failure] [--until-stdin-closes]

Every connection sends AUTH (when a password is given) and PING and waits for both replies, so a
proxy really has a backend session for it. When all are open it prints `ready <open> <failed>`
and holds them until SIGTERM/SIGINT (or, with --until-stdin-closes, until stdin reaches EOF).
--ping-every S sends PING on every connection every S seconds, while opening and holding: the seed's HAProxy
closes sessions idle for longer than `timeout client 6s`, so a measurement that should see every
session open must keep them alive. Connections that the other side closes are reported as
`dropped <n>`; the last line is `closed <held> dropped <n>`. With --stop-on-failure it opens no more
connections once one has failed (a proxy at its limit of descriptors or connections), and holds the rest.
Standard library only. Needs `ulimit -n` above N.
"""
import argparse
import signal
import socket
import sys
import threading
import time


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_exact_lines(sock, count, timeout, deadline=None):
    """Reads `count` simple-string lines from sock; returns them, or raises on close/timeout."""
    buf = b""
    deadline = deadline or time.monotonic() + timeout
    while buf.count(b"\r\n") < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply")
        sock.settimeout(left)
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf.decode(errors="replace").split("\r\n")[:count]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password")
    ap.add_argument("-n", "--connections", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=250, help="connections opened before reading their replies")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--ping-every", type=float, default=0.0)
    ap.add_argument("--until-stdin-closes", action="store_true")
    ap.add_argument("--stop-on-failure", action="store_true")
    a = ap.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    hello = (command("AUTH", a.password) if a.password else b"") + command("PING")
    expected = 2 if a.password else 1
    socks, failed, first_error, dropped = [], 0, None, 0
    started = last_ping = time.monotonic()
    ping = command("PING")

    def ping_all(socks):
        """PING on every connection; returns those that answered, and how many did not."""
        alive, lost = [], 0
        for s in socks:
            try:
                s.sendall(ping)
                alive.append(s)
            except OSError:
                lost += 1
                s.close()
        answered = []
        deadline = time.monotonic() + a.timeout
        for s in alive:
            try:
                read_exact_lines(s, 1, a.timeout, deadline)
                answered.append(s)
            except (OSError, ConnectionError, TimeoutError):
                lost += 1
                s.close()
        return answered, lost

    for first in range(0, a.connections, a.batch):
        # Opening thousands takes a while on a busy machine: keep the first ones from idling out meanwhile.
        if a.ping_every > 0 and time.monotonic() - last_ping >= a.ping_every:
            socks, lost = ping_all(socks)
            dropped, last_ping = dropped + lost, time.monotonic()
        if stop.is_set() or (a.stop_on_failure and failed):
            break
        batch = []
        for _ in range(min(a.batch, a.connections - first)):
            if a.stop_on_failure and failed:
                break
            try:
                s = socket.create_connection((a.host, a.port), timeout=a.timeout)
                s.sendall(hello)
                batch.append(s)
            except OSError as e:
                failed += 1
                first_error = first_error or repr(e)
        # One deadline for the whole batch: connections a proxy never answers cost one timeout, not one each.
        deadline = time.monotonic() + a.timeout
        for s in batch:
            try:
                lines = read_exact_lines(s, expected, a.timeout, deadline)
                if lines[-1] != "+PONG" or (a.password and lines[0] != "+OK"):
                    raise ConnectionError("unexpected reply " + "|".join(lines))
                socks.append(s)
            except (OSError, ConnectionError, TimeoutError) as e:
                failed += 1
                first_error = first_error or repr(e)
                s.close()
    print(f"ready {len(socks)} {failed} in {time.monotonic() - started:.1f}s"
          + (f" first_error={first_error}" if first_error else ""), flush=True)

    if a.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

    reported = 0
    if dropped:
        print(f"dropped {dropped}", flush=True)
        reported = dropped
    while not stop.is_set():
        stop.wait(max(0.0, last_ping + a.ping_every - time.monotonic()) if a.ping_every > 0 else 3600)
        if stop.is_set() or a.ping_every <= 0:
            continue
        socks, lost = ping_all(socks)
        dropped, last_ping = dropped + lost, time.monotonic()
        if dropped != reported:
            print(f"dropped {dropped}", flush=True)
            reported = dropped
    held = len(socks)
    for s in socks:
        s.close()
    print(f"closed {held} dropped {dropped}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
