#!/usr/bin/env python3
"""Turns the raw data of bench/run.sh into docs/BENCHMARKS.md and the throughput chart (SVG).

  report.py --raw DIR --report FILE.md --chart FILE.svg

DIR holds results.tsv (one measurement per line, tab-separated, first field its kind) and one
failover-<target>-<scenario>/ directory per failover run: writer.json, writer-persistent.json,
sentinel-events.log, event, the proxy's log. Standard library only.
"""
import argparse
import collections
import json
import os
import statistics
import sys

NAMES = {"direct": "direct", "haproxy": "HAProxy (seed)", "haproxy-tuned": "HAProxy (tuned)", "ferry": "Ferry",
         "ferry-alt": "Ferry (alt. JVM flags)"}
COLORS = {"direct": "#9e9e9e", "haproxy": "#d9822b", "haproxy-tuned": "#f2c14e", "ferry": "#2b6cb0",
          "ferry-alt": "#7fb3e6"}
ORDER = ["direct", "haproxy", "haproxy-tuned", "ferry", "ferry-alt"]
TESTS = [("1", "SET"), ("1", "GET"), ("16", "SET"), ("16", "GET")]
# Failures further apart than this belong to different episodes (e.g. FAILOVER TO, then Sentinel's own failover).
EPISODE_GAP_S = 3.0
MODE_TEXT = {"redis": "it parses RESP: a client session survives a change of master, a command refused with "
                      "`-READONLY` is sent again to the new master",
             "tcp": "it forwards bytes without parsing them; client sessions are cut at a change of master"}


def mode_text(mode, env):
    return f"`mode: {mode}` (`{env}`)" + (f": {MODE_TEXT[mode]}" if mode in MODE_TEXT else "")


def ferry_labels(meta):
    """The two Ferry processes' labels. When the run compares modes (FERRY_ALT_MODE) each names its mode;
    otherwise Ferry in the default mode stays "Ferry" (the smoke test looks for that row)."""
    mode, alt_mode, alt_opts = meta.get("ferry_mode", ""), meta.get("ferry_alt_mode", ""), meta.get("ferry_alt_java_opts", "")
    labels = {}
    if mode and (alt_mode or mode != "redis"):
        labels["ferry"] = f"Ferry (mode {mode})"
    if alt_mode:
        extra = ", alt. JVM flags" if alt_opts else (", second process" if alt_mode == mode else "")
        labels["ferry-alt"] = f"Ferry (mode {alt_mode}{extra})"
    return labels


def mode_run(meta):
    """True when ferry-alt is there to compare modes (FERRY_ALT_MODE), not only JVM flags."""
    return bool(meta.get("ferry_alt_mode"))


def noise(tput, targets):
    """Round-to-round spread of req/s: (median over target/test of (max-min)/median, the worst one), or None."""
    spreads = []
    for t in targets:
        for p, test in TESTS:
            v = [r["rps"] for r in tput if r["target"] == t and r["pipeline"] == p and r["test"] == test]
            if len(v) > 1 and statistics.median(v):
                spreads.append(((max(v) - min(v)) / statistics.median(v), t, p, test))
    if not spreads:
        return None
    spreads.sort()
    return statistics.median(x[0] for x in spreads), spreads[-1]


def load(raw):
    meta, tput, cpu, rss, idle, failover = {}, [], [], {}, {}, []
    with open(os.path.join(raw, "results.tsv")) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if r[0] == "meta":
                meta[r[1]] = r[2] if len(r) > 2 else ""
            elif r[0] == "tput":
                tput.append({"round": int(r[1]), "target": r[2], "pipeline": r[3], "test": r[4],
                             "rps": float(r[5]), "avg": float(r[6]), "p50": float(r[7]),
                             "p95": float(r[8]), "p99": float(r[9]), "max": float(r[10])})
            elif r[0] == "cpu":
                cpu.append({"round": int(r[1]), "target": r[2], "pipeline": r[3],
                            "seconds": float(r[4]), "requests": int(r[5])})
            elif r[0] == "rss":
                rss[(r[1], r[2])] = int(r[3]) if r[3].isdigit() else None
            elif r[0] == "idle":
                idle[r[1]] = {"requested": int(r[2]), "open": int(r[3]), "failed": int(r[4]),
                              "backend": int(r[5]), "dropped": r[6]}
            elif r[0] == "failover":
                failover.append((r[1], r[2], os.path.join(raw, r[3])))
    return meta, tput, cpu, rss, idle, failover


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_int(v):
    return "n/a" if v is None else f"{v:,.0f}"


def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def ratio(a, b):
    return None if a is None or not b else a / b


# ---------------------------------------------------------------- failover analysis
def analyze_failover(target, scenario, path):
    _, event = open(os.path.join(path, "event")).read().split()
    event = float(event)
    events = []
    ev_file = os.path.join(path, "sentinel-events.log")
    if os.path.exists(ev_file):
        for line in open(ev_file):
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) >= 2:
                events.append((float(parts[0]), parts[1], parts[2] if len(parts) > 2 else ""))
    switches = [t - event for t, ch, _ in events if ch == "+switch-master" and t >= event]
    out = {"target": target, "scenario": scenario, "switches": switches,
           "events": [(t - event, ch, msg) for t, ch, msg in events if t >= event - 1]}
    for name in ("writer", "writer-persistent"):
        fname = os.path.join(path, name + ".json")
        if os.path.exists(fname):
            out[name] = analyze_writes(json.load(open(fname))["outcomes"], event, switches)
    log = os.path.join(path, target + ".log")
    out["proxy_log"] = []
    if target in ("ferry", "ferry-alt") and os.path.exists(log):
        keep = (" WARN ", " ERROR ", "routing to", "waiting client", "is up: master", "sessions")
        out["proxy_log"] = [l.rstrip() for l in open(log, errors="replace") if any(k in l for k in keep)][:20]
    return out


def analyze_writes(outcomes, event, switches):
    """Failures after the event, grouped into episodes; times in seconds relative to the event.

    A failure counts from the start of the failed attempt; recovery from the moment the first
    successful write completed (a proxy that holds a write until a master exists answers late).
    """
    res = {"before_failed": sum(1 for t, k, _ in outcomes if t < event and k != "ok")}
    after = [(t - event, k, lat) for t, k, lat in outcomes if t >= event]
    done = lambda t, lat: t + lat / 1000
    res["attempts"] = len(after)
    res["failed"] = sum(1 for _, k, _ in after if k != "ok")
    res["kinds"] = dict(collections.Counter(k for _, k, _ in after if k != "ok"))
    ok_lat = [lat for _, k, lat in after if k == "ok"]
    res["slowest_ok_ms"] = max(ok_lat) if ok_lat else None
    # Longest run of failures, from the first failed attempt to the next successful one (as the anchor's writer).
    longest, run_start = 0.0, None
    for t, k, lat in after:
        if k != "ok" and run_start is None:
            run_start = t
        elif k == "ok" and run_start is not None:
            longest, run_start = max(longest, done(t, lat) - run_start), None
    if run_start is not None and after:
        longest = max(longest, after[-1][0] - run_start)
    res["longest_ms"] = longest * 1000
    episodes = []
    for i, (t, k, _) in enumerate(after):
        if k == "ok":
            continue
        if not episodes or t - episodes[-1]["last_fail"] > EPISODE_GAP_S:
            episodes.append({"start": t, "last_fail": t, "failed": 0, "kinds": collections.Counter(),
                             "first_ok": None, "end": None})
        e = episodes[-1]
        e["last_fail"], e["failed"] = t, e["failed"] + 1
        e["kinds"][k] += 1
    for e in episodes:
        e["first_ok"] = next((done(t, lat) for t, k, lat in after if k == "ok" and t > e["start"]), None)
        e["end"] = next((done(t, lat) for t, k, lat in after if k == "ok" and t > e["last_fail"]), None)
        e["kinds"] = dict(e["kinds"])
    res["episodes"] = episodes
    # Per +switch-master: failed writes within 10 s before to 15 s after it, and when writes work again.
    res["per_switch"] = []
    for s in switches:
        near = [e for e in episodes if e["last_fail"] >= s - 10 and e["start"] <= s + 15]
        failed = sum(e["failed"] for e in near)
        first_ok = near[0]["first_ok"] if near else None
        end = near[-1]["end"] if near else None
        res["per_switch"].append({"at": s, "failed": failed, "first_ok": first_ok, "end": end})
    return res


def episodes_text(w):
    if not w["episodes"]:
        return "none"
    parts = []
    for e in w["episodes"]:
        end = f"{e['end']:.1f}" if e["end"] is not None else "end"
        parts.append(f"{e['start']:.1f}-{end} s ({e['failed']})")
    return "; ".join(parts)


def kinds_text(kinds):
    return ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])) or "-"


# ---------------------------------------------------------------- chart
def chart(path, tp, targets):
    """Two panels (-P 1, -P 16), each with SET and GET groups of bars, one bar per target."""
    width, height = 920, 430
    top, bottom, left_pad = 70, 60, 70
    panel_w = (width - 2 * left_pad) / 2
    plot_h = height - top - bottom
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
           'redis-benchmark -c 50: median requests per second, same machine, loopback</text>']
    lx = left_pad
    for t in targets:
        svg.append(f'<rect x="{lx}" y="38" width="12" height="12" fill="{COLORS[t]}"/>')
        svg.append(f'<text x="{lx + 16}" y="48">{esc(NAMES[t])}</text>')
        lx += 30 + 7.5 * len(NAMES[t])
    for pi, pipe in enumerate(["1", "16"]):
        x0 = left_pad + pi * (panel_w + 20)
        vals = [tp.get((t, pipe, test)) for t in targets for test in ("SET", "GET")]
        vmax = max([v for v in vals if v] or [1])
        step = nice_step(vmax / 5)
        ymax = step * (int(vmax / step) + 1)
        for g in range(int(ymax / step) + 1):
            y = top + plot_h - plot_h * g * step / ymax
            svg.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w - 20}" y2="{y:.1f}" stroke="#e0e0e0"/>')
            svg.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{g * step / 1000:,.0f}k</text>')
        svg.append(f'<text x="{x0 + (panel_w - 20) / 2}" y="{height - 18}" text-anchor="middle" '
                   f'font-weight="bold">-P {pipe}{" (no pipelining)" if pipe == "1" else " (pipelined)"}</text>')
        group_w = (panel_w - 20) / 2
        bar_w = min(40, (group_w - 30) / len(targets))
        for gi, test in enumerate(("SET", "GET")):
            gx = x0 + gi * group_w + (group_w - bar_w * len(targets)) / 2
            for bi, t in enumerate(targets):
                v = tp.get((t, pipe, test))
                if v is None:
                    continue
                h = plot_h * v / ymax
                x, y = gx + bi * bar_w, top + plot_h - h
                svg.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 3:.1f}" height="{h:.1f}" fill="{COLORS[t]}">'
                           f'<title>{esc(NAMES[t])} {test} -P {pipe}: {v:,.0f} req/s</title></rect>')
                svg.append(f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="10">'
                           f'{v / 1000:,.0f}k</text>')
            svg.append(f'<text x="{gx + bar_w * len(targets) / 2:.1f}" y="{top + plot_h + 16}" '
                       f'text-anchor="middle">{test}</text>')
        svg.append(f'<line x1="{x0}" y1="{top + plot_h}" x2="{x0 + panel_w - 20}" y2="{top + plot_h}" stroke="#333"/>')
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def nice_step(x):
    mag = 10 ** (len(str(int(max(x, 1)))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if x <= m * mag:
            return m * mag
    return 10 * mag


# ---------------------------------------------------------------- report
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--chart", required=True)
    a = ap.parse_args()
    meta, tput, cpu, rss, idle, failover = load(a.raw)
    NAMES.update(ferry_labels(meta))
    targets = [t for t in ORDER if any(r["target"] == t for r in tput)]
    proxies = [t for t in targets if t != "direct"]
    rounds = sorted({r["round"] for r in tput})

    def pick(t, pipe, test, field):
        return med([r[field] for r in tput if r["target"] == t and r["pipeline"] == pipe and r["test"] == test])

    tp = {(t, p, test): pick(t, p, test, "rps") for t in targets for p, test in TESTS}
    lat = {(t, p, test, f): pick(t, p, test, f) for t in targets for p, test in TESTS for f in ("p50", "p99")}
    cpu_pm = {(t, p): med([c["seconds"] / c["requests"] * 1e6 for c in cpu if c["target"] == t and c["pipeline"] == p])
              for t in proxies for p in ("1", "16")}
    fo = [analyze_failover(t, s, p) for t, s, p in failover]

    L = []
    w = L.append
    smoke = meta.get("mode") == "smoke"
    w("# Benchmarks: Ferry, the seed's HAProxy and no proxy")
    w("")
    if smoke:
        w("**Smoke run** (`bench/run.sh --smoke`): tiny request counts, one round; it checks that every step "
          "works, the figures mean nothing. The real figures are in `docs/BENCHMARKS.md`.")
        w("")
    w(f"Measured {meta.get('date')} with `{meta.get('invocation', 'bench/run.sh')}` on one machine, everything on "
      "loopback (load average before the run: " + meta.get("loadavg", "not recorded") + "). Measure again with "
      "`bench/run.sh` (about 10 minutes); it leaves its raw data in `target/bench/raw/`, from which "
      "`python3 bench/report.py --raw target/bench/raw --report docs/BENCHMARKS.md --chart docs/bench-throughput.svg` "
      "rewrites this page.")
    w("")
    w("## Machine and versions")
    w("| | |")
    w("|---|---|")
    for k, label in (("nproc", "CPUs (`nproc`)"), ("cpu", "CPU model"), ("memory", "memory"), ("kernel", "kernel"),
                     ("redis", "redis-server / redis-sentinel / redis-benchmark"), ("haproxy", "HAProxy"),
                     ("java", "Java"), ("ferry", "Ferry build"), ("ferry_java_opts", "`FERRY_JAVA_OPTS`"),
                     ("ferry_mode", "`FERRY_MODE` (Ferry's `mode:`)"), ("ferry_alt_mode", "`FERRY_ALT_MODE`"),
                     ("ferry_alt_java_opts", "`FERRY_ALT_JAVA_OPTS`"),
                     ("python", "Python (writer, idle sessions)"), ("nofile", "`ulimit -n`")):
        if k in ("ferry_mode", "ferry_alt_mode", "ferry_alt_java_opts") and not meta.get(k):
            continue  # not recorded (older raw data), or no second Ferry
        w(f"| {label} | {meta.get(k, '?')} |")
    w("")
    w("## What runs")
    w(f"- A Redis group: 3 `redis-server` with `requirepass` (one master, two replicas, no persistence, "
      f"`maxclients 30000`), 3 Sentinels (quorum 2, `down-after-milliseconds {meta.get('down_after_ms')}`, "
      "`failover-timeout 180000`).")
    w("- **HAProxy (seed)**: the seed document's configuration verbatim (`tcp-check` AUTH, PING, `info replication`, "
      "`expect string role:master`, QUIT; `check inter 3s`; timeouts connect 3s, server 6s, client 6s; "
      "its `listen stats`), plus `maxconn` "
      f"{meta.get('haproxy_maxconn')} (global and frontend) for the idle-session test.")
    if "haproxy-tuned" in targets or any(f["target"] == "haproxy-tuned" for f in fo):
        w("- **HAProxy (tuned)**: today's best-practice checks for this job (as in valkey-io/valkey-helm): "
          "`default-server check inter 1s fall 1 rise 1 on-marked-down shutdown-sessions`, `balance first`, "
          "`timeout check 1s`; otherwise the same.")
    mode = meta.get("ferry_mode")
    w(f"- **{NAMES['ferry']}**: `ferry run` with one frontend naming the three Sentinels and `mymaster`, "
      "`check: { interval: 1s, timeout: 500ms }`; JVM flags: "
      f"{meta.get('ferry_java_opts')}" + (f"; {mode_text(mode, 'FERRY_MODE')}." if mode else "."))
    if "ferry-alt" in targets or any(f["target"] == "ferry-alt" for f in fo):
        alt_opts = meta.get("ferry_alt_java_opts")
        if mode_run(meta):
            alt_mode = meta.get("ferry_alt_mode")
            w(f"- **{NAMES['ferry-alt']}**: the same Ferry build and configuration in a second process; JVM flags: "
              + (f"`{alt_opts}` (`FERRY_ALT_JAVA_OPTS`)" if alt_opts else "the same as Ferry's")
              + f"; {mode_text(alt_mode, 'FERRY_ALT_MODE')}.")
        else:
            w(f"- **{NAMES['ferry-alt']}**: the same Ferry" + (" in the same mode" if mode else "")
              + f", a second process, started with `{alt_opts}` (`FERRY_ALT_JAVA_OPTS`).")
    w("- **direct**: `redis-benchmark` against the master itself.")
    w("")
    w("Commands:")
    w("```")
    w(meta.get("bench_cmd", ""))
    w(f"  -n {meta.get('n_p1')} at -P 1, -n {meta.get('n_p16')} at -P 16; {meta.get('rounds')} round(s), "
      "targets in rotating order each round, "
      + ("no warm-up run" if meta.get("warmup") == "0" else "after one unrecorded warm-up run per target"))
    w("CPU:    utime+stime of the proxy process (/proc/PID/stat, all threads) before and after each run")
    w("Memory: VmRSS of the proxy process (/proc/PID/status)")
    w(f"Idle:   bench/idle_conns.py -n {meta.get('idle')} (AUTH + PING on each connection, PING every 2 s while held)")
    w("Writes: bench/writer.py: INCR every 10 ms, 1 s timeout; new connection per write, and a second one "
      "on a persistent connection")
    w("```")
    w("")
    w(f"The machine has {meta.get('nproc')} CPUs: redis-server, redis-benchmark and the proxy compete for them, so a "
      "proxy's throughput here is bounded by the CPU it takes from the other two. CPU seconds per million "
      "requests is the cleaner figure of a proxy's own cost.")
    w("")

    # -------------------------------------------------- throughput
    w("## Throughput (median requests per second)")
    w("| target | SET -P 1 | GET -P 1 | SET -P 16 | GET -P 16 |")
    w("|---|---|---|---|---|")
    for t in targets:
        w(f"| {NAMES[t]} | " + " | ".join(fmt_int(tp[(t, p, test)]) for p, test in TESTS) + " |")
    w("")
    w("![requests per second](bench-throughput.svg)")
    w("")
    w("## Latency (median over rounds of redis-benchmark's p50 / p99, ms)")
    w("| target | SET -P 1 | GET -P 1 | SET -P 16 | GET -P 16 |")
    w("|---|---|---|---|---|")
    for t in targets:
        w(f"| {NAMES[t]} | " + " | ".join(
            f"{fmt(lat[(t, p, test, 'p50')], 3)} / {fmt(lat[(t, p, test, 'p99')], 3)}" for p, test in TESTS) + " |")
    w("")
    w("## Ratios (of median req/s)")
    cols = []
    if "ferry" in targets and "haproxy" in targets:
        cols.append((f"{NAMES['ferry']} / HAProxy (seed)", "ferry", "haproxy"))
    if "ferry" in targets and "haproxy-tuned" in targets:
        cols.append((f"{NAMES['ferry']} / HAProxy (tuned)", "ferry", "haproxy-tuned"))
    if "ferry" in targets:
        cols.append((f"{NAMES['ferry']} / direct", "ferry", "direct"))
    if "ferry" in targets and "ferry-alt" in targets:
        cols.append((f"{NAMES['ferry-alt']} / {NAMES['ferry']}", "ferry-alt", "ferry"))
    if "haproxy" in targets:
        cols.append(("HAProxy (seed) / direct", "haproxy", "direct"))
    w("| pipeline | command | " + " | ".join(c[0] for c in cols) + " |")
    w("|---|---|" + "---|" * len(cols))
    for p, test in TESTS:
        w(f"| -P {p} | {test} | " + " | ".join(fmt(ratio(tp[(x, p, test)], tp[(y, p, test)])) for _, x, y in cols) + " |")
    w("")
    if len(rounds) > 1:
        w("<details><summary>Every round</summary>")
        w("")
        w("| round | target | pipeline | command | req/s | p50 ms | p99 ms |")
        w("|---|---|---|---|---|---|---|")
        for r in sorted(tput, key=lambda r: (r["pipeline"], r["test"], ORDER.index(r["target"]), r["round"])):
            w(f"| {r['round']} | {NAMES[r['target']]} | -P {r['pipeline']} | {r['test']} | {fmt_int(r['rps'])} | "
              f"{r['p50']:.3f} | {r['p99']:.3f} |")
        w("")
        w("</details>")
        w("")

    # -------------------------------------------------- CPU, memory
    w("## Proxy CPU (median CPU seconds per million requests, SET+GET)")
    w("| proxy | -P 1 | -P 16 |")
    w("|---|---|---|")
    for t in proxies:
        w(f"| {NAMES[t]} | {fmt(cpu_pm[(t, '1')])} | {fmt(cpu_pm[(t, '16')])} |")
    w("")
    w("## Proxy memory (RSS)")
    n_idle = meta.get("idle")
    note = ""
    if meta.get("idle") != meta.get("idle_requested"):
        note = (f" ({meta.get('idle_requested')} requested; `ulimit -n` is {meta.get('nofile')} here and cannot be raised, "
                f"so a proxy can hold about {meta.get('idle')} client+backend pairs)")
    w(f"Idle sessions: {n_idle}{note}.")
    w("")
    w(f"| proxy | idle, fresh | after the load | holding {n_idle} sessions | per session | sessions open / failed | "
      "master's extra clients | dropped while held |")
    w("|---|---|---|---|---|---|---|---|")
    for t in proxies:
        i = idle.get(t)
        base, held = rss.get((t, "after-load")), rss.get((t, "idle-sessions"))
        per = ratio((held - base) if held is not None and base is not None else None, i["open"] if i else None)
        w(f"| {NAMES[t]} | {mib(rss.get((t, 'idle')))} | {mib(base)} | {mib(held)} | "
          f"{'n/a' if per is None else f'{per:.1f} kB'} | "
          f"{(str(i['open']) + ' / ' + str(i['failed'])) if i else 'n/a'} | {i['backend'] if i else 'n/a'} | "
          f"{i['dropped'] if i else 'n/a'} |")
    w("")

    # -------------------------------------------------- failover
    if fo:
        write_failover(w, fo, meta)

    # -------------------------------------------------- meaning
    w("## What this means")
    for line in meaning(tp, lat, cpu_pm, rss, idle, fo, targets, meta, tput):
        w(f"- {line}")
    w("")
    short = shortfalls(tp, rss, fo, targets, meta, tput)
    if short:
        w("### Where Ferry falls short")
        for line in short:
            w(f"- {line}")
        w("")
    w("## Profile of Ferry's data path (an earlier measurement by hand, not part of this run)")
    for line in PROFILE:
        w(line)
    w("")
    with open(a.report, "w") as f:
        f.write("\n".join(L))
    chart(a.chart, tp, targets)
    return 0


# Measured by hand with JFR (settings=profile) during redis-benchmark -P 1 through Ferry; kept here so
# the report says what profiling found, and which candidate changes were tried, beside the figures.
PROFILE = [
    "Not measured by this run: a JFR profile taken by hand on 2026-11-26, before `mode: redis` existed, so of the "
    "byte-forwarding data path (today's `mode: tcp`); `mode: redis` also scans every command and reply, which this "
    "profile does not cover. Its figures are that session's, not this run's.",
    "",
    "JFR during `redis-benchmark -c 50 -P 1` through Ferry (2026-11-26): of the event loop threads' samples, "
    "2,119 were in native code (epoll_wait, read, write) and 101 in Java. The data path already hands each "
    "read buffer to the other socket without copying (`write` with a void promise, one `flush` per read burst, "
    "both channels on one event loop), so a proxy's cost here is its system calls, as for HAProxy.",
    "",
    "The Java samples: Netty's allocator queues (`MpmcArrayQueue`, `AdaptivePoolingAllocator`), "
    "`findContextOutbound`, buffer leak tracking (`ResourceLeakDetector` trace records, sampled on 1% of buffers) "
    "and two `LongAdder.add` per buffer for the statistics. Candidate changes, each measured as CPU seconds per "
    "million requests over alternating runs: `-Dio.netty.leakDetection.level=disabled` (12.65 vs 12.65, no "
    "difference) and the classic pooled allocator `-Dio.netty.allocator.type=pooled` (six pairs, medians 10.9 vs "
    "12.0 but the order flipped with the run order: within noise). Neither was adopted. The one change that "
    "measured clearly is the JVM's collector and heap (`-XX:+UseSerialGC -Xms16m`): the same throughput and "
    "less than half the RSS with idle sessions; the launchers use it by default.",
    "",
    "`mode: redis`, profiled by hand the same day (JFR at 1 ms during `redis-benchmark -t get -c 50 -P 16` "
    "through a Ferry in each mode beside each other on the seed topology; CPU seconds per million requests "
    "from /proc, alternating runs, noisy): the first version of the scanners cost 1.5-1.8 s against 0.9-1.3 s "
    "for `mode: tcp`, most of it in reading each command's header byte by byte (`ByteBuf.getByte`, with its "
    "bounds and reference-count checks per byte). Parsing whole commands and simple replies straight through "
    "a copied window, reusing the last command name's classification, keeping the journal without slice "
    "objects and handing whole node bursts on without an extra reference brought it to about 0.85-1.1 s "
    "against 0.65-0.95 s (the figures in the tables above are this run's). What remains is the scanning itself "
    "and the reference-count check of each window copy.",
]


def shortfalls(tp, rss, fo, targets, meta, tput=()):
    """Ferry's weak spots in these figures, stated plainly."""
    out = []
    if "ferry" not in targets or "haproxy" not in targets:
        return out
    mf, mh = rss.get(("ferry", "idle")), rss.get(("haproxy", "idle"))
    hf, hh = rss.get(("ferry", "idle-sessions")), rss.get(("haproxy", "idle-sessions"))
    if mf and mh and mf > 2 * mh:
        s = (f"**Memory.** Idle, {NAMES['ferry']} (a JVM) takes {mf / mh:.0f}× HAProxy's RSS "
             f"({mf / 1024:.0f} vs {mh / 1024:.0f} MiB)")
        if hf and hh:
            s += f"; holding {meta.get('idle')} sessions {hf / hh:.1f}× ({hf / 1024:.0f} vs {hh / 1024:.0f} MiB)"
        af = rss.get(("ferry-alt", "idle-sessions"))
        if af and mode_run(meta):
            s += f"; {NAMES['ferry-alt']} holds them in {af / 1024:.0f} MiB"
        elif af:
            ra = [r for r in (ratio(tp.get(("ferry-alt", p, t)), tp.get(("ferry", p, t))) for p, t in TESTS) if r]
            s += f". With `{meta.get('ferry_alt_java_opts')}` the latter is {af / 1024:.0f} MiB"
            if ra:
                s += f", at {min(ra):.2f}-{max(ra):.2f}× the req/s of Ferry's default flags"
        out.append(s + ". Next to a Redis node holding gigabytes this is small change; in a small sidecar or on a "
                   "tiny VM it is the clearest cost of a JVM.")
    slower = [(p, t, tp[("ferry", p, t)] / tp[("haproxy", p, t)]) for p, t in TESTS
              if tp.get(("ferry", p, t)) and tp.get(("haproxy", p, t)) and tp[("ferry", p, t)] < 0.95 * tp[("haproxy", p, t)]]
    if slower:
        nz = noise(tput, targets)
        out.append(f"**Throughput.** {NAMES['ferry']} below HAProxy (seed) in "
                   + ", ".join(f"{t} -P {p} ({r:.2f}×)" for p, t, r in slower)
                   + (f"; the same target's req/s moved by {nz[0]:.0%} from round to round here (median), so a "
                      "gap smaller than that may be noise, but it is not better" if nz else
                      "; a single round gives no measure of noise")
                   + ".")
    if meta.get("warmup") != "0":
        out.append("**Cold start.** A JVM is slow until its JIT has compiled the data path: the smoke run (no warm-up, "
                   "a few thousand requests) shows it (earlier smoke runs saw a fraction of these figures and p99 in "
                   "the tens of ms). A freshly restarted Ferry pays that for its first seconds of load; HAProxy does not.")
    by = {(f["target"], f["scenario"]): f for f in fo}
    fk, hk = by.get(("ferry", "kill9")), by.get(("haproxy-tuned", "kill9"))
    if fk and fk.get("writer"):
        wf = fk["writer"]
        s = ("**Crashes.** After `kill -9` no proxy can route before Sentinel (or its own checks) finds a new master: "
             f"Ferry had no successful write for {wf['longest_ms'] / 1000:.1f} s")
        if hk and hk.get("writer"):
            s += f", tuned HAProxy {hk['writer']['longest_ms'] / 1000:.1f} s"
        s += f", with Sentinel's `down-after-milliseconds` at {meta.get('down_after_ms')} ms. "
        if "timeout" in wf["kinds"]:
            held = ("lets commands wait while it has no master (up to `wait-for-master`, 5 s by default, then "
                    "`-MASTERDOWN`)" if meta.get("ferry_mode") == "redis" else
                    "holds new connections while it has no master (up to `wait-for-master`, 5 s by default)")
            s += (f"Ferry {held}, so a client sees a slow request or its own timeout rather than a refused "
                  "connection; a client with a short timeout and no retry gets errors either way.")
        out.append(s)
    return out


def mib(kb):
    return "n/a" if kb is None else f"{kb / 1024:,.1f} MiB"


def write_failover(w, fo, meta):
    w("## Failover: what a client writing every 10 ms lives through")
    w(f"Each row is a freshly started group and proxy. Writers start {meta.get('pre_s')} s before the event; times are "
      "seconds after the event. \"failed\" counts writes that got an error, a refused or reset connection, or no "
      "reply within 1 s; New-connection writer unless marked persistent. The count depends on how fast each "
      "failure comes back: a refused connection fails in microseconds and the writer tries again 10 ms later, "
      "a write held by the proxy fails only after the 1 s timeout. Compare the **longest failure** (from the "
      "start of the first failed write to the completion of the next successful one): it is how long the "
      "application could not write.")
    w("")
    fto = [f for f in fo if f["scenario"] == "failover-to"]
    if fto:
        w(f"### `FAILOVER TO` the replica redis1, on the master (writers run {meta.get('post_failover_to_s')} s after it)")
        sws = [s for f in fto for s in f["switches"]]
        w("Sentinel publishes no `+switch-master` for this: it contradicts the nodes until it fails over again, to a "
          "replica it picks (`+switch-master` below is that second failover"
          + (f"; here {min(sws):.0f}-{max(sws):.0f} s after the command" if sws else "; none within this run")
          + "). So the first window is measured from the `FAILOVER` command.")
        w("")
        w("| proxy | failed writes | longest failure | writes fail until (from the command) | failure episodes "
          "(s after the command, failed) | Sentinel's `+switch-master` at | failed around it / ok again after it | "
          "persistent writer: failed, longest | slowest ok write | error kinds |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for f in fto:
            wr, wp = f.get("writer"), f.get("writer-persistent")
            if not wr:
                continue
            first = wr["episodes"][0] if wr["episodes"] and wr["episodes"][0]["start"] < 15 else None
            until = "no failure" if first is None else (f"{first['end']:.2f} s" if first["end"] is not None else "never")
            sw = "; ".join(f"{s['at']:.1f} s" for s in wr["per_switch"]) or "none in the window"
            around = "; ".join(f"{s['failed']} / " + (f"{(s['end'] - s['at']) * 1000:+.0f} ms" if s["end"] is not None
                               else ("never" if s["failed"] else "-")) for s in wr["per_switch"]) or "-"
            w(f"| {NAMES[f['target']]} | {wr['failed']} of {wr['attempts']} | {wr['longest_ms']:,.0f} ms | {until} | "
              f"{episodes_text(wr)} | {sw} | {around} | "
              f"{(str(wp['failed']) + ', ' + format(wp['longest_ms'], ',.0f') + ' ms') if wp else 'n/a'} | "
              f"{fmt_int(wr['slowest_ok_ms'])} ms | {kinds_text(wr['kinds'])} |")
        w("")
    kill = [f for f in fo if f["scenario"] == "kill9"]
    if kill:
        w(f"### `kill -9` of the master (writers run {meta.get('post_kill_s')} s after it)")
        w("")
        w("| proxy | failed writes | longest failure | first ok write after the kill | Sentinel's `+switch-master` at | "
          "first ok write − `+switch-master` | persistent writer: failed, longest | slowest ok write | error kinds |")
        w("|---|---|---|---|---|---|---|---|---|")
        for f in kill:
            wr, wp = f.get("writer"), f.get("writer-persistent")
            if not wr:
                continue
            first = wr["episodes"][0] if wr["episodes"] else None
            first_ok = first["first_ok"] if first else None
            sw = f["switches"][0] if f["switches"] else None
            delta = (f"{(first_ok - sw) * 1000:+,.0f} ms" if first_ok is not None and sw is not None else "n/a")
            w(f"| {NAMES[f['target']]} | {wr['failed']} of {wr['attempts']} | {wr['longest_ms']:,.0f} ms | "
              f"{'n/a' if first_ok is None else f'{first_ok:.2f} s'} | {'none' if sw is None else f'{sw:.2f} s'} | "
              f"{delta} | "
              f"{(str(wp['failed']) + ', ' + format(wp['longest_ms'], ',.0f') + ' ms') if wp else 'n/a'} | "
              f"{fmt_int(wr['slowest_ok_ms'])} ms | {kinds_text(wr['kinds'])} |")
        w("")
    logs = [f for f in fo if f["proxy_log"]]
    if logs:
        w("<details><summary>Ferry's log lines during these runs</summary>")
        w("")
        for f in logs:
            w(f"{NAMES[f['target']]}, {f['scenario']}:")
            w("```")
            for line in f["proxy_log"]:
                w(line)
            w("```")
        w("")
        w("</details>")
        w("")
    w("<details><summary>Sentinel events after each event (s)</summary>")
    w("")
    for f in fo:
        interesting = [e for e in f["events"] if e[1] in ("+sdown", "+odown", "+try-failover", "+selected-slave",
                                                          "+promoted-slave", "+switch-master", "+failover-end",
                                                          "-failover-abort-not-elected", "+convert-to-slave")]
        w(f"- {NAMES[f['target']]}, {f['scenario']}: " + (", ".join(
            f"{ch} {t:.1f}" + (f" ({msg.split(' ')[0]} {msg.split(' ')[1]})" if ch in ("+sdown", "+convert-to-slave") and len(msg.split(' ')) > 1 else "")
            for t, ch, msg in interesting[:12]) or "none"))
    w("")
    w("</details>")
    w("")


def meaning(tp, lat, cpu_pm, rss, idle, fo, targets, meta, tput=()):
    out = []
    if meta.get("mode") == "smoke":
        out.append("Smoke run: the numbers only show that every step runs.")
    if "ferry" in targets and "haproxy" in targets:
        for pipe in ("1", "16"):
            parts = []
            for test in ("SET", "GET"):
                rh = ratio(tp[("ferry", pipe, test)], tp[("haproxy", pipe, test)])
                rd = ratio(tp[("ferry", pipe, test)], tp[("direct", pipe, test)])
                if rh is None or rd is None:
                    continue
                verdict = "slower than" if rh < 0.95 else "faster than" if rh > 1.05 else "on par with"
                parts.append(f"{test} {verdict} HAProxy ({rh:.2f}× its req/s; {rd:.2f}× of no proxy)")
            if parts:
                out.append(f"-P {pipe}: {NAMES['ferry']} " + ", ".join(parts) + ".")
        nz = noise(tput, targets)
        if nz:
            typical, worst = nz
            out.append(f"Noise: from round to round the same target's req/s moved by {typical:.0%} (median of "
                       f"(max−min)/median), up to {worst[0]:.0%} ({NAMES[worst[1]]} {worst[3]} -P {worst[2]}); "
                       f"{meta.get('nproc', '?')} CPUs shared by server, client and proxy (and whatever else runs) "
                       "make differences between the proxies smaller than that noise, not a result.")
        p50f, p50h = lat.get(("ferry", "1", "GET", "p50")), lat.get(("haproxy", "1", "GET", "p50"))
        if p50f and p50h:
            out.append(f"Median GET latency at -P 1: {NAMES['ferry']} {p50f:.3f} ms, HAProxy {p50h:.3f} ms, direct "
                       f"{fmt(lat.get(('direct', '1', 'GET', 'p50')), 3)} ms.")
        for pipe in ("1", "16"):
            cf, ch = cpu_pm.get(("ferry", pipe)), cpu_pm.get(("haproxy", pipe))
            if cf and ch:
                out.append(f"CPU per million requests at -P {pipe}: {NAMES['ferry']} {cf:.2f} s, HAProxy {ch:.2f} s "
                           f"({cf / ch:.1f}× HAProxy's).")
        mf, mh = rss.get(("ferry", "idle")), rss.get(("haproxy", "idle"))
        hf, hh = rss.get(("ferry", "idle-sessions")), rss.get(("haproxy", "idle-sessions"))
        if mf and mh:
            s = f"Memory: {NAMES['ferry']} idles at {mf / 1024:.0f} MiB (a JVM), HAProxy at {mh / 1024:.0f} MiB"
            if hf and hh:
                s += (f"; holding {meta.get('idle')} sessions {NAMES['ferry']} uses {hf / 1024:.0f} MiB, HAProxy "
                      f"{hh / 1024:.0f} MiB")
            out.append(s + ".")
    if "ferry-alt" in targets and "ferry" in targets:
        ra = [(p, t, ratio(tp[("ferry-alt", p, t)], tp[("ferry", p, t)])) for p, t in TESTS]
        ra = [x for x in ra if x[2]]
        if mode_run(meta):
            s = f"{NAMES['ferry-alt']} beside {NAMES['ferry']} (same build"
            s += ", other JVM flags)" if meta.get("ferry_alt_java_opts") else " and JVM flags)"
            if ra:
                s += ": req/s " + ", ".join(f"{t} -P {p} {r:.2f}×" for p, t, r in ra)
            cpus = [(pipe, cpu_pm.get(("ferry-alt", pipe)), cpu_pm.get(("ferry", pipe))) for pipe in ("1", "16")]
            cpus = [(pipe, ca, cf) for pipe, ca, cf in cpus if ca and cf]
            if cpus:
                s += "; CPU seconds per million requests " + ", ".join(
                    f"{ca:.2f} instead of {cf:.2f} at -P {pipe}" for pipe, ca, cf in cpus)
        else:
            s = f"With `{meta.get('ferry_alt_java_opts')}` Ferry reaches "
            s += (f"{min(x[2] for x in ra):.2f}-{max(x[2] for x in ra):.2f}× the req/s of its default JVM settings"
                  if ra else "no comparable req/s figure")
        ma, md = rss.get(("ferry-alt", "after-load")), rss.get(("ferry", "after-load"))
        if ma and md:
            s += f"; RSS after the load {ma / 1024:.0f} MiB instead of {md / 1024:.0f} MiB"
        ma, md = rss.get(("ferry-alt", "idle-sessions")), rss.get(("ferry", "idle-sessions"))
        if ma and md:
            s += f", holding {meta.get('idle')} sessions {ma / 1024:.0f} MiB instead of {md / 1024:.0f} MiB"
        out.append(s + ".")
    by = {(f["target"], f["scenario"]): f for f in fo}
    for t in ("haproxy", "haproxy-tuned", "ferry", "ferry-alt"):
        f = by.get((t, "failover-to"))
        if not (f and f.get("writer")):
            continue
        wr = f["writer"]
        first = wr["episodes"][0] if wr["episodes"] and wr["episodes"][0]["start"] < 15 else None
        s = f"`FAILOVER TO`, {NAMES[t]}: "
        if first is None:
            s += "no failed write after the command"
        else:
            end = f"{first['end']:.1f} s" if first["end"] is not None else "the end of the run"
            s += (f"{first['failed']} failed write{'s' if first['failed'] != 1 else ''} until {end} after the command "
                  f"(longest failure {wr['longest_ms'] / 1000:.1f} s)")
        for sw in wr["per_switch"]:
            if sw["failed"]:
                ok = f"{(sw['end'] - sw['at']):+.1f} s" if sw["end"] is not None else "never"
                s += (f"; Sentinel's own failover {sw['at']:.0f} s later cost {sw['failed']} more "
                      f"(writes ok again {ok} from its `+switch-master`)")
            else:
                s += f"; Sentinel's own failover {sw['at']:.0f} s later cost no failed write"
        if not wr["per_switch"]:
            s += "; Sentinel did not fail over again within the run"
        wp = f.get("writer-persistent")
        if wp:
            s += f"; the persistent-connection writer: {wp['failed']} failed" + (
                f" (longest failure {wp['longest_ms'] / 1000:.1f} s)" if wp["failed"] else "")
        out.append(s + ".")
    for t in ("haproxy", "haproxy-tuned", "ferry", "ferry-alt"):
        f = by.get((t, "kill9"))
        if not (f and f.get("writer")):
            continue
        wr = f["writer"]
        first = wr["episodes"][0] if wr["episodes"] else None
        sw = f["switches"][0] if f["switches"] else None
        s = f"`kill -9` of the master, {NAMES[t]}: "
        if first is None or first["first_ok"] is None:
            s += "writes never worked again within the run" if first else "no failed write"
        else:
            s += f"writes worked again {first['first_ok']:.1f} s after the kill"
            if sw is not None:
                s += f" ({(first['first_ok'] - sw):+.1f} s from Sentinel's `+switch-master` at {sw:.1f} s)"
        s += f", {wr['failed']} failed writes ({kinds_text(wr['kinds'])})"
        if wr["slowest_ok_ms"] and wr["slowest_ok_ms"] > 100:
            s += f"; the slowest successful write took {wr['slowest_ok_ms']:.0f} ms (held by the proxy)"
        out.append(s + ".")
    if meta.get("warmup") == "0":
        out.append("No warm-up run in this mode: Ferry's JVM was still interpreting and compiling its data path, "
                   "so its figures here are far below what it does once warm.")
    else:
        out.append("Ferry runs on a JVM: its first requests run interpreted and get compiled as they go. Every "
                   "target got one unrecorded warm-up run first; a freshly started Ferry is slower at first "
                   "(see the smoke run, which has no warm-up).")
    out.append("Loopback on a small machine: no network latency, so a proxy's added hop costs CPU more than "
               "time; on a real network the relative cost of any proxy is smaller, and its CPU per request matters more.")
    return out


if __name__ == "__main__":
    sys.exit(main())
