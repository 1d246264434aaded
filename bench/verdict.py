"""Issue 14's targets for Ferry, judged from one run's figures (used by bench/report.py).

Each target is computed from the medians of the run, never written down: a row says what was compared,
the peer's figure, Ferry's, and `met`, `MISSED` or `not measured` (when the run lacks a figure it needs).
"""

PEERS = ("haproxy", "haproxy-tuned", "twemproxy")
RSS_IDLE_MIB = 40
IDLE_SESSIONS = 10000
IDLE_COST_MIB = 64
IDLE_MASTER_CONNS = 16
REDIS_CPU_SHARE = 0.5

MET, MISSED, UNMEASURED = "met", "MISSED", "not measured"


def _num(v, digits=2):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def _pair(a, b, digits=2):
    return f"{_num(a, digits)} / {_num(b, digits)}"


def _status(values_and_limits, better):
    """better(v, limit) for each pair; not measured when any figure is missing."""
    if not values_and_limits or any(v is None or lim is None for v, lim in values_and_limits):
        return UNMEASURED
    return MET if all(better(v, lim) for v, lim in values_and_limits) else MISSED


def _at_least(v, lim):
    return v >= lim


def _at_most(v, lim):
    return v <= lim


def rows(fig, ferry):
    """The verdict for the Ferry target `ferry` ("ferry" or "ferry-alt"): a list of (target, peer, Ferry, status)."""
    n = fig.names
    out = []

    def against(peer, case_pc, field, better, what, digits=0):
        values = [fig.get(field, ferry, case_pc + (test,)) for test in ("SET", "GET")]
        limits = [fig.get(field, peer, case_pc + (test,)) for test in ("SET", "GET")]
        status = _status(list(zip(values, limits)), better) if peer in fig.targets else UNMEASURED
        if case_pc not in fig.configs:
            peer_text = f"no `-P {case_pc[0]} -c {case_pc[1]}` in this run"
        elif peer not in fig.targets:
            peer_text = f"no {n.get(peer, peer)} in this run"
        else:
            peer_text = f"{n.get(peer, peer)} {_pair(*limits, digits)}"
        out.append((what, peer_text, _pair(*values, digits), status))

    for clients in ("50", "500"):
        against("twemproxy", ("1", clients), "rps", _at_least,
                f"req/s SET / GET at `-P 1 -c {clients}` ≥ twemproxy's")
    against("haproxy", ("16", "50"), "rps", _at_least, "req/s SET / GET at `-P 16 -c 50` ≥ HAProxy (seed)'s")

    for pipe in ("1", "16"):
        case_pc = (pipe, "50")
        values = [fig.get("cpu_proxy", ferry, case_pc + (test,)) for test in ("SET", "GET")]
        lowest = []
        for test in ("SET", "GET"):
            peers = [(fig.get("cpu_proxy", p, case_pc + (test,)), p) for p in PEERS if p in fig.targets]
            peers = [x for x in peers if x[0] is not None]
            lowest.append(min(peers) if peers else (None, None))
        status = _status([(v, lo[0]) for v, lo in zip(values, lowest)], _at_most)
        if lowest[0][1] and lowest[0][1] == lowest[1][1]:
            peer_text = f"{n.get(lowest[0][1])} {_pair(lowest[0][0], lowest[1][0])}"
        else:
            peer_text = " / ".join(f"{n.get(p, p)} {_num(v)}" if v is not None else "no peer" for v, p in lowest)
        out.append((f"proxy CPU s per million requests SET / GET at `-P {pipe} -c 50` ≤ the lowest peer's",
                    peer_text, _pair(*values), status))

    case_pc = ("1", "50")
    values = [fig.get("cpu_master", ferry, case_pc + (test,)) for test in ("SET", "GET")]
    direct = [fig.get("cpu_master", "direct", case_pc + (test,)) for test in ("SET", "GET")]
    limits = [None if d is None else REDIS_CPU_SHARE * d for d in direct]
    out.append((f"redis-server CPU s per million requests SET / GET at `-P 1 -c 50` ≤ {REDIS_CPU_SHARE}× direct's",
                f"direct {_pair(*direct)}, so at most {_pair(*limits)}", _pair(*values),
                _status(list(zip(values, limits)), _at_most)))

    for clients in ("50", "500"):
        against("haproxy", ("1", clients), "p99", _at_most,
                f"p99 ms SET / GET at `-P 1 -c {clients}` ≤ HAProxy (seed)'s", digits=3)

    idle = fig.rss.get((ferry, "idle"))
    out.append((f"RSS idle ≤ {RSS_IDLE_MIB} MiB", "-", _mib(idle),
                _status([(None if idle is None else idle / 1024, RSS_IDLE_MIB)], _at_most)))

    s = fig.idle.get(ferry)
    before, held = fig.rss.get((ferry, "before-sessions")), fig.rss.get((ferry, "idle-sessions"))
    if not s:
        out.append((f"{IDLE_SESSIONS:,} idle sessions cost ≤ {IDLE_COST_MIB} MiB more RSS", "-", "n/a", UNMEASURED))
        out.append((f"{IDLE_SESSIONS:,} idle sessions hold ≤ {IDLE_MASTER_CONNS} master connections besides Ferry's checks",
                    "-", "n/a", UNMEASURED))
    else:
        cost = None if before is None or held is None else (held - before) / 1024
        shortfall = None
        if s["requested"] < IDLE_SESSIONS:
            shortfall = (UNMEASURED, f" (this run held {s['requested']:,} at most)")
        elif s["open"] < IDLE_SESSIONS:
            shortfall = (MISSED, f"; it held only {s['open']:,} of {s['requested']:,}")
        out.append((f"{IDLE_SESSIONS:,} idle sessions cost ≤ {IDLE_COST_MIB} MiB more RSS", "-",
                    f"+{_num(cost, 1)} MiB ({_mib(before)} → {_mib(held)})" + (shortfall[1] if shortfall else ""),
                    shortfall[0] if shortfall else _status([(cost, IDLE_COST_MIB)], _at_most)))
        conns = s.get("held")
        out.append((f"{IDLE_SESSIONS:,} idle sessions hold ≤ {IDLE_MASTER_CONNS} master connections besides Ferry's checks",
                    "-", f"{_num(conns, 0)} (before the sessions: {_num(s.get('held_before'), 0)}; "
                    f"Ferry's checks: {_num(s.get('checks'), 0)})" + (shortfall[1] if shortfall else ""),
                    shortfall[0] if shortfall else _status([(conns, IDLE_MASTER_CONNS)], _at_most)))

    fo = next((f for f in fig.fo if f["target"] == ferry and f["scenario"] == "failover-to"), None)
    if fo and fo.get("writer"):
        failed = fo["writer"]["failed"] + (fo["writer-persistent"]["failed"] if fo.get("writer-persistent") else 0)
        out.append(("`FAILOVER TO` under load costs clients 0 errors (both writers)", "-",
                    f"{failed} failed writes", MET if failed == 0 else MISSED))
    else:
        out.append(("`FAILOVER TO` under load costs clients 0 errors (both writers)", "-", "n/a", UNMEASURED))
    return out


def _mib(kb):
    return "n/a" if kb is None else f"{kb / 1024:,.1f} MiB"


def table(fig, ferries):
    """Markdown lines: one row per target, a value and status column per Ferry target."""
    per = {f: rows(fig, f) for f in ferries}
    head = "| target | peer |" + "".join(f" {fig.names[f]} | |" for f in ferries)
    lines = [head, "|---|---|" + "---|---|" * len(ferries)]
    for i, (what, peer, _, _) in enumerate(per[ferries[0]]):
        cells = "".join(f" {per[f][i][2]} | {'**' + per[f][i][3] + '**' if per[f][i][3] == MISSED else per[f][i][3]} |"
                        for f in ferries)
        lines.append(f"| {what} | {peer} |{cells}")
    counts = {f: sum(1 for r in per[f] if r[3] == MET) for f in ferries}
    totals = {f: sum(1 for r in per[f] if r[3] != UNMEASURED) for f in ferries}
    return lines, counts, totals
