#!/usr/bin/env python3
"""Splits a JVM's resident memory by what holds it: rss_split.py SMAPS NMT_DETAIL

SMAPS is a copy of /proc/PID/smaps, NMT_DETAIL the output of `jcmd PID VM.native_memory detail` (the JVM run
with -XX:NativeMemoryTracking=detail), taken one after the other. Each mapping's Rss goes to:
  - the NMT category of the region the JVM reserved there (Java Heap, Class, Metaspace, Code, Thread Stack, ...),
    by the largest overlap;
  - "malloc: glibc arenas" for anonymous mappings NMT does not know that start on a 64 MiB boundary (glibc's
    per-thread arenas) or continue one, and "malloc: main arena" for [heap]: everything malloc holds, which NMT
    counts as `malloc:` in its summary only while it is in use (the difference is freed memory glibc keeps);
  - the file's name for file mappings (Anonymous: its copy-on-write pages, e.g. the CDS archive's);
  - "other anonymous" for the rest (mmap by native libraries: Netty, io_uring rings, ...).
Prints one line per category in MiB, largest first, and the total (VmRSS). Standard library only.
"""
import re
import sys
from collections import defaultdict

ARENA = 64 << 20


def smaps(path):
    maps, cur = [], None
    head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
    for line in open(path):
        m = head.match(line)
        if m:
            cur = {"start": int(m[1], 16), "end": int(m[2], 16), "perms": m[3], "name": m[4].strip(),
                   "rss": 0, "anon": 0}
            maps.append(cur)
        elif cur is not None and line.startswith(("Rss:", "Anonymous:")):
            k, v = line.split()[:2]
            cur["rss" if k == "Rss:" else "anon"] = int(v)
    return maps


def nmt(path):
    regions, malloc = [], None
    reserved = re.compile(r"^\[0x([0-9a-f]+) - 0x([0-9a-f]+)\] reserved \d+KB for (.+?)(?: from.*)?$")
    for line in open(path):
        m = reserved.match(line.strip())
        if m:
            regions.append((int(m[1], 16), int(m[2], 16), m[3].strip()))
        m2 = re.match(r"^\s*malloc: (\d+)KB", line)
        if m2 and malloc is None:
            malloc = int(m2[1])
    return sorted(regions), malloc


def main():
    maps, (regions, malloc) = smaps(sys.argv[1]), nmt(sys.argv[2])
    cat = defaultdict(lambda: [0, 0])
    prev_arena_end = None
    for mp in maps:
        name, where = mp["name"], None
        if name.startswith("/"):
            where = "file " + name.split("/")[-1].replace(" (deleted)", "")
        elif name == "[heap]":
            where = "malloc: main arena ([heap])"
        elif name == "[stack]":
            where = "main thread stack"
        elif name:
            where = name
        else:
            best = 0
            for s, e, c in regions:
                o = min(e, mp["end"]) - max(s, mp["start"])
                if o > best:
                    best, where = o, "NMT " + c
            if where is None:
                if mp["start"] % ARENA == 0 or mp["start"] == prev_arena_end:
                    where = "malloc: glibc arenas"
                    prev_arena_end = mp["end"]
                else:
                    where = "other anonymous (not in NMT)"
        cat[where][0] += mp["rss"]
        cat[where][1] += mp["anon"]
    total = sum(v[0] for v in cat.values())
    print(f"{'where':48} {'RSS MiB':>8} {'of which anonymous':>20}")
    for k, (r, a) in sorted(cat.items(), key=lambda kv: -kv[1][0]):
        if r >= 64:
            print(f"{k:48} {r / 1024:8.1f} {a / 1024:20.1f}")
    small = sum(r for r, _ in cat.values() if r < 64)
    print(f"{'(mappings under 64 KiB each category)':48} {small / 1024:8.1f}")
    print(f"{'total (VmRSS)':48} {total / 1024:8.1f}")
    arenas = cat["malloc: glibc arenas"][0] + cat["malloc: main arena ([heap])"][0]
    if malloc is not None:
        print(f"NMT counts {malloc / 1024:.1f} MiB malloc'd and in use; glibc's arenas hold {arenas / 1024:.1f} MiB resident")


if __name__ == "__main__":
    main()
