"""The failover part of the bench report: what a client writing every 10 ms lived through (bench/failover.sh).

Each run's directory holds writer.json, writer-persistent.json (bench/writer.py), sentinel-events.log, event
(the scenario and its epoch time) and the proxy's log. Standard library only.
"""
import collections
import json
import os

# Failures further apart than this belong to different episodes (e.g. FAILOVER TO, then Sentinel's own failover).
EPISODE_GAP_S = 3.0


def _int(v):
    return "n/a" if v is None else f"{v:,.0f}"


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


def write_failover(w, fo, meta, names):
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
            w(f"| {names[f['target']]} | {wr['failed']} of {wr['attempts']} | {wr['longest_ms']:,.0f} ms | {until} | "
              f"{episodes_text(wr)} | {sw} | {around} | "
              f"{(str(wp['failed']) + ', ' + format(wp['longest_ms'], ',.0f') + ' ms') if wp else 'n/a'} | "
              f"{_int(wr['slowest_ok_ms'])} ms | {kinds_text(wr['kinds'])} |")
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
            w(f"| {names[f['target']]} | {wr['failed']} of {wr['attempts']} | {wr['longest_ms']:,.0f} ms | "
              f"{'n/a' if first_ok is None else f'{first_ok:.2f} s'} | {'none' if sw is None else f'{sw:.2f} s'} | "
              f"{delta} | "
              f"{(str(wp['failed']) + ', ' + format(wp['longest_ms'], ',.0f') + ' ms') if wp else 'n/a'} | "
              f"{_int(wr['slowest_ok_ms'])} ms | {kinds_text(wr['kinds'])} |")
        w("")
    logs = [f for f in fo if f["proxy_log"]]
    if logs:
        w("<details><summary>Ferry's log lines during these runs</summary>")
        w("")
        for f in logs:
            w(f"{names[f['target']]}, {f['scenario']}:")
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
        w(f"- {names[f['target']]}, {f['scenario']}: " + (", ".join(
            f"{ch} {t:.1f}" + (f" ({msg.split(' ')[0]} {msg.split(' ')[1]})" if ch in ("+sdown", "+convert-to-slave") and len(msg.split(' ')) > 1 else "")
            for t, ch, msg in interesting[:12]) or "none"))
    w("")
    w("</details>")
    w("")


def failover_lines(fo, names):
    """One sentence per failover run, for the report's summary."""
    out = []
    by = {(f["target"], f["scenario"]): f for f in fo}
    for t in ("haproxy", "haproxy-tuned", "ferry", "ferry-alt"):
        f = by.get((t, "failover-to"))
        if not (f and f.get("writer")):
            continue
        wr = f["writer"]
        first = wr["episodes"][0] if wr["episodes"] and wr["episodes"][0]["start"] < 15 else None
        s = f"`FAILOVER TO`, {names[t]}: "
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
        s = f"`kill -9` of the master, {names[t]}: "
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
    return out
