#!/usr/bin/env python3
"""Writes through a Redis endpoint every few milliseconds and records what a client lives through.

  writer.py --port P [--password PW] [--seconds S] [--interval-ms MS] [--timeout S]
            [--persistent] [--json FILE]

Each tick sends `INCR ferry:bench:counter`, after AUTH: on a new connection every tick (the
default, like a client that connects per request), or with --persistent on one long-lived
connection that is reopened only after a failure. It prints one line per change of outcome and a
summary at the end: ok, errors by kind, the longest run of failures in ms. With --json it also
writes every outcome as [epoch seconds, kind, latency ms], so failures can be lined up with other
events (a FAILOVER command, Sentinel's +switch-master) afterwards.

Outcome kinds: ok, err:<REDIS ERROR WORD> (e.g. err:READONLY), timeout, conn:<exception name>.
Standard library only.
"""
import argparse
import json
import signal
import socket
import sys
import time


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_line(f):
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    return line.rstrip(b"\r\n").decode(errors="replace")


class Stop(Exception):
    pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--password")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--interval-ms", type=float, default=10)
    ap.add_argument("--timeout", type=float, default=1.0, help="per connect and per reply, seconds")
    ap.add_argument("--persistent", action="store_true", help="one connection, reopened after a failure")
    ap.add_argument("--key", default="ferry:bench:counter")
    ap.add_argument("--json", help="write every outcome to this file")
    ap.add_argument("--quiet", action="store_true", help="only the summary line")
    a = ap.parse_args()

    def on_term(*_):
        raise Stop()
    signal.signal(signal.SIGTERM, on_term)

    def connect():
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(a.timeout)
        fh = s.makefile("rb")
        if a.password:
            s.sendall(command("AUTH", a.password))
            r = read_line(fh)
            if not r.startswith("+OK"):
                raise RuntimeError(r)
        return s, fh

    sock = f = None
    outcomes = []
    counts = {}
    last_kind, fail_start, longest_fail = None, None, 0.0
    start_wall, start = time.time(), time.monotonic()
    try:
        while time.monotonic() - start < a.seconds:
            t = time.monotonic()
            try:
                if sock is None:
                    sock, f = connect()
                sock.sendall(command("INCR", a.key))
                r = read_line(f)
                kind = "ok" if r.startswith(":") else "err:" + r.lstrip("-").split(" ")[0]
            except socket.timeout:
                kind = "timeout"
            except RuntimeError as e:
                kind = "err:" + str(e).lstrip("-").split(" ")[0][:30]
            except (ConnectionError, OSError) as e:
                kind = "conn:" + type(e).__name__
            latency_ms = (time.monotonic() - t) * 1000
            if (kind != "ok" or not a.persistent) and sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
                sock = f = None
            now_ms = (t - start) * 1000
            outcomes.append([round(start_wall + (t - start), 4), kind, round(latency_ms, 2)])
            counts[kind] = counts.get(kind, 0) + 1
            if kind != last_kind and not a.quiet:
                print(f"{now_ms:9.1f} ms  {kind}", flush=True)
            last_kind = kind
            if kind == "ok":
                if fail_start is not None:
                    longest_fail = max(longest_fail, now_ms - fail_start)
                    fail_start = None
            elif fail_start is None:
                fail_start = now_ms
            time.sleep(max(0.0, a.interval_ms / 1000 - (time.monotonic() - t)))
    except (Stop, KeyboardInterrupt):
        pass
    if fail_start is not None:
        longest_fail = max(longest_fail, (time.monotonic() - start) * 1000 - fail_start)
    errors = sum(v for k, v in counts.items() if k != "ok")
    print(f"summary: ok={counts.get('ok', 0)} errors={errors} kinds={counts} "
          f"longest_failure_ms={longest_fail:.0f}", flush=True)
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"port": a.port, "persistent": a.persistent, "interval_ms": a.interval_ms,
                       "timeout_s": a.timeout, "start": start_wall, "outcomes": outcomes}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
