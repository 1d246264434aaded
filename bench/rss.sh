#!/usr/bin/env bash
# Ferry's resident memory (VmRSS) under JVM flag sets (issue 14: "RSS idle <= 40 MiB"), with throughput beside it.
#
#   bench/rss.sh [--base N] [--rounds N] [--idle-s S] [--clients N] [--requests N] [--warmup N] [--p16 N]
#                [--sets FILE] [--only L1,L2] [--keep]
#
# Starts one Redis group with Sentinels on loopback (bench/group.sh; its own ports, base 12400 by default), then
# for each round and each flag set (the order rotates every round, so that no set always runs first or last):
#   1. starts Ferry as bench/run.sh does (bench/proxies.sh: one frontend following the Sentinels' `mymaster`,
#      plus the `role: replica` endpoint in the same process) and waits until both route (bench/tools.py route);
#   2. after --idle-s seconds idle (default 20) reads VmRSS (/proc/PID/status; also RssAnon, RssFile, Threads);
#   3. opens --clients idle client sessions (default 1000; AUTH + PING each, bench/idle_conns.py), waits 5 s,
#      reads VmRSS, closes them;
#   4. runs `redis-benchmark -t set,get -P 1 -c 50 -n N` through it, first --warmup N requests unrecorded (default
#      100000; 0: none), then --requests N (default 100000) measured, with Ferry's CPU time (/proc/PID/stat) around
#      it; with --p16 N also -P 16 -n N (default: not run); then reads VmRSS;
#   5. stops it.
# and prints a table: medians over the rounds, with the smallest and largest value beside each median.
# A flag set with -XX:NativeMemoryTracking=summary also gets `jcmd VM.native_memory summary` at the idle point
# and after the load, and `jcmd GC.class_histogram` after the load (a full GC, so last); every set gets
# `pmap -x` and /proc/PID/smaps at the idle point; with -XX:NativeMemoryTracking=detail, bench/rss_split.py
# splits the RSS by what holds it (NMT's categories for the JVM's own mappings, glibc malloc arenas, files).
# All of it is kept in the raw directory (printed at the end; --keep keeps the rest of the state too).
#
# Flag sets: the built-in list below, or --sets FILE with one set a line, four fields separated by `|`:
#   LABEL | ENV (e.g. MALLOC_ARENA_MAX=2, or -) | JAVA (a java binary, or - for java on PATH) | FLAGS
# In FLAGS, @launcher stands for deploy/jvm.options (the ./ferry launcher's flags). Lines starting with # are
# skipped. --only picks sets by label. @appcds in FLAGS stands for -XX:SharedArchiveFile= an archive this
# script makes first (appcds_archive below); @jar=PATH runs that jar instead of Ferry's. JAVA may be t25 for /usr/lib/jvm/temurin-25-jdk-amd64/bin/java.
# Environment: RSS_BASE (port base, as --base), FERRY_JAR (the jar to run; default: the working tree's, built
# by ./ferry when needed), PASS (Redis password, default benchpass), RSS_OUT (where to copy the raw data;
# default target/rss).
# Ports: redis BASE+1..+3, Ferry BASE+10 and its replica endpoint BASE+8, Sentinels BASE+20001..+20003. The
# default base keeps all of them below Linux's ephemeral range (32768-60999): the 1,000 clients' own ports, and
# those of test suites running beside, cannot take a Sentinel's port.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench
BENCH_NAME=rss
# shellcheck source=procs.sh
. "$HERE/procs.sh"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

BASE=${RSS_BASE:-12400} ROUNDS=2 IDLE_S=20 CLIENTS=1000 REQUESTS=100000 WARMUP=100000 P16=0 SETS_FILE="" ONLY=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=${2:?}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --idle-s) IDLE_S=${2:?}; shift ;;
    --clients) CLIENTS=${2:?}; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --warmup) WARMUP=${2:?}; shift ;;
    --p16) P16=${2:?}; shift ;;
    --sets) SETS_FILE=${2:?}; shift ;;
    --only) ONLY=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "rss: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in BASE ROUNDS IDLE_S CLIENTS REQUESTS WARMUP P16; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "rss: $v: '${!v}' is not a number" >&2; exit 2; }
done

LAUNCHER=$(cat "$ROOT/deploy/jvm.options")
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
# The built-in flag sets: the flags before issue 14's study, the launcher's (deploy/jvm.options and the
# launcher's MALLOC_ARENA_MAX=2), and the low-memory profile it did not adopt (C1 only: less RSS, more CPU per
# request). docs/BENCHMARKS-RSS.md has the sets the study ran.
DEFAULT_SETS=$(cat <<'EOF'
before          | - | - | -XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError -Xss512k -Dio.netty.leakDetection.level=disabled
launcher        | MALLOC_ARENA_MAX=2 | - | @launcher
c1              | MALLOC_ARENA_MAX=2 | - | @launcher -XX:TieredStopAtLevel=1
EOF
)
SETS_TEXT=$DEFAULT_SETS
[ -z "$SETS_FILE" ] || SETS_TEXT=$(cat "$SETS_FILE")
LABELS=()
declare -A SET_ENV=() SET_JAVA=() SET_FLAGS=()
while IFS='|' read -r label env java flags; do
  label=$(echo "$label" | xargs)
  [ -n "$label" ] && [ "${label:0:1}" != "#" ] || continue
  if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$label,"* ]]; then continue; fi
  env=$(echo "$env" | xargs) java=$(echo "$java" | xargs) flags=$(echo "$flags" | xargs)
  [ "$env" = - ] && env=""
  [ "$java" = - ] && java=java
  [ "$java" = t25 ] && java=$T25
  command -v "$java" >/dev/null 2>&1 || { echo "rss: set $label: no such java '$java'" >&2; exit 2; }
  LABELS+=("$label") SET_ENV[$label]=$env SET_JAVA[$label]=$java SET_FLAGS[$label]=${flags//@launcher/$LAUNCHER}
done <<<"$SETS_TEXT"
[ ${#LABELS[@]} -gt 0 ] || { echo "rss: no flag set to run" >&2; exit 2; }

for c in redis-server redis-sentinel redis-cli redis-benchmark python3 pmap; do
  command -v "$c" >/dev/null 2>&1 || { echo "rss: $c is needed" >&2; exit 2; }
done
PASS=${PASS:-benchpass}
DOWN_AFTER_MS=${DOWN_AFTER_MS:-5000}
ulimit -n $((CLIENTS * 2 + 1024)) 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -gt $((CLIENTS + 200)) ] \
  || { echo "rss: ulimit -n $(ulimit -n) is too low for $CLIENTS clients" >&2; exit 2; }

. "$HERE/ports.sh"
bench_ports
check_ports ferry ferry-replica

STATE=$(mktemp -d "${TMPDIR:-/tmp}/ferry-rss.XXXXXX")
RAW=$STATE/raw
LOGDIR=$RAW/logs
mkdir -p "$STATE/pid" "$LOGDIR"
RESULTS=$RAW/results.tsv
: >"$RESULTS"
install_cleanup
OUT=${RSS_OUT:-$ROOT/target/rss}
# Copies the raw data out on every exit, so that a failed or interrupted run leaves what it measured.
copy_raw() { rm -rf "$OUT"; mkdir -p "$(dirname "$OUT")"; cp -r "$RAW" "$OUT" 2>/dev/null || true; }
# (cleanup reads the exit status from $?; set +e first, or `(exit 1)` would end the trap there.)
on_exit() { local rc=$?; set +e; copy_raw; (exit "$rc"); cleanup; }
trap on_exit EXIT

. "$HERE/ferry_build.sh"
. "$HERE/group.sh"
. "$HERE/proxies.sh"
resolve_ferry   # builds the jar when needed and copies it to $STATE/ferry.jar (or FERRY_JAR's)
JAR=$STATE/ferry.jar
[ -f "$JAR" ] || die "no Ferry jar at $JAR"

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# appcds_archive LABEL: prints the path of a dynamic AppCDS archive for that set's java and flags (without
# @appcds), made once per set by a training run: Ferry started with -XX:ArchiveClassesAtExit, routed, 200 idle
# clients, a short load, then SIGTERM (the JVM writes the archive as it exits).
appcds_archive() {
  local label=$1 archive=$STATE/appcds-$1.jsa flags=() envs=()
  if [ ! -f "$archive" ]; then
    read -r -a flags <<<"${SET_FLAGS[$label]/@appcds/}"
    read -r -a envs <<<"${SET_ENV[$label]}"
    log "$label: training run for the AppCDS archive $archive" >&2
    FERRY_CMD=(env "${envs[@]}" "${SET_JAVA[$label]}" "${flags[@]}" -XX:ArchiveClassesAtExit="$archive" -jar "$JAR")
    FERRY_REPLICA=1
    start_proxy ferry >&2
    python3 "$HERE/idle_conns.py" --port "$FERRY_PORT" --password "$PASS" -n 200 </dev/null >/dev/null 2>&1 &
    local ic=$!
    sleep 3; kill "$ic" 2>/dev/null; wait "$ic" 2>/dev/null || true
    redis-benchmark -h 127.0.0.1 -p "$FERRY_PORT" -a "$PASS" -t set,get -P 1 -c 50 -n 20000 -q >/dev/null 2>&1 || true
    stop ferry
    cp "$LOGDIR/ferry.log" "$RAW/ferry-appcds-training-$label.log" 2>/dev/null || true
  fi
  [ -f "$archive" ] || return 1
  echo "$archive"
}

# benchmark PIPELINE N: redis-benchmark SET and GET through Ferry, -c 50, CSV on stdout.
benchmark() {
  timeout 600 redis-benchmark -h 127.0.0.1 -p "$FERRY_PORT" -a "$PASS" -t set,get -P "$1" -c 50 -n "$2" --csv \
    2>>"$LOGDIR/redis-benchmark.err" || die "redis-benchmark through Ferry failed"
}

# run_set LABEL ROUND: one fresh Ferry under that flag set, measured; one line in results.tsv.
run_set() {
  local label=$1 round=$2 java flags=() envs=() pid tag idle anon file threads with after out set get line
  java=${SET_JAVA[$label]}
  read -r -a envs <<<"${SET_ENV[$label]}"
  tag=$label-r$round
  local jar=$JAR fl=${SET_FLAGS[$label]}
  if [[ " $fl " =~ \ @jar=([^ ]+)\  ]]; then
    jar=${BASH_REMATCH[1]}
    fl=${fl/@jar=$jar/}
  fi
  if [[ " $fl " == *" @appcds "* ]]; then
    local archive
    archive=$(appcds_archive "$label") || die "no AppCDS archive for $label"
    fl=${fl/@appcds/-XX:SharedArchiveFile=$archive}
  fi
  read -r -a flags <<<"$fl"
  FERRY_CMD=(env "${envs[@]}" "$java" "${flags[@]}" -jar "$jar")
  FERRY_REPLICA=1
  log "round $round: $label: ${SET_ENV[$label]:+${SET_ENV[$label]} }$java ${flags[*]} -jar $jar"
  start_proxy ferry
  cp "$LOGDIR/ferry.log" "$RAW/ferry-$tag.log" 2>/dev/null || true
  pid=$(pid_of ferry)
  pause "$IDLE_S"
  idle=$(status_kb "$pid" VmRSS) anon=$(status_kb "$pid" RssAnon) file=$(status_kb "$pid" RssFile)
  threads=$(status_kb "$pid" Threads)
  pmap -x "$pid" >"$RAW/pmap-$tag.txt" 2>&1 || true
  cat "/proc/$pid/smaps" >"$RAW/smaps-$tag.txt" 2>/dev/null || true
  cat /proc/"$pid"/task/*/comm 2>/dev/null | sed 's/[0-9]\+$/N/' | sort | uniq -c | sort -rn >"$RAW/threads-$tag.txt" || true
  local jcmd
  jcmd=$(dirname "$(readlink -f "$(command -v "$java")")")/jcmd
  if [[ " ${flags[*]} " == *NativeMemoryTracking=* ]]; then
    "$jcmd" "$pid" VM.native_memory summary >"$RAW/nmt-idle-$tag.txt" 2>&1 || true
    "$jcmd" "$pid" GC.heap_info >"$RAW/heap-idle-$tag.txt" 2>&1 || true
    if [[ " ${flags[*]} " == *NativeMemoryTracking=detail* ]]; then
      "$jcmd" "$pid" VM.native_memory detail >"$RAW/nmt-detail-idle-$tag.txt" 2>&1 || true
      python3 "$HERE/rss_split.py" "$RAW/smaps-$tag.txt" "$RAW/nmt-detail-idle-$tag.txt" >"$RAW/split-idle-$tag.txt" 2>&1 || true
    fi
  fi
  spawn idle python3 "$HERE/idle_conns.py" --port "$FERRY_PORT" --password "$PASS" -n "$CLIENTS"
  for i in $(seq 1800); do
    grep -q '^ready' "$LOGDIR/idle.log" 2>/dev/null && break
    kill -0 "$(pid_of idle)" 2>/dev/null || die "idle_conns.py exited early: $(cat "$LOGDIR/idle.log")"
    [ "$i" = 1800 ] && die "$CLIENTS idle sessions not ready in 180 s"
    sleep 0.1
  done
  read -r _ opened failed _ <"$LOGDIR/idle.log"
  [ "$failed" = 0 ] || log "$label: $failed of $CLIENTS idle sessions failed"
  pause 5
  with=$(status_kb "$pid" VmRSS)
  stop idle
  pause 1
  # A warm-up run first (the JIT compiles the data path), then the measured one, with Ferry's CPU time around it.
  [ "$WARMUP" = 0 ] || benchmark 1 "$WARMUP" >/dev/null
  local t0 t1 p16=("" "")
  t0=$(cpu_ticks "$pid")
  out=$(benchmark 1 "$REQUESTS")
  t1=$(cpu_ticks "$pid")
  set=$(echo "$out" | tr -d '"' | awk -F, '$1 == "SET" { print $2 }')
  get=$(echo "$out" | tr -d '"' | awk -F, '$1 == "GET" { print $2 }')
  # Ferry's CPU seconds per million requests (SET and GET together).
  cpu=$(awk -v d=$((t1 - t0)) -v t="$(getconf CLK_TCK)" -v n="$REQUESTS" 'BEGIN { printf "%.2f", d / t / (2 * n) * 1e6 }')
  if [ "$P16" -gt 0 ]; then
    out=$(benchmark 16 "$P16")
    p16=("$(echo "$out" | tr -d '"' | awk -F, '$1 == "SET" { print $2 }')" "$(echo "$out" | tr -d '"' | awk -F, '$1 == "GET" { print $2 }')")
  fi
  pause 2
  after=$(status_kb "$pid" VmRSS)
  if [[ " ${flags[*]} " == *NativeMemoryTracking=* ]]; then
    "$jcmd" "$pid" VM.native_memory summary >"$RAW/nmt-after-$tag.txt" 2>&1 || true
    if [[ " ${flags[*]} " == *NativeMemoryTracking=detail* ]]; then
      cat "/proc/$pid/smaps" >"$RAW/smaps-after-$tag.txt" 2>/dev/null || true
      "$jcmd" "$pid" VM.native_memory detail >"$RAW/nmt-detail-after-$tag.txt" 2>&1 || true
      python3 "$HERE/rss_split.py" "$RAW/smaps-after-$tag.txt" "$RAW/nmt-detail-after-$tag.txt" >"$RAW/split-after-$tag.txt" 2>&1 || true
    fi
    "$jcmd" "$pid" GC.class_histogram >"$RAW/histo-$tag.txt" 2>&1 || true
  fi
  kill -0 "$pid" 2>/dev/null || die "Ferry exited under $label (log: $LOGDIR/ferry.log)"
  stop ferry
  cp "$LOGDIR/ferry.log" "$RAW/ferry-$tag.log" 2>/dev/null || true
  line=$(printf '%s\t' "$label" "$round" "$idle" "$anon" "$file" "$threads" "$with" "$opened" "$after" "$set" "$get" \
    "$cpu" "${p16[0]}")
  echo "$line${p16[1]}" >>"$RESULTS"
  log "$label: RSS idle $(mib "$idle") MiB (anon $(mib "$anon"), file $(mib "$file"); $threads threads)," \
    "with $opened clients $(mib "$with"), after load $(mib "$after"); SET $set, GET $get req/s -P 1" \
    "($cpu CPU s per 1M)${p16[0]:+; -P 16: SET ${p16[0]}, GET ${p16[1]}}"
}

log "state in $STATE; ports: redis ${REDIS_PORTS[*]}, sentinels ${SENTINEL_PORTS[*]}, Ferry $FERRY_PORT/$FERRY_REPLICA_PORT"
log "Ferry: $FERRY_VERSION, $FERRY_SOURCE; ${#LABELS[@]} flag sets x $ROUNDS rounds"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); loadavg at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "ferry: $FERRY_VERSION, $FERRY_SOURCE"
  for l in "${LABELS[@]}"; do
    echo "set $l: ${SET_ENV[$l]:+${SET_ENV[$l]} }${SET_JAVA[$l]} (${SET_JAVA[$l]:+$("${SET_JAVA[$l]}" -version 2>&1 | head -1)}) ${SET_FLAGS[$l]}"
  done
} >"$RAW/meta.txt"
group_up
n=${#LABELS[@]}
for r in $(seq "$ROUNDS"); do
  for k in $(seq 0 $((n - 1))); do run_set "${LABELS[$(((k + r - 1) % n))]}" "$r"; done
done
group_down
echo "loadavg at the end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/meta.txt"

# The table: per set, the median over the rounds and [min-max].
python3 - "$RESULTS" "$CLIENTS" "${LABELS[@]}" <<'EOF' | tee "$RAW/table.md"
import statistics, sys
path, clients, labels = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
for line in open(path):
    f = line.rstrip("\n").split("\t")
    rows.setdefault(f[0], []).append(f)
def cell2(vals):
    vals = [float(v) for v in vals if v not in ("", "?")]
    if not vals:
        return "-"
    med = statistics.median(vals)
    return f"{med:.2f}" if len(vals) == 1 else f"{med:.2f} [{min(vals):.2f}-{max(vals):.2f}]"
def cell(vals, mib=True):
    vals = [float(v) / (1024 if mib else 1) for v in vals if v not in ("", "?")]
    if not vals:
        return "-"
    fmt = (lambda v: f"{v:.1f}") if mib else (lambda v: f"{v:,.0f}")
    med = statistics.median(vals)
    return fmt(med) if len(vals) == 1 else f"{fmt(med)} [{fmt(min(vals))}-{fmt(max(vals))}]"
p16 = any(len(x) > 13 and x[12] for r in rows.values() for x in r)
print(f"| flag set | RSS idle MiB | of which anon / file | threads | with {int(clients):,} idle clients | after load "
      f"| SET req/s | GET req/s | Ferry CPU s / 1M req |" + (" SET -P 16 | GET -P 16 |" if p16 else ""))
print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if p16 else ""))
for l in labels:
    r = rows.get(l, [])
    col = lambda i: [x[i] for x in r]
    anon = cell(col(3)).split(" ")[0]; file = cell(col(4)).split(" ")[0]
    print(f"| {l} | {cell(col(2))} | {anon} / {file} | {cell(col(5), False)} | {cell(col(6))} | {cell(col(8))} "
          f"| {cell(col(9), False)} | {cell(col(10), False)} | {cell2(col(11))} |"
          + (f" {cell(col(12), False)} | {cell(col(13), False)} |" if p16 else ""))
EOF
log "raw data (results.tsv, pmap, NMT, logs): $OUT"
