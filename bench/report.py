#!/usr/bin/env python3
"""Turns the raw data of bench/run.sh into docs/BENCHMARKS.md and the throughput chart (SVG).

  report.py --raw DIR --report FILE.md --chart FILE.svg [--summary]

DIR holds results.tsv (one measurement per line, tab-separated, first field its kind; see load() and
load_reads()) and one failover-<target>-<scenario>/ directory per failover run (bench/failover_report.py). --summary also prints
the verdict and the ratio table to stdout. Standard library only.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover_report  # noqa: E402
import verdict  # noqa: E402

NAMES = {"direct": "direct", "haproxy": "HAProxy (seed)", "haproxy-tuned": "HAProxy (tuned)", "twemproxy": "twemproxy",
         "ferry": "Ferry", "ferry-alt": "Ferry B"}
COLORS = {"direct": "#9e9e9e", "haproxy": "#d9822b", "haproxy-tuned": "#f2c14e", "twemproxy": "#6aa84f",
          "ferry": "#2b6cb0", "ferry-alt": "#7fb3e6"}
ORDER = ["direct", "haproxy", "haproxy-tuned", "twemproxy", "ferry", "ferry-alt"]
FERRIES = ("ferry", "ferry-alt")
TESTS = ("SET", "GET")
# The replica step's targets, in the order of its table: each master endpoint beside its replica counterpart.
READ_ORDER = ["direct", "direct-replica", "ferry", "ferry-replica", "haproxy", "haproxy-replica"]
READ_NAMES = {"direct": "direct, master (redis2)", "direct-replica": "direct, replica (redis1)",
              "ferry": "Ferry, master endpoint", "ferry-replica": "Ferry, replica endpoint",
              "haproxy": "HAProxy (seed), role:master", "haproxy-replica": "HAProxy, role:slave backend"}


# ---------------------------------------------------------------- raw data
def load(raw):
    """results.tsv rows: meta KEY VALUE; tput ROUND TARGET PIPELINE CLIENTS TEST RPS AVG P50 P95 P99 MAX;
    cpu ROUND TARGET PIPELINE CLIENTS TEST PROXY_S|- MASTER_S REQUESTS; rss TARGET PHASE KB;
    idle TARGET REQUESTED OPEN FAILED HELD HELD_BEFORE CHECKS DROPPED; failover TARGET SCENARIO DIR."""
    meta, tput, cpu, rss, idle, failover = {}, [], [], {}, {}, []
    num = lambda v: int(v) if v.lstrip("-").isdigit() else None
    with open(os.path.join(raw, "results.tsv")) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if r[0] == "meta":
                meta[r[1]] = r[2] if len(r) > 2 else ""
            elif r[0] == "tput":
                tput.append({"round": int(r[1]), "target": r[2], "case": (r[3], r[4], r[5]), "rps": float(r[6]),
                             "avg": float(r[7]), "p50": float(r[8]), "p95": float(r[9]), "p99": float(r[10]),
                             "max": float(r[11])})
            elif r[0] == "cpu":
                cpu.append({"round": int(r[1]), "target": r[2], "case": (r[3], r[4], r[5]),
                            "proxy": None if r[6] == "-" else float(r[6]), "master": float(r[7]),
                            "requests": int(r[8])})
            elif r[0] == "rss":
                rss[(r[1], r[2])] = num(r[3])
            elif r[0] == "idle":
                idle[r[1]] = {"requested": int(r[2]), "open": int(r[3]), "failed": int(r[4]), "held": num(r[5]),
                              "held_before": num(r[6]), "checks": num(r[7]), "dropped": r[8]}
            elif r[0] == "failover":
                failover.append((r[1], r[2], os.path.join(raw, r[3])))
    return meta, tput, cpu, rss, idle, failover


def load_reads(raw):
    """The replica step's rows: reads ROUND TARGET PIPELINE CLIENTS GET RPS AVG P50 P95 P99 MAX (as tput);
    reads-cpu ROUND TARGET PIPELINE CLIENTS GET PROXY_S|- REDIS_S REQUESTS (REDIS_S: all three redis-servers);
    spread ROUND TARGET PIPELINE CLIENTS GETS_REDIS1 GETS_REDIS2 GETS_REDIS3."""
    reads, cpu, spread = [], [], []
    with open(os.path.join(raw, "results.tsv")) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if r[0] == "reads":
                reads.append({"round": int(r[1]), "target": r[2], "pc": (r[3], r[4]), "rps": float(r[6]),
                              "p50": float(r[8]), "p99": float(r[10])})
            elif r[0] == "reads-cpu":
                cpu.append({"target": r[2], "pc": (r[3], r[4]), "proxy": None if r[6] == "-" else float(r[6]),
                            "redis": float(r[7]), "requests": int(r[8])})
            elif r[0] == "spread":
                spread.append({"target": r[2], "pc": (r[3], r[4]), "gets": [int(x) for x in r[5:8]]})
    return reads, cpu, spread


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Figures:
    """The medians over rounds of one run, by target and case (pipeline, clients, command)."""

    def __init__(self, meta, tput, cpu, rss, idle, fo, names):
        self.meta, self.tput, self.rss, self.idle, self.fo, self.names = meta, tput, rss, idle, fo, names
        self.targets = [t for t in ORDER if any(r["target"] == t for r in tput)]
        self.proxies = [t for t in self.targets if t != "direct"]
        self.configs = []
        for r in tput:
            if r["case"][:2] not in self.configs:
                self.configs.append(r["case"][:2])
        self.configs.sort(key=lambda pc: (int(pc[0]), int(pc[1])))
        self.cases = [pc + (test,) for pc in self.configs for test in TESTS]
        self.medians = {}
        for t in self.targets:
            for case in self.cases:
                rows = [r for r in tput if r["target"] == t and r["case"] == case]
                for field in ("rps", "p50", "p99"):
                    self.medians[(field, t, case)] = med([r[field] for r in rows])
                c = [c for c in cpu if c["target"] == t and c["case"] == case]
                self.medians[("cpu_proxy", t, case)] = med(
                    [x["proxy"] / x["requests"] * 1e6 for x in c if x["proxy"] is not None])
                self.medians[("cpu_master", t, case)] = med([x["master"] / x["requests"] * 1e6 for x in c])

    def get(self, field, target, case):
        return self.medians.get((field, target, tuple(case)))

    def noise(self):
        """Round-to-round spread of req/s: (median over target/case of (max-min)/median, the worst one), or None."""
        spreads = []
        for t in self.targets:
            for case in self.cases:
                v = [r["rps"] for r in self.tput if r["target"] == t and r["case"] == case]
                if len(v) > 1 and statistics.median(v):
                    spreads.append(((max(v) - min(v)) / statistics.median(v), t, case))
        if not spreads:
            return None
        spreads.sort()
        return statistics.median(x[0] for x in spreads), spreads[-1]


def java_name(text):
    """'openjdk version "25.0.1" 2025-10-21' -> 'Java 25'."""
    q = text.split('"')
    return f"Java {q[1].split('.')[0]}" if len(q) > 1 else text


def ferry_alt_label(meta):
    """Ferry B's name: FERRY_ALT_LABEL, else what differs from Ferry (build, JVM, flags, mode)."""
    if meta.get("ferry_alt_label"):
        return meta["ferry_alt_label"]
    diffs = []
    main, alt = meta.get("ferry", ""), meta.get("ferry_alt", "")
    if alt and alt != main:
        source = alt.split(", ", 1)[-1]
        diffs.append(os.path.basename(source) if source.startswith("jar ") else source.replace(" with uncommitted changes", "+"))
    if meta.get("ferry_alt_java", "").split(": ", 1)[-1] != meta.get("ferry_java", "").split(": ", 1)[-1]:
        diffs.append(java_name(meta.get("ferry_alt_java", "").split(": ", 1)[-1]))
    if meta.get("ferry_alt_java_opts") != meta.get("ferry_java_opts"):
        diffs.append("other JVM flags")
    if meta.get("ferry_alt_mode") != meta.get("ferry_mode"):
        diffs.append(f"mode {meta.get('ferry_alt_mode') or 'default'}")
    return "Ferry B (" + (", ".join(diffs) or "a second process, same settings") + ")"


def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def mib(kb):
    return "n/a" if kb is None else f"{kb / 1024:,.1f} MiB"


def ratio(a, b):
    return None if a is None or not b else a / b


def case_text(case):
    return f"`-P {case[0]} -c {case[1]}`" + (f" {case[2]}" if len(case) > 2 else "")


# ---------------------------------------------------------------- tables
def ratio_table(fig):
    """Issue 14's table: every figure of this run beside each other; the best proxy of a row in bold."""
    n, cols = fig.names, fig.targets
    lines = ["| | " + " | ".join(n[t] for t in cols) + " |", "|---|" + "---|" * len(cols)]

    def row(label, pair_of, higher_better, digits=2, proxies_only=False):
        cells, scores = {}, {}
        for t in cols:
            if proxies_only and t == "direct":
                cells[t] = "-"
                continue
            a, b = pair_of(t)
            cells[t] = f"{fmt(a, digits)} / {fmt(b, digits)}"
            if t != "direct" and a is not None and b is not None:
                scores[t] = (a + b) / 2
        if len(scores) > 1:
            best = (max if higher_better else min)(scores, key=scores.get)
            cells[best] = f"**{cells[best]}**"
        lines.append(f"| {label} | " + " | ".join(cells[t] for t in cols) + " |")

    both = lambda field, t, pc: [fig.get(field, t, pc + (test,)) for test in TESTS]
    for pc in fig.configs:
        if "direct" in cols:
            row(f"{case_text(pc)} SET / GET req/s, share of direct",
                lambda t, pc=pc: [ratio(fig.get("rps", t, pc + (x,)), fig.get("rps", "direct", pc + (x,))) for x in TESTS],
                True)
        else:
            row(f"{case_text(pc)} SET / GET, thousand req/s",
                lambda t, pc=pc: [None if v is None else v / 1000 for v in both("rps", t, pc)], True, 1)
    for pc in fig.configs:
        row(f"proxy CPU s per million requests, {case_text(pc)} SET / GET",
            lambda t, pc=pc: both("cpu_proxy", t, pc), False, proxies_only=True)
    for pc in fig.configs:
        row(f"redis-server (master) CPU s per million requests, {case_text(pc)} SET / GET",
            lambda t, pc=pc: both("cpu_master", t, pc), False)
    for pc in fig.configs:
        row(f"p99 ms, {case_text(pc)} SET / GET", lambda t, pc=pc: both("p99", t, pc), False, 3)
    row("proxy RSS MiB idle / after the load",
        lambda t: [None if fig.rss.get((t, ph)) is None else fig.rss[(t, ph)] / 1024 for ph in ("idle", "after-load")],
        False, 1, proxies_only=True)
    if fig.idle:
        held = f"{max(s['requested'] for s in fig.idle.values()):,}"
        row(f"proxy RSS MiB before / holding {held} idle sessions (or as many as it could: see the memory table)",
            lambda t: [None if fig.rss.get((t, ph)) is None else fig.rss[(t, ph)] / 1024
                       for ph in ("before-sessions", "idle-sessions")], False, 1, proxies_only=True)
        row(f"master connections held before / with {held} idle sessions (besides Ferry's checks)",
            lambda t: [fig.idle.get(t, {}).get("held_before"), fig.idle.get(t, {}).get("held")], False, 0,
            proxies_only=True)
    return lines


def ferry_b_table(fig):
    """Ferry B against Ferry, case by case: the before/after comparison of one change."""
    lines = [f"| case | req/s, {fig.names['ferry-alt']} / {fig.names['ferry']} | proxy CPU s/M, B / Ferry | "
             "redis CPU s/M, B / Ferry | p99 ms, B / Ferry |", "|---|---|---|---|---|"]
    for case in fig.cases:
        g = lambda f, t: fig.get(f, t, case)
        lines.append(f"| {case_text(case)} | {fmt(ratio(g('rps', 'ferry-alt'), g('rps', 'ferry')))}× "
                     f"({fmt(g('rps', 'ferry-alt'), 0)} / {fmt(g('rps', 'ferry'), 0)}) | "
                     f"{fmt(g('cpu_proxy', 'ferry-alt'))} / {fmt(g('cpu_proxy', 'ferry'))} | "
                     f"{fmt(g('cpu_master', 'ferry-alt'))} / {fmt(g('cpu_master', 'ferry'))} | "
                     f"{fmt(g('p99', 'ferry-alt'), 3)} / {fmt(g('p99', 'ferry'), 3)} |")
    rb = [fig.rss.get(("ferry-alt", p)) for p in ("idle", "after-load")]
    rf = [fig.rss.get(("ferry", p)) for p in ("idle", "after-load")]
    lines.append(f"| RSS idle / after the load | {mib(rb[0])} / {mib(rb[1])} against {mib(rf[0])} / {mib(rf[1])} | | | |")
    return lines


def verdict_section(fig):
    ferries = [f for f in FERRIES if f in fig.targets]
    if not ferries:
        return ["No Ferry in this run: nothing to judge."]
    lines, met, total = verdict.table(fig, ferries)
    out = ["Issue 14's targets, each computed from this run's medians; `not measured` where the run lacks a "
           "figure it needs (a peer not run, fewer idle sessions than the target names, no failover run).", ""]
    out += lines
    out.append("")
    out.append("; ".join(f"{fig.names[f]}: {met[f]} of {total[f]} measured targets met" for f in ferries) + ".")
    nz = fig.noise()
    if nz:
        out.append(f"A target met or missed by less than the noise is not settled: the same target's req/s moved by "
                   f"{nz[0]:.0%} from round to round here (median of (max−min)/median).")
    return out


# ---------------------------------------------------------------- chart
def chart(path, fig):
    """One panel per (pipeline, clients), each with SET and GET groups of bars, one bar per target."""
    targets, configs, n = fig.targets, fig.configs, fig.names
    width, height = 460 * len(configs) + 60, 430
    top, bottom, left_pad = 70, 60, 70
    panel_w = (width - 2 * left_pad) / len(configs)
    plot_h = height - top - bottom
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
           'redis-benchmark: median requests per second, same machine, loopback</text>']
    lx = left_pad
    for t in targets:
        svg.append(f'<rect x="{lx}" y="38" width="12" height="12" fill="{COLORS[t]}"/>')
        svg.append(f'<text x="{lx + 16}" y="48">{esc(n[t])}</text>')
        lx += 30 + 7.5 * len(n[t])
    for pi, pc in enumerate(configs):
        x0 = left_pad + pi * (panel_w + 20)
        vals = [fig.get("rps", t, pc + (test,)) for t in targets for test in TESTS]
        vmax = max([v for v in vals if v] or [1])
        step = nice_step(vmax / 5)
        ymax = step * (int(vmax / step) + 1)
        for g in range(int(ymax / step) + 1):
            y = top + plot_h - plot_h * g * step / ymax
            svg.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w - 20}" y2="{y:.1f}" stroke="#e0e0e0"/>')
            svg.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{g * step / 1000:,.0f}k</text>')
        svg.append(f'<text x="{x0 + (panel_w - 20) / 2}" y="{height - 18}" text-anchor="middle" '
                   f'font-weight="bold">-P {pc[0]} -c {pc[1]}</text>')
        group_w = (panel_w - 20) / 2
        bar_w = min(40, (group_w - 30) / len(targets))
        for gi, test in enumerate(TESTS):
            gx = x0 + gi * group_w + (group_w - bar_w * len(targets)) / 2
            for bi, t in enumerate(targets):
                v = fig.get("rps", t, pc + (test,))
                if v is None:
                    continue
                h = plot_h * v / ymax
                x, y = gx + bi * bar_w, top + plot_h - h
                svg.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 3:.1f}" height="{h:.1f}" fill="{COLORS[t]}">'
                           f'<title>{esc(n[t])} {test} -P {pc[0]} -c {pc[1]}: {v:,.0f} req/s</title></rect>')
                svg.append(f'<text x="{x + (bar_w - 3) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="9">'
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


# ---------------------------------------------------------------- reads from the replicas
def reads_table(reads, cpu, spread, names):
    """Issue 17's table: GET through each replica target beside its master counterpart, medians over rounds, as
    shares of direct at the master; where each target's GETs ran (INFO commandstats, summed over its runs)."""
    targets = [t for t in READ_ORDER if any(r["target"] == t for r in reads)]
    configs = sorted({r["pc"] for r in reads}, key=lambda pc: (int(pc[0]), int(pc[1])))
    m = lambda field, t, pc: med([r[field] for r in reads if r["target"] == t and r["pc"] == pc])
    per_m = lambda field, t, pc: med([c[field] / c["requests"] * 1e6 for c in cpu
                                      if c["target"] == t and c["pc"] == pc and c[field] is not None])
    head = "| target |"
    sep = "|---|"
    for pc in configs:
        head += f" GET {case_text(pc)} req/s (share of direct, master) | p50 / p99 ms |"
        sep += "---|---|"
    per_case = " / ".join(f"-P {pc[0]}" for pc in configs)
    head += f" proxy CPU s per million GETs, {per_case} | redis CPU s per million GETs (all three nodes), {per_case} |" \
            " GETs run by redis1 / redis2 (master) / redis3 |"
    sep += "---|---|---|"
    lines = [head, sep]
    for t in targets:
        row = f"| {names[t]} |"
        for pc in configs:
            rps, base = m("rps", t, pc), m("rps", "direct", pc)
            share = ratio(rps, base)
            row += f" {fmt(rps, 0)} ({'n/a' if share is None else f'{share:.0%}'}) | {fmt(m('p50', t, pc), 3)} / {fmt(m('p99', t, pc), 3)} |"
        proxy = [per_m("proxy", t, pc) for pc in configs]
        row += " " + ("-" if all(v is None for v in proxy) else " / ".join(fmt(v) for v in proxy)) + " |"
        row += " " + " / ".join(fmt(per_m("redis", t, pc)) for pc in configs) + " |"
        gets = [sum(x["gets"][i] for x in spread if x["target"] == t) for i in range(3)]
        total = sum(gets)
        row += " " + (" / ".join(f"{g / total:.0%}" for g in gets) + f" of {total:,}" if total else "n/a") + " |"
        lines.append(row)
    return lines


def write_reads(w, meta, reads, cpu, spread):
    if not reads:
        return
    w("## Reads from the replicas")
    w("Issue 17: read throughput through the replica endpoints beside the master endpoints, in the same run "
      "and group as the figures above (after them). `redis-benchmark -t get` (one 3-byte key, written on the "
      "master and acknowledged by both replicas first, so every node answers the same value) at "
      + ", ".join(case_text(tuple(c.split(":"))) for c in meta.get("read_configs", "").split()) +
      f", targets alternating as above, {meta.get('rounds')} round(s), "
      + ("no warm-up run" if meta.get("warmup") == "0" else "after one unrecorded warm-up run per target") + ":")
    w("")
    w("- **direct, master** / **direct, replica**: redis-benchmark straight at the master (redis2) / at one "
      "replica (redis1): what one node serves here.")
    w("- **Ferry, replica endpoint**: a second frontend of the same Ferry process, on its own port, `role: replica` "
      "with every replica key at its default (`max-lag: 1s`, `replica-fallback: master`, `read-from-master: "
      "false`): each session goes to the qualifying replica with the fewest sessions (docs/REPLICAS.md).")
    w("- **HAProxy, role:slave backend**: the seed's HAProxy configuration for reads: the same `tcp-check` "
      "(AUTH, PING, `info replication`, QUIT; `check inter 3s`) expecting `role:slave`, redis1 and redis3 as "
      "servers, `balance roundrobin`.")
    w("")
    w("The last column counts the GETs each node ran during the target's recorded runs (`INFO commandstats` "
      "before and after each run): it shows where the reads went, and for the replica endpoints how evenly "
      "their sessions were spread over the two replicas. The redis CPU is that of all three redis-servers.")
    w("")
    for line in reads_table(reads, cpu, spread, READ_NAMES):
        w(line)
    w("")
    w(f"All three redis-servers, the proxy and redis-benchmark share this machine's {meta.get('nproc')} CPUs: "
      "spreading reads over two replicas adds no capacity here, so these figures compare what each path costs a "
      "read and show that the reads reached the replicas, not the throughput two replica hosts would add.")
    w("")


# ---------------------------------------------------------------- report
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--chart", required=True)
    ap.add_argument("--summary", action="store_true", help="also print the verdict and the ratio table")
    a = ap.parse_args()
    meta, tput, cpu, rss, idle, failover = load(a.raw)
    names = dict(NAMES)
    names["ferry-alt"] = ferry_alt_label(meta)
    fo = [failover_report.analyze_failover(t, s, p) for t, s, p in failover]
    fig = Figures(meta, tput, cpu, rss, idle, fo, names)
    reads, reads_cpu, spread = load_reads(a.raw)

    L = []
    w = L.append
    mode = meta.get("mode")
    w("# Benchmarks: Ferry against HAProxy, twemproxy and no proxy")
    w("")
    if mode == "smoke":
        w("**Smoke run** (`bench/run.sh --smoke`): tiny request counts, one round; it checks that every step "
          "works, the figures mean nothing. The real figures are in `docs/BENCHMARKS.md`.")
        w("")
    elif mode == "quick":
        w("**Quick run** (`bench/run.sh --quick`): fewer requests and rounds, no idle sessions or failover unless "
          "asked; for comparing one change with the last. The full figures are in `docs/BENCHMARKS.md`.")
        w("")
    w(f"Measured {meta.get('date')} with `{meta.get('invocation', 'bench/run.sh')}` on one machine, everything on "
      "loopback (load average before the run: " + meta.get("loadavg", "not recorded") + "). Every figure below "
      "comes from this one run, targets alternating, so the ratios compare like with like. Measure again with "
      "`bench/run.sh` (20 minutes on a quiet machine, over 30 on a busy one; `--quick` for 2-3); it leaves its raw data in `target/bench/raw/`, from "
      "which `python3 bench/report.py --raw target/bench/raw --report docs/BENCHMARKS.md --chart "
      "docs/bench-throughput.svg` rewrites this page.")
    w("")
    w("## Verdict")
    for line in verdict_section(fig):
        w(line)
    w("")
    w("## This run's figures side by side")
    w("Shares of direct are of median req/s; CPU is utime+stime per million requests, median over rounds; "
      "the best proxy of each row in bold.")
    w("")
    for line in ratio_table(fig):
        w(line)
    w("")
    if "ferry" in fig.targets and "ferry-alt" in fig.targets:
        w(f"## {names['ferry-alt']} against {names['ferry']}")
        for line in ferry_b_table(fig):
            w(line)
        w("")
    write_setup(w, fig)
    write_throughput(w, fig)
    write_memory(w, fig)
    write_reads(w, meta, reads, reads_cpu, spread)
    if fo:
        failover_report.write_failover(w, fo, meta, names)
    w("## What this means")
    for line in meaning(fig):
        w(f"- {line}")
    w("")
    write_profile(w, os.path.dirname(os.path.abspath(a.report)))
    with open(a.report, "w") as f:
        f.write("\n".join(L))
    chart(a.chart, fig)
    if a.summary:
        print(f"\n{names['ferry']}: {meta.get('ferry', '(not run)')}, {java_name(meta.get('ferry_java', '').split(': ', 1)[-1])}")
        if "ferry-alt" in fig.targets:
            print(f"{names['ferry-alt']}: {meta.get('ferry_alt')}, {java_name(meta.get('ferry_alt_java', '').split(': ', 1)[-1])}")
        print(f"load average before the run: {meta.get('loadavg')}\n")
        print("\n".join(ratio_table(fig)) + "\n")
        if "ferry" in fig.targets and "ferry-alt" in fig.targets:
            print("\n".join(ferry_b_table(fig)) + "\n")
        print("\n".join(verdict_section(fig)[2:]) + "\n")
        if reads:
            print("Reads from the replicas:\n" + "\n".join(reads_table(reads, reads_cpu, spread, READ_NAMES)) + "\n")
    return 0


def write_setup(w, fig):
    meta, names = fig.meta, fig.names
    w("## Machine and versions")
    w("| | |")
    w("|---|---|")
    rows = [("nproc", "CPUs (`nproc`)"), ("cpu", "CPU model"), ("memory", "memory"), ("kernel", "kernel"),
            ("redis", "redis-server / redis-sentinel / redis-benchmark"), ("haproxy", "HAProxy"),
            ("twemproxy", "twemproxy (nutcracker)"), ("ferry", "Ferry build"), ("ferry_java", "Ferry's java (`FERRY_JAVA`)"),
            ("ferry_java_opts", "`FERRY_JAVA_OPTS`"), ("ferry_mode", "`FERRY_MODE` (Ferry's `mode:`)"),
            ("ferry_alt", "Ferry B build (`FERRY_ALT_JAR` / `FERRY_ALT_REV`)"), ("ferry_alt_java", "Ferry B's java (`FERRY_ALT_JAVA`)"),
            ("ferry_alt_java_opts", "Ferry B's JVM flags (`FERRY_ALT_JAVA_OPTS`)"), ("ferry_alt_mode", "Ferry B's `mode:` (`FERRY_ALT_MODE`)"),
            ("python", "Python (writer, idle sessions)"), ("nofile", "`ulimit -n`")]
    for k, label in rows:
        if meta.get(k):
            w(f"| {label} | {meta[k]}" + (f" ({meta['nofile_note']})" if k == "nofile" and meta.get("nofile_note") else "") + " |")
    w("")
    w("## What runs")
    w(f"- A Redis group: 3 `redis-server` with `requirepass` (one master, two replicas, no persistence, "
      f"`maxclients 30000`), 3 Sentinels (quorum 2, `down-after-milliseconds {meta.get('down_after_ms')}`, "
      "`failover-timeout 180000`).")
    w("- **direct**: `redis-benchmark` against the master itself.")
    w("- **HAProxy (seed)**: the seed document's configuration verbatim (`tcp-check` AUTH, PING, `info replication`, "
      "`expect string role:master`, QUIT; `check inter 3s`; timeouts connect 3s, server 6s, client 6s; "
      f"its `listen stats`), plus `maxconn` {meta.get('haproxy_maxconn')} (global and frontend) for the idle-session test.")
    if "haproxy-tuned" in fig.targets:
        w("- **HAProxy (tuned)**: today's best-practice checks for this job (as in valkey-io/valkey-helm): "
          "`default-server check inter 1s fall 1 rise 1 on-marked-down shutdown-sessions`, `balance first`, "
          "`timeout check 1s`; otherwise the same.")
    if "twemproxy" in fig.targets:
        w("- **twemproxy**: Debian's `nutcracker` with one pool: `redis: true`, `redis_auth` (the group's password, "
          "so clients AUTH with it), the master as its only server, everything else its defaults "
          "(`server_connections: 1`: all clients' commands share one connection to the master, pipelined). It "
          "does not follow Sentinel, so it takes no part in the failover runs.")
    for t in FERRIES:
        if t in fig.targets or any(f["target"] == t for f in fig.fo):
            k = "" if t == "ferry" else "_alt"
            w(f"- **{names[t]}**: `ferry run` with one frontend naming the three Sentinels and `mymaster`, "
              f"`check: {{ interval: 1s, timeout: 500ms }}`, `mode: {meta.get('ferry' + k + '_mode') or '(not set: the default)'}`; "
              f"{meta.get('ferry' + k)}; {meta.get('ferry' + k + '_java')}; JVM flags `{meta.get('ferry' + k + '_java_opts')}`.")
            if t == "ferry" and "ferry-replica" in meta.get("read_targets", "").split():
                w("  Outside the failover runs it has a second frontend, the replica endpoint of \"Reads from the "
                  "replicas\" below, on its own port: its memory is in Ferry's RSS, and its tripwire on the master "
                  "among Ferry's checks (one more); it holds no connection of its own on the master.")
    w("")
    w("Commands:")
    w("```")
    w(meta.get("bench_cmd", ""))
    w(f"  -n {meta.get('n_p1')} at -P 1, -n {meta.get('n_p16')} at -P 16; cases {', '.join(case_text(pc).strip('`') for pc in fig.configs)}; "
      f"{meta.get('rounds')} round(s); each (case, command) runs every target in turn, the order rotated from one to the next, "
      + ("no warm-up run" if meta.get("warmup") == "0" else "after one unrecorded warm-up run per target"))
    w("CPU:    utime+stime of the proxy process and of the master's redis-server (/proc/PID/stat, all threads) "
      "before and after each run")
    w("Memory: VmRSS of the proxy process (/proc/PID/status)")
    if fig.idle:
        w("Idle:   bench/idle_conns.py -n N (AUTH + PING on each connection, PING every 2 s while held); master "
          "connections: those whose client-side socket the proxy process holds (/proc), from CLIENT LIST, apart "
          "from Ferry's own (CLIENT SETNAME ferry-check, ferry-tripwire, ferry-fence, ferry-failover)")
    if fig.fo:
        w("Writes: bench/writer.py: INCR every 10 ms, 1 s timeout; new connection per write, and a second one "
          "on a persistent connection")
    w("```")
    w("")
    w(f"The machine has {meta.get('nproc')} CPUs: redis-server, redis-benchmark and the proxy compete for them, so a "
      "proxy's throughput here is bounded by the CPU it takes from the other two. CPU seconds per million "
      "requests is the cleaner figure of a proxy's own cost.")
    w("")


def write_throughput(w, fig):
    names = fig.names
    head = "| target | " + " | ".join(case_text(c).replace("`", "") for c in fig.cases) + " |"
    sep = "|---|" + "---|" * len(fig.cases)
    w("## Throughput (median requests per second)")
    w(head)
    w(sep)
    for t in fig.targets:
        w(f"| {names[t]} | " + " | ".join(fmt(fig.get("rps", t, c), 0) for c in fig.cases) + " |")
    w("")
    w("![requests per second](bench-throughput.svg)")
    w("")
    w("## Latency (median over rounds of redis-benchmark's p50 / p99, ms)")
    w(head)
    w(sep)
    for t in fig.targets:
        w(f"| {names[t]} | " + " | ".join(f"{fmt(fig.get('p50', t, c), 3)} / {fmt(fig.get('p99', t, c), 3)}"
                                          for c in fig.cases) + " |")
    w("")
    if len({r["round"] for r in fig.tput}) > 1:
        w("<details><summary>Every round</summary>")
        w("")
        w("| round | target | case | req/s | p50 ms | p99 ms |")
        w("|---|---|---|---|---|---|")
        for r in sorted(fig.tput, key=lambda r: (fig.cases.index(r["case"]), ORDER.index(r["target"]), r["round"])):
            w(f"| {r['round']} | {names[r['target']]} | {case_text(r['case'])} | {fmt(r['rps'], 0)} | "
              f"{r['p50']:.3f} | {r['p99']:.3f} |")
        w("")
        w("</details>")
        w("")


def write_memory(w, fig):
    names, rss = fig.names, fig.rss
    w("## Proxy memory (RSS) and idle sessions")
    note = fig.meta.get("nofile_note")
    if fig.idle:
        w("Each proxy in turn holds idle client sessions (the others stay up, idle). A proxy that opens one master "
          "connection per client needs two descriptors per session: with `ulimit -n` at "
          f"{fig.meta.get('nofile')}" + (f" ({note})" if note else "") + ", HAProxy is held to its `maxconn` and a "
          "1:1 proxy fails somewhere below 10,000; the idle client stops at its first failed connection and holds "
          "the rest.")
    w("")
    w(f"| proxy | idle, {fig.meta.get('settle_s', '2')} s after the start | after the load | before the sessions | holding them | per session | sessions "
      "asked / open / failed | master connections before / while (+ Ferry's checks) | dropped while held |")
    w("|---|---|---|---|---|---|---|---|---|")
    for t in fig.proxies:
        i = fig.idle.get(t)
        before, held = rss.get((t, "before-sessions")), rss.get((t, "idle-sessions"))
        per = ratio((held - before) if held is not None and before is not None else None, i["open"] if i else None)
        conns = sessions = dropped = "n/a"
        if i:
            conns = f"{fmt(i['held_before'], 0)} / {fmt(i['held'], 0)}" + (f" (+ {i['checks']})" if i["checks"] else "")
            sessions, dropped = f"{i['requested']:,} / {i['open']:,} / {i['failed']}", i["dropped"]
        w(f"| {names[t]} | {mib(rss.get((t, 'idle')))} | {mib(rss.get((t, 'after-load')))} | {mib(before)} | {mib(held)} | "
          f"{'n/a' if per is None else f'{per:.1f} kB'} | {sessions} | {conns} | {dropped} |")
    w("")


def meaning(fig):
    out = []
    if fig.meta.get("mode") == "smoke":
        out.append("Smoke run: the numbers only show that every step runs.")
    nz = fig.noise()
    if nz:
        typical, worst = nz
        out.append(f"Noise: from round to round the same target's req/s moved by {typical:.0%} (median of "
                   f"(max−min)/median), up to {worst[0]:.0%} ({fig.names[worst[1]]} {case_text(worst[2])}); "
                   f"{fig.meta.get('nproc', '?')} CPUs shared by server, client and proxy (and whatever else runs) "
                   "make differences smaller than that noise a hint, not a result.")
    out += failover_report.failover_lines(fig.fo, fig.names)
    if any(t in fig.targets for t in FERRIES):
        if fig.meta.get("warmup") == "0":
            out.append("No warm-up run in this mode: Ferry's JVM was still interpreting and compiling its data path, "
                       "so its figures here are far below what it does once warm.")
        else:
            out.append("Ferry runs on a JVM: its first requests run interpreted and get compiled as they go. Every "
                       "target got one unrecorded warm-up run first; a freshly started Ferry is slower at first.")
    out.append("Loopback on a small machine: no network latency, so a proxy's added hop costs CPU more than "
               "time; on a real network the relative cost of any proxy is smaller, and its CPU per request matters more.")
    return out


def write_profile(w, docs):
    w("## Profiles of Ferry's data path")
    w("`bench/profile.sh` starts the same group and Ferry, loads it with redis-benchmark and records a JFR "
      "recording and a flame graph (async-profiler's or one drawn from the JFR samples) under "
      "`target/bench/profile/`; the graphs worth keeping go to `docs/profile/`.")
    kept = sorted(f for f in os.listdir(os.path.join(docs, "profile"))
                  if f.endswith((".svg", ".html", ".md"))) if os.path.isdir(os.path.join(docs, "profile")) else []
    for f in kept:
        w(f"- [`profile/{f}`](profile/{f})")
    w("")
    for line in PROFILE:
        w(line)
    w("")


# Measured by hand with JFR before the bench could profile; kept so the page says what was found and tried.
PROFILE = [
    "Earlier, by hand (2026-11-26, JFR during `redis-benchmark -c 50 -P 1` through Ferry, before `mode: redis` "
    "existed, so of the byte-forwarding data path): of the event loop threads' samples, 2,119 were in native code "
    "(epoll_wait, read, write) and 101 in Java. The Java samples: Netty's allocator queues (`MpmcArrayQueue`, "
    "`AdaptivePoolingAllocator`), `findContextOutbound`, buffer leak tracking (`ResourceLeakDetector`, sampled on 1% "
    "of buffers) and two `LongAdder.add` per buffer for the statistics. `-Dio.netty.leakDetection.level=disabled` "
    "(no difference) and `-Dio.netty.allocator.type=pooled` (within noise) were not adopted; `-XX:+UseSerialGC "
    "-Xms16m` was (the same throughput, less than half the RSS with idle sessions).",
    "",
    "`mode: redis`, profiled by hand the same day (`-t get -P 16`): the first scanners cost 1.5-1.8 CPU s per million "
    "requests against 0.9-1.3 for `mode: tcp`, mostly reading each command's header byte by byte (`ByteBuf.getByte`); "
    "parsing whole commands through a copied window brought it to about 0.85-1.1 against 0.65-0.95.",
]


if __name__ == "__main__":
    sys.exit(main())
