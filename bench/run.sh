#!/usr/bin/env bash
# Ferry against its peers, HAProxy and twemproxy, and against no proxy at all, on one machine, on loopback.
#
#   bench/run.sh            full run (20 minutes on a quiet machine, over 30 on a busy one): writes
#                           docs/BENCHMARKS.md and docs/bench-throughput.svg
#   bench/run.sh --quick    for iteration (2-3 minutes): -P 1 and -P 16 at -c 50, 2 rounds, no replica step, no idle
#                           sessions and no failover; prints the ratio and verdict tables, writes target/bench-quick/
#   bench/run.sh --smoke    a quick pass over every step (about two minutes): writes target/bench-smoke/
#
# It starts a Redis group (3 redis-server with requirepass: one master, two replicas; 3 Sentinels, quorum 2,
# down-after 5000 ms) and the targets (bench/proxies.sh):
#   direct          redis-benchmark against the master itself
#   haproxy         the seed document's exact HAProxy backend (tcp-check AUTH, PING, info replication, expect
#                   role:master, QUIT; check inter 3s; timeouts 3s/6s/6s; its stats listener)
#   haproxy-tuned   HAProxy with today's best-practice checks (inter 1s fall 1 rise 1, on-marked-down
#                   shutdown-sessions, balance first, timeout check 1s)
#   twemproxy       Debian's nutcracker with the master as its one server, its defaults, redis_auth
#   ferry           Ferry (see FERRY_* below); ferry-alt: a second Ferry, another build, JVM or flags
# and, for the replica step (5 below), beside them:
#   direct-replica  redis-benchmark against one replica itself (redis1)
#   ferry-replica   a second frontend of the same Ferry, on its own port: `role: replica`, every replica key at
#                   its default (max-lag 1s, replica-fallback master, read-from-master false)
#   haproxy-replica the seed's HAProxy configuration for reads: its tcp-check expecting role:slave, the two
#                   replicas as servers, balance roundrobin
# then measures, all in one run so that every figure can be read as a ratio of the same run:
#   1. redis-benchmark SET and GET at -P 1 -c 50, -P 1 -c 500 and -P 16 -c 50 (bench/load.sh), targets
#      alternating, after a warm-up per target; medians over rounds of req/s, p50, p99;
#   2. CPU seconds per million requests of each proxy process and of the master (/proc/PID/stat utime+stime);
#   3. each proxy's RSS idle, after the load, and holding N idle client sessions, with the connections it
#      then holds on the master (bench/idle.sh, bench/idle_conns.py, bench/tools.py master-conns);
#   4. failover: FAILOVER TO and kill -9 of the master, each on a freshly started group, with a client writing
#      every 10 ms on new connections and one on a persistent connection (bench/failover.sh, bench/writer.py);
#      twemproxy takes no part: it does not follow Sentinel;
#   5. reads from the replicas (issue 17), after step 1 in the same group: redis-benchmark GET at -P 1 -c 50 and
#      -P 16 -c 50 against direct, direct-replica, ferry, ferry-replica, haproxy and haproxy-replica (those whose
#      proxy is among the targets), alternating as in step 1, medians over rounds; and how many GETs each node
#      ran during each run (INFO commandstats), which shows how the replica endpoints spread the reads.
# bench/report.py turns the raw data into the report, with a verdict table against issue 14's targets.
# Everything it starts is stopped on exit, on error and on Ctrl-C; all state is in a temp dir.
#
# Options:
#   --smoke | --quick       the modes above
#   --targets LIST          comma- or space-separated, of direct,haproxy,haproxy-tuned,twemproxy,ferry,ferry-alt
#                           (also TARGETS="..."; default: all but ferry-alt, plus ferry-alt when configured;
#                           quick and smoke: without haproxy-tuned)
#   --out DIR               write the report, chart and raw data to DIR
#   --base N                port base (default 9000; smoke 9100, quick 9300); see bench/ports.sh
#   --rounds N              rounds of the throughput comparison (default 3; quick 2)
#   --requests N            redis-benchmark -n at -P 1 (default 200000; quick 100000)
#   --requests-pipelined N  redis-benchmark -n at -P 16 (default 2000000; quick 1000000)
#   --idle N                idle sessions held through each proxy (default 10000; quick: none unless given)
#   --no-tuned | --no-idle | --no-failover | --no-replica    skip that part
#   --replica               run the replica step in --quick too (it is on in the full run and in --smoke)
#   --failover-targets LIST   comma-separated, of haproxy,haproxy-tuned,ferry,ferry-alt (default: those of the
#                           targets; smoke: ferry, plus ferry-alt likewise)
#   --failover-scenarios LIST comma-separated, of failover-to,kill9 (default: both; smoke: failover-to)
#   --ferry-rev REV         benchmark Ferry as committed at git REV (built in the temp dir), not the working tree
#   --keep                  keep the temp dir (configs, logs) and print its path
# Environment:
#   FERRY_JAR | FERRY_CLASSPATH   run this Ferry jar | class path (the JUnit smoke test uses the latter)
#   FERRY_JAVA            the java binary for Ferry (default: java on PATH), e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   FERRY_JAVA_OPTS       JVM flags for Ferry (default: the ./ferry launcher's)
#   FERRY_MODE            Ferry's `mode:` (default: none written, Ferry's default)
#   A second Ferry, "ferry-alt" (port base+11), joins the comparison when any of these is set; each defaults to
#   Ferry's own, so set only what differs (before/after measurements of one change, one JVM against another):
#   FERRY_ALT_JAR | FERRY_ALT_REV   its jar | a git revision to build it from
#   FERRY_ALT_JAVA        its java binary
#   FERRY_ALT_JAVA_OPTS   its JVM flags (FERRY_ALT_OPTS is read as the same)
#   FERRY_ALT_MODE        its `mode:` (e.g. tcp, while Ferry has that mode)
#   FERRY_ALT_LABEL       its name in the report (default: what differs, e.g. "Ferry B (git 1a2b3c4, Java 25)")
#   PASS (Redis password, default benchpass); DOWN_AFTER_MS (Sentinel down-after-milliseconds, default 5000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench
BENCH_NAME=bench
INVOCATION="bench/run.sh${*:+ $*}"
for v in TARGETS FERRY_JAVA FERRY_JAVA_OPTS FERRY_MODE FERRY_JAR FERRY_ALT_JAR FERRY_ALT_REV FERRY_ALT_JAVA \
         FERRY_ALT_JAVA_OPTS FERRY_ALT_OPTS FERRY_ALT_MODE FERRY_ALT_LABEL; do
  [ -z "${!v:-}" ] || INVOCATION="$v=\"${!v}\" $INVOCATION"
done
# shellcheck source=procs.sh
. "$HERE/procs.sh"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

MODE=full OUT="" FERRY_REV="" FO_TARGETS="" FO_SCENARIOS="" BASE="" ROUNDS="" N1="" N16="" IDLE="" TUNED=1 DO_IDLE=1
DO_FAILOVER=1 DO_REPLICA="" KEEP=0 TARGET_LIST=${TARGETS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --quick) MODE=quick ;;
    --targets) TARGET_LIST=${2:?--targets needs a list}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --base) BASE=${2:?--base needs a port}; shift ;;
    --ferry-rev) FERRY_REV=${2:?--ferry-rev needs a git revision}; shift ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --requests) N1=${2:?}; shift ;;
    --requests-pipelined) N16=${2:?}; shift ;;
    --idle) IDLE=${2:?}; shift ;;
    --no-tuned) TUNED=0 ;;
    --no-idle) DO_IDLE=0 ;;
    --no-failover) DO_FAILOVER=0 ;;
    --no-replica) DO_REPLICA=0 ;;
    --replica) DO_REPLICA=1 ;;
    --failover-targets) FO_TARGETS=${2:?}; shift ;;
    --failover-scenarios) FO_SCENARIOS=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
declare -A OPTION_OF=([ROUNDS]=--rounds [N1]=--requests [N16]=--requests-pipelined [IDLE]=--idle [BASE]=--base)
for v in "${!OPTION_OF[@]}"; do
  [[ "${!v}" =~ ^[0-9]*$ ]] || { echo "bench: ${OPTION_OF[$v]}: '${!v}' is not a number" >&2; exit 2; }
done

# A second Ferry is configured when any FERRY_ALT_* says how it differs (bench/ferry_build.sh).
ALT_CONFIGURED=0
[ -z "${FERRY_ALT_JAR:-}${FERRY_ALT_REV:-}${FERRY_ALT_JAVA:-}${FERRY_ALT_JAVA_OPTS:-}${FERRY_ALT_OPTS:-}${FERRY_ALT_MODE:-}" ] \
  || ALT_CONFIGURED=1
ALT=""
[ "$ALT_CONFIGURED" = 0 ] || ALT=ferry-alt
case "$MODE" in
  smoke)
    BASE=${BASE:-9100} ROUNDS=${ROUNDS:-1} N1=${N1:-2000} N16=${N16:-2000} IDLE=${IDLE:-200}
    WARMUP=0 OUT=${OUT:-$ROOT/target/bench-smoke} CONFIGS=(1:50 1:500 16:50)
    DEFAULT_TARGETS="direct haproxy twemproxy ferry $ALT" DEFAULT_FO=(ferry $ALT) DEFAULT_SCENARIOS=(failover-to)
    PRE_S=1 POST_FAILOVER_TO_S=6 POST_KILL_S=12 DO_REPLICA=${DO_REPLICA:-1} SETTLE_S=2 ;;
  quick)
    BASE=${BASE:-9300} ROUNDS=${ROUNDS:-2} N1=${N1:-100000} N16=${N16:-1000000}
    [ -n "$IDLE" ] || DO_IDLE=0
    DO_FAILOVER=0 WARMUP=1 OUT=${OUT:-$ROOT/target/bench-quick} CONFIGS=(1:50 16:50)
    DEFAULT_TARGETS="direct haproxy twemproxy ferry $ALT" DEFAULT_FO=() DEFAULT_SCENARIOS=()
    PRE_S=0 POST_FAILOVER_TO_S=0 POST_KILL_S=0 DO_REPLICA=${DO_REPLICA:-0} SETTLE_S=20 ;;
  full)
    # Runs under a second were too noisy here (direct GET -P 16 ranged 0.54M-1.41M req/s at -n 500000).
    BASE=${BASE:-9000} ROUNDS=${ROUNDS:-3} N1=${N1:-200000} N16=${N16:-2000000} IDLE=${IDLE:-10000} WARMUP=1
    CONFIGS=(1:50 1:500 16:50)
    DEFAULT_TARGETS="direct haproxy haproxy-tuned twemproxy ferry $ALT" DEFAULT_FO=(haproxy haproxy-tuned ferry $ALT)
    DEFAULT_SCENARIOS=(failover-to kill9) DO_REPLICA=${DO_REPLICA:-1}
    # FAILOVER TO: Sentinel fails over a second time ~40 s later; 55 s after the command covers that too.
    PRE_S=2 POST_FAILOVER_TO_S=${POST_FAILOVER_TO_S:-55} POST_KILL_S=${POST_KILL_S:-25} SETTLE_S=20 ;;
esac
IDLE=${IDLE:-0}
read -r -a TARGETS <<<"${TARGET_LIST//,/ }"
[ ${#TARGETS[@]} -gt 0 ] || read -r -a TARGETS <<<"$DEFAULT_TARGETS"
[ "$TUNED" = 1 ] || TARGETS=("${TARGETS[@]/haproxy-tuned/}")
read -r -a TARGETS <<<"${TARGETS[*]}"
for t in "${TARGETS[@]}"; do
  case "$t" in
    direct|haproxy|haproxy-tuned|twemproxy|ferry) ;;
    ferry-alt) [ "$ALT_CONFIGURED" = 1 ] || { echo "bench: target ferry-alt needs a FERRY_ALT_* setting (see --help)" >&2; exit 2; } ;;
    *) echo "bench: unknown target '$t' (direct, haproxy, haproxy-tuned, twemproxy, ferry, ferry-alt)" >&2; exit 2 ;;
  esac
done
has_target() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
PROXIES=()
for t in "${TARGETS[@]}"; do [ "$t" = direct ] || PROXIES+=("$t"); done

FAILOVER_TARGETS=() FAILOVER_SCENARIOS=("${DEFAULT_SCENARIOS[@]}")
if [ -n "$FO_TARGETS" ]; then
  IFS=, read -r -a FAILOVER_TARGETS <<<"$FO_TARGETS"
else
  for t in "${DEFAULT_FO[@]}"; do has_target "$t" && FAILOVER_TARGETS+=("$t"); done
fi
[ -z "$FO_SCENARIOS" ] || IFS=, read -r -a FAILOVER_SCENARIOS <<<"$FO_SCENARIOS"
[ "$DO_FAILOVER" = 1 ] || FAILOVER_TARGETS=()
for t in "${FAILOVER_TARGETS[@]}"; do
  case "$t" in
    haproxy|haproxy-tuned|ferry) ;;
    ferry-alt) [ "$ALT_CONFIGURED" = 1 ] || { echo "bench: --failover-targets: ferry-alt needs a FERRY_ALT_* setting" >&2; exit 2; } ;;
    twemproxy) echo "bench: --failover-targets: twemproxy does not follow Sentinel; it cannot take part" >&2; exit 2 ;;
    *) echo "bench: --failover-targets: unknown target '$t'" >&2; exit 2 ;;
  esac
done
for t in "${FAILOVER_SCENARIOS[@]}"; do
  case "$t" in failover-to|kill9) ;; *) echo "bench: --failover-scenarios: unknown scenario '$t'" >&2; exit 2 ;; esac
done
# The replica step: each proxy's master endpoint beside its replica counterpart, as far as the proxy is a target.
READ_TARGETS=() READ_CONFIGS=(1:50 16:50) REPLICA_PROXIES=()
if [ "$DO_REPLICA" = 1 ]; then
  READ_TARGETS=(direct direct-replica)
  if has_target ferry; then READ_TARGETS+=(ferry ferry-replica); fi
  if has_target haproxy; then READ_TARGETS+=(haproxy haproxy-replica) REPLICA_PROXIES+=(haproxy-replica); fi
fi
for v in FERRY_MODE FERRY_ALT_MODE; do
  case "${!v:-}" in redis|tcp|"") ;; *) echo "bench: $v='${!v}' is not a Ferry mode; use redis or tcp" >&2; exit 2 ;; esac
done
PASS=${PASS:-benchpass}
DOWN_AFTER_MS=${DOWN_AFTER_MS:-5000}

# ---------------------------------------------------------------- tools, limits, ports
need=(redis-server redis-sentinel redis-cli redis-benchmark java)
has_target haproxy || has_target haproxy-tuned || [ ${#FAILOVER_TARGETS[@]} -gt 0 ] && need+=(haproxy)
has_target twemproxy && need+=(nutcracker)
for c in "${need[@]}"; do
  if ! command -v "$c" >/dev/null 2>&1; then
    log "installing missing tools (scripts/install-deps.sh --with-haproxy --with-nutcracker)"
    "$ROOT/scripts/install-deps.sh" --with-haproxy --with-nutcracker >&2
    break
  fi
done
command -v python3 >/dev/null 2>&1 || die "python3 is needed (standard library only)"
command -v getconf >/dev/null 2>&1 || die "getconf is needed (clock ticks per second)"

# 10,000 proxied sessions need 10,000 descriptors in the client, and in a proxy one per session plus one per
# master connection (up to 20,000 for a 1:1 proxy): raise the limit as far as this machine lets us.
NOFILE_NOTE=""
ulimit -Hn 65536 2>/dev/null || NOFILE_NOTE="the hard limit, which this machine does not let the script raise: no CAP_SYS_RESOURCE"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
[ "$NOFILE" = unlimited ] && NOFILE=1048576
HAPROXY_MAXCONN=30000
# HAProxy refuses to start when maxconn needs more descriptors than it may open (2 per session + a few).
[ $((HAPROXY_MAXCONN * 2 + 100)) -le "$NOFILE" ] || HAPROXY_MAXCONN=$(((NOFILE - 100) / 2))
# idle_sessions_for PROXY: the idle client's own descriptors bound every target; HAProxy's maxconn bounds it.
idle_sessions_for() {
  local n=$IDLE
  [ "$n" -le $((NOFILE - 200)) ] || n=$((NOFILE - 200))
  case "$1" in haproxy|haproxy-tuned) [ "$n" -le $((HAPROXY_MAXCONN - 50)) ] || n=$((HAPROXY_MAXCONN - 50)) ;; esac
  echo "$n"
}

. "$HERE/ports.sh"
bench_ports
check_ports "${TARGETS[@]}" "${FAILOVER_TARGETS[@]}" "${READ_TARGETS[@]}"

# ---------------------------------------------------------------- state, raw data
STATE=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
RAW=$STATE/raw
LOGDIR=$RAW/main
mkdir -p "$STATE/pid" "$LOGDIR"
RESULTS=$RAW/results.tsv
: >"$RESULTS"
install_cleanup
record() { (IFS=$'\t'; echo "$*") >>"$RESULTS"; }
CLK_TCK=$(getconf CLK_TCK)

. "$HERE/ferry_build.sh"
. "$HERE/group.sh"
. "$HERE/proxies.sh"
. "$HERE/load.sh"
. "$HERE/idle.sh"
. "$HERE/failover.sh"

if has_target ferry || has_target ferry-alt || [ ${#FAILOVER_TARGETS[@]} -gt 0 ]; then resolve_ferry; fi

# ---------------------------------------------------------------- machine and versions
meta() { record meta "$1" "$2"; }
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta invocation "$INVOCATION"
meta loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
meta mode "$MODE"
meta targets "${TARGETS[*]}"
meta configs "${CONFIGS[*]}"
meta nproc "$(nproc)"
meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
meta kernel "$(uname -sr)"
meta memory "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta redis "$(redis-server --version | sed 's/^Redis server //; s/ sha=.*//')"
command -v haproxy >/dev/null && meta haproxy "$(haproxy -v 2>&1 | head -1 | sed 's/ - https.*//')"
command -v nutcracker >/dev/null && meta twemproxy "$(nutcracker -V 2>&1 | head -1 | sed 's/^This is //') ($(dpkg-query -W -f='${Version}' nutcracker 2>/dev/null || echo 'not a Debian package'))"
meta python "$(python3 --version 2>&1)"
if [ -n "${FERRY_CMD:-}" ]; then
  meta ferry "$FERRY_VERSION, $FERRY_SOURCE"
  meta ferry_java "$FERRY_JAVA: $FERRY_JAVA_VERSION"
  meta ferry_java_opts "$FERRY_JAVA_OPTS"
  meta ferry_mode "${FERRY_MODE:-}"
fi
if [ "${FERRY_ALT:-0}" = 1 ]; then
  meta ferry_alt "$FERRY_ALT_VERSION, $FERRY_ALT_SOURCE"
  meta ferry_alt_java "$FERRY_ALT_JAVA: $FERRY_ALT_JAVA_VERSION"
  meta ferry_alt_java_opts "${FERRY_ALT_JAVA_OPTS:-$FERRY_JAVA_OPTS}"
  meta ferry_alt_mode "${FERRY_ALT_MODE:-${FERRY_MODE:-}}"
  meta ferry_alt_label "${FERRY_ALT_LABEL:-}"
fi
meta nofile "$NOFILE"
meta nofile_note "$NOFILE_NOTE"
meta haproxy_maxconn "$HAPROXY_MAXCONN"
meta base "$BASE"
meta rounds "$ROUNDS"
meta warmup "$WARMUP"
meta n_p1 "$N1"
meta n_p16 "$N16"
meta idle "$([ "$DO_IDLE" = 1 ] && echo "$IDLE" || echo 0)"
meta down_after_ms "$DOWN_AFTER_MS"
meta pre_s "$PRE_S"
meta post_failover_to_s "$POST_FAILOVER_TO_S"
meta post_kill_s "$POST_KILL_S"
meta bench_cmd "redis-benchmark -h 127.0.0.1 -p PORT -a PASS -t set|get -c 50|500 -n N -P 1|16 --csv"
meta read_targets "${READ_TARGETS[*]}"
meta read_configs "${READ_CONFIGS[*]}"

# ---------------------------------------------------------------- 1-3: throughput, CPU, memory; 5: reads
log "state in $STATE; targets ${TARGETS[*]}; ports: redis ${REDIS_PORTS[*]}, sentinels ${SENTINEL_PORTS[*]}"
log "starting the Redis group and the proxies (${PROXIES[*]})"
group_up
# Ferry's replica endpoint is a second frontend of the same process, there from the start (so Ferry's idle RSS
# and the rest of its figures include it), in this group only: the failover runs start Ferry without it.
FERRY_REPLICA=0
if [ ${#READ_TARGETS[@]} -gt 0 ] && has_target ferry; then FERRY_REPLICA=1; fi
for p in "${PROXIES[@]}" "${REPLICA_PROXIES[@]}"; do start_proxy "$p"; done
FERRY_REPLICA=0
cp "$STATE"/*.cfg "$STATE"/*.yml "$STATE"/*.yaml "$RAW/" 2>/dev/null || true
# Idle RSS is read once a proxy has settled: a JVM is still starting 2 s in (its compilers' memory not yet
# given back: Ferry read 92 MiB there, ~81 MiB from ~10 s on; docs/BENCHMARKS-RSS.md); the C proxies do not move.
pause "$SETTLE_S"
meta settle_s "$SETTLE_S"
for p in "${PROXIES[@]}"; do record rss "$p" idle "$(rss_kb "$(pid_of "$p")")"; done
run_load
for p in "${PROXIES[@]}"; do record rss "$p" after-load "$(rss_kb "$(pid_of "$p")")"; done
if [ ${#READ_TARGETS[@]} -gt 0 ]; then
  log "replica step: GET through ${READ_TARGETS[*]}"
  run_reads
  for p in "${REPLICA_PROXIES[@]}"; do stop "$p"; done
fi
if [ "$DO_IDLE" = 1 ] && [ "$IDLE" -gt 0 ]; then
  for p in "${PROXIES[@]}"; do hold_idle_sessions "$p" "$(idle_sessions_for "$p")"; done
fi
for p in "${PROXIES[@]}"; do stop "$p"; done
group_down

# ---------------------------------------------------------------- 4: failover
for s in "${FAILOVER_SCENARIOS[@]}"; do
  for t in "${FAILOVER_TARGETS[@]}"; do failover_one "$t" "$s"; done
done

# ---------------------------------------------------------------- report
if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  REPORT=$OUT/BENCHMARKS.md CHART=$OUT/bench-throughput.svg RAW_COPY=$OUT/raw
else
  mkdir -p "$ROOT/docs"
  REPORT=$ROOT/docs/BENCHMARKS.md CHART=$ROOT/docs/bench-throughput.svg RAW_COPY=$ROOT/target/bench/raw
fi
rm -rf "$RAW_COPY"
mkdir -p "$(dirname "$RAW_COPY")"
cp -r "$RAW" "$RAW_COPY" 2>/dev/null || log "could not copy the raw data to $RAW_COPY"
python3 "$HERE/report.py" --raw "$RAW" --report "$REPORT" --chart "$CHART" --summary
log "report: $REPORT; chart: $CHART; raw data: $RAW_COPY"
