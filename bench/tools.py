#!/usr/bin/env python3
"""Small waits and probes that bench/run.sh needs, standard library only.

  tools.py sentinel-ready  --sentinels P1,P2,P3 --replicas 2 [--timeout S]
      until every Sentinel knows the master, its replicas and the other Sentinels
  tools.py haproxy-settled --stats-port P --up SERVER[,SERVER...] [--auth user:pass] [--timeout S]
      until HAProxy's stats show those servers UP and every other server of the backend DOWN
  tools.py route --port P [--password PW] [--role master|replica] [--ok N] [--timeout S]
      until N sessions in a row, each on a new connection through P, reach a node of that role: a write
      succeeds (master, the default), or ROLE answers slave (replica: a replica refuses writes)
  tools.py get-calls --ports P1,P2,... [--password PW]
      prints each node's GET count so far (INFO commandstats), space-separated, in the order given
  tools.py sentinel-events --port P --out FILE
      logs every Sentinel event as `<epoch seconds> <channel> <message>` until SIGTERM
  tools.py master-conns --port P [--password PW] --pid PID [--list FILE]
      prints `<held> <checks>`: the connections process PID holds on the Redis at P, apart from Ferry's
      own check connections (`checks`, told by their CLIENT SETNAME); --list saves CLIENT LIST
"""
import argparse
import base64
import os
import signal
import socket
import sys
import time
import urllib.request


class Resp:
    """A minimal RESP2 client: enough for AUTH, INCR, SENTINEL MASTER and PSUBSCRIBE."""

    def __init__(self, port, host="127.0.0.1", timeout=2.0, password=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.f = self.sock.makefile("rb")
        if password:
            self.call("AUTH", password)

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        kind, rest = line[:1], line[1:-2].decode(errors="replace")
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply " + repr(line))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def close(self):
        self.sock.close()


def sentinel_ready(a):
    deadline = time.monotonic() + a.timeout
    ports = [int(p) for p in a.sentinels.split(",")]
    others = len(ports) - 1
    state = {}
    while time.monotonic() < deadline:
        ready = 0
        for p in ports:
            try:
                c = Resp(p)
                m = c.call("SENTINEL", "MASTER", a.master)
                c.close()
                d = dict(zip(m[0::2], m[1::2]))
                state[p] = (d.get("num-slaves"), d.get("num-other-sentinels"), d.get("flags"))
                if int(d["num-slaves"]) >= a.replicas and int(d["num-other-sentinels"]) >= others \
                        and d.get("flags") == "master":
                    ready += 1
            except (OSError, RuntimeError, ConnectionError, KeyError) as e:
                state[p] = repr(e)
        if ready == len(ports):
            return 0
        time.sleep(0.2)
    print(f"sentinels not ready after {a.timeout}s: {state}", file=sys.stderr)
    return 1


def haproxy_settled(a):
    deadline = time.monotonic() + a.timeout
    req = urllib.request.Request(f"http://127.0.0.1:{a.stats_port}/stats;csv")
    req.add_header("Authorization", "Basic " + base64.b64encode(a.auth.encode()).decode())
    seen = None
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(req, timeout=2).read().decode()
            rows = [r.split(",") for r in text.splitlines() if r and not r.startswith("#")]
            servers = {r[1]: r[17] for r in rows if r[0] == a.backend and r[1] not in ("BACKEND", "FRONTEND")}
            seen = servers
            up = a.up.split(",")
            if all(servers.get(u, "").startswith("UP") for u in up) and all(
                    s.startswith("DOWN") for n, s in servers.items() if n not in up):
                return 0
        except OSError as e:
            seen = repr(e)
        time.sleep(0.2)
    print(f"haproxy did not settle on {a.up} in {a.timeout}s: {seen}", file=sys.stderr)
    return 1


def route(a):
    deadline = time.monotonic() + a.timeout
    streak, last = 0, None
    while time.monotonic() < deadline:
        try:
            c = Resp(a.port, timeout=1.0, password=a.password)
            if a.role == "master":
                c.call("INCR", "ferry:bench:probe")
            else:
                role = c.call("ROLE")[0]
                if role != "slave":
                    raise RuntimeError(f"ROLE says {role}")
            c.close()
            streak += 1
            if streak >= a.ok:
                return 0
        except (OSError, RuntimeError, ConnectionError) as e:
            streak, last = 0, repr(e)
            time.sleep(0.05)
        time.sleep(0.01)
    print(f"no stable route to a {a.role} through :{a.port} in {a.timeout}s (last error {last})", file=sys.stderr)
    return 1


def get_calls(a):
    """GETs each node has run (cmdstat_get calls): the replica step's deltas show which nodes served the reads."""
    counts = []
    for p in a.ports.split(","):
        c = Resp(int(p), timeout=5.0, password=a.password)
        text = c.call("INFO", "commandstats")
        c.close()
        calls = 0
        for line in text.splitlines():
            if line.startswith("cmdstat_get:"):
                calls = int(dict(kv.split("=", 1) for kv in line.split(":", 1)[1].split(","))["calls"])
        counts.append(str(calls))
    print(" ".join(counts))
    return 0


def sentinel_events(a):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(a.out, "a", buffering=1) as out:
        c = Resp(a.port, timeout=None)
        c.send("PSUBSCRIBE", "*")
        c.read()
        while True:
            msg = c.read()
            if isinstance(msg, list) and msg and msg[0] == "pmessage":
                out.write(f"{time.time():.4f} {msg[2]} {msg[3]}\n")


# The names Ferry's own connections give themselves (CLIENT SETNAME): src/main/java/dev/ferry/topology/NodeProbe.java
# (ferry-check, ferry-fence), Tripwire.java (ferry-tripwire), SentinelProbe.java (ferry-check) and
# failover/RedisAdmin.java (ferry-failover). They are not client traffic.
FERRY_CHECK_NAMES = {"ferry-check", "ferry-tripwire", "ferry-fence", "ferry-failover"}


def socket_ports(pid, remote_port):
    """Local ports of the TCP sockets that process `pid` holds, connected to `remote_port` on this host."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue  # closed meanwhile
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):  # a JVM's sockets are IPv6 ones with IPv4-mapped addresses
        try:
            lines = open(f"/proc/{pid}/net/{table}").read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 9 and int(f[2].rsplit(":", 1)[1], 16) == remote_port and f[9] in inodes:
                ports.add(int(f[1].rsplit(":", 1)[1], 16))
    return ports


def master_conns(a):
    c = Resp(a.port, timeout=30.0, password=a.password)
    own = c.call("CLIENT", "ID")
    text = c.call("CLIENT", "LIST")
    c.close()
    if a.list:
        with open(a.list, "w") as out:
            out.write(text)
    ports = socket_ports(a.pid, a.port)
    held = checks = 0
    for line in text.splitlines():
        e = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
        if not e or int(e.get("id", -1)) == own:
            continue
        if int(e.get("addr", ":0").rsplit(":", 1)[1]) not in ports:
            continue
        if e.get("name") in FERRY_CHECK_NAMES:
            checks += 1
        else:
            held += 1
    print(held, checks)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sentinel-ready")
    p.add_argument("--sentinels", required=True)
    p.add_argument("--master", default="mymaster")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--timeout", type=float, default=30)
    p = sub.add_parser("haproxy-settled")
    p.add_argument("--stats-port", type=int, required=True)
    p.add_argument("--backend", default="redis_cluster")
    p.add_argument("--up", required=True)
    p.add_argument("--auth", default="admin:oracle")
    p.add_argument("--timeout", type=float, default=30)
    p = sub.add_parser("route")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--password")
    p.add_argument("--role", choices=("master", "replica"), default="master")
    p.add_argument("--ok", type=int, default=20)
    p.add_argument("--timeout", type=float, default=30)
    p = sub.add_parser("sentinel-events")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("master-conns")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--password")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--list")
    p = sub.add_parser("get-calls")
    p.add_argument("--ports", required=True)
    p.add_argument("--password")
    a = ap.parse_args()
    return {"sentinel-ready": sentinel_ready, "haproxy-settled": haproxy_settled,
            "route": route, "sentinel-events": sentinel_events, "master-conns": master_conns,
            "get-calls": get_calls}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
