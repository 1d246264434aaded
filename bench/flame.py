#!/usr/bin/env python3
"""Flame graphs for bench/profile.sh, standard library only.

  flame.py jfr FILE.jfr --jfr-tool PATH --out PREFIX [--title T]
      collapses the recording's jdk.ExecutionSample stacks (Java code running) into PREFIX-java.collapsed and its
      jdk.NativeMethodSample stacks (threads in native methods, epoll waits included) into PREFIX-native.collapsed,
      using `jfr print`, and draws PREFIX-java.svg and PREFIX-native.svg
  flame.py collapsed FILE --out PREFIX [--title T]
      draws PREFIX.svg from collapsed stacks (`root;...;leaf count` per line, as async-profiler writes them)

Each run prints the samples per thread, the frames with the most samples of their own, and Ferry's own
methods (dev.ferry) by the samples under them. The SVG is a flame graph (root at the bottom, width = share
of samples); click a frame to zoom to it, click below the graph to zoom out; hover for the figures.
"""
import argparse
import collections
import html
import re
import subprocess
import sys
import zlib

EVENTS = {"jdk.ExecutionSample": "java", "jdk.NativeMethodSample": "native"}


# ---------------------------------------------------------------- input
def jfr_stacks(path, jfr_tool):
    """{kind: Counter(collapsed stack)} from a JFR recording; thread names with their numbers folded into N."""
    out = {kind: collections.Counter() for kind in EVENTS.values()}
    cmd = [jfr_tool, "print", "--stack-depth", "256", "--events", ",".join(EVENTS), path]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, errors="replace")
    kind, thread, frames, in_stack = None, "?", [], False
    for line in proc.stdout:
        s = line.strip()
        if line.startswith("jdk.") and s.endswith("{"):
            kind, thread, frames, in_stack = EVENTS.get(s[:-1].strip()), "?", [], False
        elif s.startswith("sampledThread = "):
            m = re.match(r'sampledThread = "(.*?)"', s)
            thread = re.sub(r"\d+", "N", m.group(1)) if m else "?"
        elif s == "stackTrace = [":
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack:
            if s and s != "...":
                frames.append(s.split("(", 1)[0])
        elif line.startswith("}") and kind:
            out[kind][";".join([thread] + frames[::-1])] += 1
            kind = None
    if proc.wait() != 0:
        sys.exit(f"flame.py: `{' '.join(cmd)}` failed")
    return out


def read_collapsed(path):
    stacks = collections.Counter()
    for line in open(path, errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if stack and n.isdigit():
            stacks[stack] += int(n)
    return stacks


def write_collapsed(stacks, path):
    with open(path, "w") as f:
        for stack, n in sorted(stacks.items()):
            f.write(f"{stack} {n}\n")


# ---------------------------------------------------------------- summary
def plain(frame):
    """A frame without async-profiler's type annotation (_[j], _[k], ...), with dots for slashes."""
    return re.sub(r"_\[.\]$", "", frame).replace("/", ".")


def summary(stacks, label, top=25):
    total = sum(stacks.values())
    lines = [f"== {label}: {total:,} samples"]
    if not total:
        return lines
    threads, own, under = collections.Counter(), collections.Counter(), collections.Counter()
    for stack, n in stacks.items():
        frames = stack.split(";")
        threads[frames[0]] += n
        own[plain(frames[-1])] += n
        for f in set(plain(f) for f in frames[1:]):
            if f.startswith("dev.ferry."):
                under[f] += n
    lines.append("samples per thread:")
    lines += [f"  {n / total:6.1%}  {t}" for t, n in threads.most_common(8)]
    lines.append("frames with the most samples of their own:")
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    if under:
        lines.append("Ferry's own methods, by the samples under them:")
        lines += [f"  {n / total:6.1%}  {f}" for f, n in under.most_common(15)]
    return lines


# ---------------------------------------------------------------- SVG
class Node:
    __slots__ = ("name", "count", "children")

    def __init__(self, name):
        self.name, self.count, self.children = name, 0, {}


def color(name, depth):
    h = zlib.crc32(name.encode()) % 1000 / 1000
    if depth <= 1:  # all, the threads
        return "rgb(200,200,200)"
    if name.endswith("_[k]"):  # kernel
        return f"rgb({220 + int(h * 30)},{130 + int(h * 50)},40)"
    if re.search(r"_\[[jio01]\]$", name) or ("." in name or "/" in name) and "::" not in name:  # Java
        return f"rgb({60 + int(h * 60)},{170 + int(h * 50)},{60 + int(h * 40)})"
    return f"rgb({220 + int(h * 30)},{80 + int(h * 80)},{50 + int(h * 30)})"  # JVM, libc


def flame_svg(stacks, title, path, width=1400):
    root = Node("all")
    for stack, n in stacks.items():
        node = root
        node.count += n
        for f in stack.split(";"):
            node = node.children.setdefault(f, Node(f))
            node.count += n
    total = root.count or 1
    frames, depth_max = [], 0

    def walk(node, x, depth):
        nonlocal depth_max
        frames.append((x / total, node.count / total, depth, node.name, node.count))
        depth_max = max(depth_max, depth)
        for child in sorted(node.children.values(), key=lambda c: c.name):
            if child.count / total * width >= 0.5:  # narrower than a pixel: left out
                walk(child, x, depth + 1)
            x += child.count

    walk(root, 0, 0)
    fh, pad, top = 16, 10, 50
    height = top + (depth_max + 1) * fh + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans Mono, monospace" '
           f'font-size="11" onload="init()">',
           "<style>.f:hover rect{stroke:#000;stroke-width:.5} text{pointer-events:none}</style>",
           f'<rect width="{width}" height="{height}" fill="#f8f8f8" onclick="zoom(null)"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15" font-family="DejaVu Sans, sans-serif">'
           f"{html.escape(title)}</text>",
           f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#555" font-family="DejaVu Sans, sans-serif">'
           f"{total:,} samples; click a frame to zoom, below the graph to zoom out</text>"]
    for x, w, depth, name, count in frames:
        y = height - 30 - (depth + 1) * fh
        label = html.escape(name, quote=True)
        out.append(f'<g class="f" data-x="{x:.6f}" data-w="{w:.6f}" data-n="{label}" onclick="zoom(this)">'
                   f"<title>{label} ({count:,} samples, {w:.2%})</title>"
                   f'<rect y="{y}" height="{fh - 1}" rx="2" fill="{color(name, depth)}"/><text y="{y + 12}"></text></g>')
    out.append("""<script><![CDATA[
var W = %d, P = %d;
function place(fx, fw) {
  document.querySelectorAll("g.f").forEach(function (g) {
    var x = (g.dataset.x - fx) / fw, w = g.dataset.w / fw;
    if (x + w <= 0.000001 || x >= 0.999999) { g.style.display = "none"; return; }
    var a = Math.max(x, 0), b = Math.min(x + w, 1);
    g.style.display = "";
    var r = g.querySelector("rect"), t = g.querySelector("text"), px = (b - a) * (W - 2 * P);
    r.setAttribute("x", P + a * (W - 2 * P)); r.setAttribute("width", Math.max(px - 0.5, 0.1));
    t.setAttribute("x", P + a * (W - 2 * P) + 3);
    var n = g.dataset.n, c = Math.floor((px - 6) / 6.7);
    t.textContent = c < 3 ? "" : (n.length <= c ? n : n.slice(0, c - 2) + "..");
  });
}
function zoom(g) { if (g) place(+g.dataset.x, +g.dataset.w); else place(0, 1); }
function init() { place(0, 1); }
]]></script>""" % (width, pad))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("jfr")
    p.add_argument("file")
    p.add_argument("--jfr-tool", default="jfr")
    p.add_argument("--out", required=True)
    p.add_argument("--title", default="Ferry")
    p = sub.add_parser("collapsed")
    p.add_argument("file")
    p.add_argument("--out", required=True)
    p.add_argument("--title", default="Ferry")
    a = ap.parse_args()
    if a.cmd == "jfr":
        for kind, stacks in jfr_stacks(a.file, a.jfr_tool).items():
            write_collapsed(stacks, f"{a.out}-{kind}.collapsed")
            what = "Java code running (jdk.ExecutionSample)" if kind == "java" else "in native methods (jdk.NativeMethodSample)"
            flame_svg(stacks, f"{a.title}, {what}", f"{a.out}-{kind}.svg")
            print("\n".join(summary(stacks, f"{a.out}-{kind}.svg: {what}")) + "\n")
    else:
        stacks = read_collapsed(a.file)
        flame_svg(stacks, a.title, f"{a.out}.svg")
        print("\n".join(summary(stacks, f"{a.out}.svg")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
