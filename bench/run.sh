#!/usr/bin/env bash
# Ferry against the seed's HAProxy and against no proxy at all, on one machine, on loopback.
#
#   bench/run.sh            full run (about 10 minutes): writes docs/BENCHMARKS.md and docs/bench-throughput.svg
#   bench/run.sh --smoke    a quick pass over every step (under a minute): writes to target/bench-smoke/
#
# It starts a Redis group (3 redis-server with requirepass: one master, two replicas; 3 Sentinels,
# quorum 2, down-after 5000 ms), HAProxy with the seed document's exact backend (tcp-check AUTH,
# PING, info replication, expect role:master, QUIT; check inter 3s; timeouts 3s/6s/6s; its stats
# listener), HAProxy with today's best-practice checks ("tuned": inter 1s fall 1 rise 1
# on-marked-down shutdown-sessions, balance first, timeout check 1s) and Ferry, then measures:
#   1. redis-benchmark -t set,get -c 50 at -P 1 and -P 16 against the master directly, through each
#      HAProxy and through Ferry, targets alternating in every round; medians of req/s, p50, p99;
#   2. CPU seconds each proxy process spends per million requests (/proc/PID/stat utime+stime);
#   3. each proxy's RSS idle, after the load, and holding N idle client sessions (bench/idle_conns.py);
#   4. failover: FAILOVER TO and kill -9 of the master, each on a freshly started group, with a
#      client writing every 10 ms on new connections and one on a persistent connection
#      (bench/writer.py), Sentinel's events logged with timestamps (bench/tools.py sentinel-events).
# Everything it starts is stopped on exit, on error and on Ctrl-C; all state is in a temp dir.
#
# Options:
#   --smoke                 quick mode (BASE 9100, -n 2000, 1 round, 200 idle sessions, one FAILOVER TO with Ferry)
#   --out DIR               write the report, chart and raw data to DIR (smoke default: target/bench-smoke)
#   --base N                port base (default 9000; smoke 9100): HAProxy N, tuned HAProxy N+5, Ferry N+10,
#                           the second Ferry (ferry-alt, below) N+11, redis N+1..N+3 (N+2 is the first master), Sentinels N+20001..N+20003,
#                           HAProxy stats N+936, tuned HAProxy stats N+937
#   --rounds N              rounds of the throughput comparison (default 3)
#   --requests N            redis-benchmark -n at -P 1 (default 200000)
#   --requests-pipelined N  redis-benchmark -n at -P 16 (default 2000000)
#   --idle N                idle sessions held through each proxy (default 10000; capped by ulimit -n)
#   --no-tuned | --no-idle | --no-failover    skip that part
#   --failover-targets LIST   comma-separated, of haproxy,haproxy-tuned,ferry,ferry-alt (default: the first three,
#                           plus ferry-alt when FERRY_ALT_MODE is set; smoke: ferry, plus ferry-alt likewise)
#   --failover-scenarios LIST comma-separated, of failover-to,kill9 (default: both; smoke: failover-to)
#   --ferry-rev REV         benchmark Ferry as committed at git REV (built in the temp dir), not the working tree
#   --keep                  keep the temp dir (configs, logs) and print its path
# Environment:
#   FERRY_JAVA_OPTS       JVM flags for Ferry (default: the ./ferry launcher's)
#   FERRY_MODE            redis|tcp: Ferry's `mode:` (default redis: parses RESP, sessions survive a change of
#                         master, -READONLY refusals are sent again to the new master; tcp: plain byte forwarding,
#                         sessions cut at a change)
#   FERRY_ALT_MODE        redis|tcp: when set, a second Ferry ("ferry-alt", port N+11) with this `mode:` joins
#                         the throughput, CPU and memory comparison and the failover runs, beside Ferry in
#                         FERRY_MODE: both modes side by side in one run (e.g. FERRY_ALT_MODE=tcp)
#   FERRY_ALT_JAVA_OPTS   when set, ferry-alt runs with these JVM flags (a JVM-flags experiment: it joins the
#                         throughput, CPU and memory comparison, in FERRY_MODE unless FERRY_ALT_MODE says
#                         otherwise); unset, ferry-alt uses Ferry's JVM flags
#   PASS (Redis password, default benchpass); DOWN_AFTER_MS (Sentinel down-after-milliseconds, default 5000);
#   FERRY_JAR (run this jar); FERRY_CLASSPATH (run Ferry from this class path instead of a jar; the JUnit smoke
#   test uses it). Ferry's YAML carries `mode:`, which Ferry builds older than that key (--ferry-rev) refuse.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench
INVOCATION="bench/run.sh $*"
for v in FERRY_ALT_MODE FERRY_ALT_JAVA_OPTS FERRY_MODE FERRY_JAVA_OPTS; do
  [ -z "${!v:-}" ] || INVOCATION="$v=\"${!v}\" $INVOCATION"
done

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

SMOKE=0 OUT="" FERRY_REV="" FO_TARGETS="" FO_SCENARIOS="" BASE="" ROUNDS="" N1="" N16="" IDLE="" TUNED=1 DO_IDLE=1 DO_FAILOVER=1 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
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
    --failover-targets) FO_TARGETS=${2:?}; shift ;;
    --failover-scenarios) FO_SCENARIOS=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

FERRY_MODE=${FERRY_MODE:-redis}
FERRY_ALT_MODE=${FERRY_ALT_MODE:-}
for v in FERRY_MODE FERRY_ALT_MODE; do
  case "${!v}" in
    redis|tcp|"") ;;
    *) echo "bench: $v='${!v}' is not a Ferry mode; use redis or tcp" >&2; exit 2 ;;
  esac
done
# The second Ferry ("ferry-alt", port N+11): a mode comparison (FERRY_ALT_MODE) and/or a JVM-flags experiment.
FERRY_ALT=0
[ -z "$FERRY_ALT_MODE" ] && [ -z "${FERRY_ALT_JAVA_OPTS:-}" ] || FERRY_ALT=1

if [ "$SMOKE" = 1 ]; then
  BASE=${BASE:-9100} ROUNDS=${ROUNDS:-1} N1=${N1:-2000} N16=${N16:-2000} IDLE=${IDLE:-200}
  TUNED=0 WARMUP=0 OUT=${OUT:-$ROOT/target/bench-smoke}
  FAILOVER_TARGETS=(ferry) FAILOVER_SCENARIOS=(failover-to)
  [ -z "$FERRY_ALT_MODE" ] || FAILOVER_TARGETS+=(ferry-alt)
  PRE_S=1 POST_FAILOVER_TO_S=6 POST_KILL_S=12
else
  # Runs under a second were too noisy here (direct GET -P 16 ranged 0.54M-1.41M req/s at -n 500000).
  BASE=${BASE:-9000} ROUNDS=${ROUNDS:-3} N1=${N1:-200000} N16=${N16:-2000000} IDLE=${IDLE:-10000} WARMUP=1
  FAILOVER_TARGETS=(haproxy haproxy-tuned ferry) FAILOVER_SCENARIOS=(failover-to kill9)
  [ "$TUNED" = 1 ] || FAILOVER_TARGETS=(haproxy ferry)
  [ -z "$FERRY_ALT_MODE" ] || FAILOVER_TARGETS+=(ferry-alt)
  # FAILOVER TO: Sentinel fails over a second time ~40 s later; 55 s after the command covers that too.
  PRE_S=2 POST_FAILOVER_TO_S=${POST_FAILOVER_TO_S:-55} POST_KILL_S=${POST_KILL_S:-25}
fi
[ -z "$FO_TARGETS" ] || IFS=, read -r -a FAILOVER_TARGETS <<<"$FO_TARGETS"
[ -z "$FO_SCENARIOS" ] || IFS=, read -r -a FAILOVER_SCENARIOS <<<"$FO_SCENARIOS"
for t in "${FAILOVER_TARGETS[@]}"; do
  case "$t" in
    haproxy|haproxy-tuned|ferry) ;;
    ferry-alt) [ "$FERRY_ALT" = 1 ] || { echo "bench: --failover-targets: ferry-alt needs FERRY_ALT_MODE or FERRY_ALT_JAVA_OPTS" >&2; exit 2; } ;;
    *) echo "bench: --failover-targets: unknown target '$t'" >&2; exit 2 ;;
  esac
done
for t in "${FAILOVER_SCENARIOS[@]}"; do
  case "$t" in failover-to|kill9) ;; *) echo "bench: --failover-scenarios: unknown scenario '$t'" >&2; exit 2 ;; esac
done
PASS=${PASS:-benchpass}
DOWN_AFTER_MS=${DOWN_AFTER_MS:-5000}
CLIENTS=50

HAPROXY_PORT=$BASE
TUNED_PORT=$((BASE + 5))
FERRY_PORT=$((BASE + 10))
FERRY_ALT_PORT=$((BASE + 11))
STATS_PORT=$((BASE + 936))
TUNED_STATS_PORT=$((BASE + 937))
REDIS_PORTS=($((BASE + 1)) $((BASE + 2)) $((BASE + 3)))
MASTER_PORT=${REDIS_PORTS[1]}   # redis2 is the first master, as in the seed document
FAILOVER_TO_PORT=${REDIS_PORTS[0]}   # the seed's test: FAILOVER TO redis1
SENTINEL_PORTS=($((BASE + 20001)) $((BASE + 20002)) $((BASE + 20003)))

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- tools, limits, ports
need_install=0
for c in redis-server redis-sentinel redis-cli redis-benchmark haproxy java; do
  command -v "$c" >/dev/null 2>&1 || need_install=1
done
if [ "$need_install" = 1 ]; then
  log "installing missing tools (scripts/install-deps.sh --with-haproxy)"
  "$ROOT/scripts/install-deps.sh" --with-haproxy >&2
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed (standard library only)"
command -v getconf >/dev/null 2>&1 || die "getconf is needed (clock ticks per second)"

# 10,000 proxied sessions need about 20,000 descriptors in the proxy: ask for 65536, take what the hard limit allows.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
[ "$NOFILE" = unlimited ] && NOFILE=1048576
HAPROXY_MAXCONN=30000
# HAProxy refuses to start when maxconn needs more descriptors than it may open (2 per session + a few).
[ $((HAPROXY_MAXCONN * 2 + 100)) -le "$NOFILE" ] || HAPROXY_MAXCONN=$(((NOFILE - 100) / 2))
IDLE_REQUESTED=$IDLE
fits=$(((NOFILE - 400) / 2 / 100 * 100))
[ "$IDLE" -le "$fits" ] || IDLE=$fits
[ "$IDLE" -le $((HAPROXY_MAXCONN - 50)) ] || IDLE=$((HAPROXY_MAXCONN - 50))
[ "$IDLE" = "$IDLE_REQUESTED" ] || log "ulimit -n is $NOFILE (hard limit): holding $IDLE idle sessions instead of $IDLE_REQUESTED"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
declare -A PORT_USE=(
  [$HAPROXY_PORT]="HAProxy (seed)" [$TUNED_PORT]="HAProxy (tuned)" [$FERRY_PORT]="Ferry"
  [$STATS_PORT]="HAProxy stats" [$TUNED_STATS_PORT]="tuned HAProxy stats"
)
[ "$FERRY_ALT" = 0 ] || PORT_USE[$FERRY_ALT_PORT]="the second Ferry (FERRY_ALT_MODE / FERRY_ALT_JAVA_OPTS)"
for i in 0 1 2; do
  PORT_USE[${REDIS_PORTS[$i]}]="redis$((i + 1))"
  PORT_USE[${SENTINEL_PORTS[$i]}]="sentinel$((i + 1))"
done
busy=()
for p in "${!PORT_USE[@]}"; do port_busy "$p" && busy+=("$p (${PORT_USE[$p]})"); done
[ ${#busy[@]} -eq 0 ] || die "ports in use: ${busy[*]}; stop what holds them or pick another --base"

# ---------------------------------------------------------------- state, process bookkeeping
STATE=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")
RAW=$STATE/raw
mkdir -p "$STATE/pid" "$RAW"
LOGDIR=$RAW/main
mkdir -p "$LOGDIR"
RESULTS=$RAW/results.tsv
: >"$RESULTS"

# spawn NAME CMD...: start CMD in the background, stdout+stderr to $LOGDIR/NAME.log, pid in $STATE/pid/NAME.
# Disowned, so bash prints no "Killed" line for the master we kill -9; spawn_job keeps it a job to `wait` for.
spawn() {
  spawn_job "$@"
  disown "$(pid_of "$1")"
}
spawn_job() {
  local name=$1; shift
  "$@" >"$LOGDIR/$name.log" 2>&1 &
  echo $! >"$STATE/pid/$name"
}
pid_of() { cat "$STATE/pid/$1"; }
# stop NAME: SIGTERM, up to 5 s to exit, then SIGKILL; only the pid that spawn recorded.
stop() {
  local f=$STATE/pid/$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f"); rm -f "$f"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() {
  local f
  for f in "$STATE"/pid/*; do [ -e "$f" ] && stop "$(basename "$f")"; done
  return 0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  # Kept after a failure (configs and logs explain it), removed after Ctrl-C unless --keep.
  if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; }; then
    log "state kept in $STATE"
  else
    rm -rf "$STATE"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM
# Sleeps in a way that lets the INT/TERM traps run at once.
pause() { sleep "$1" & wait $! || true; }

record() { (IFS=$'\t'; echo "$*") >>"$RESULTS"; }
rcli() { local p=$1; shift; redis-cli -p "$p" -a "$PASS" --no-auth-warning "$@"; }
info_field() { rcli "$1" info "$2" 2>/dev/null | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- Ferry binary
# The same JVM flags as the ./ferry launcher, unless FERRY_JAVA_OPTS says otherwise.
FERRY_JAVA_OPTS=${FERRY_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError}
read -r -a JAVA_OPTS <<<"$FERRY_JAVA_OPTS"
git_rev() { git -C "$ROOT" rev-parse --short "$1" 2>/dev/null || echo unknown; }
if [ -n "${FERRY_CLASSPATH:-}" ]; then
  FERRY_LAUNCH=(-cp "$FERRY_CLASSPATH" dev.ferry.cli.Main)
  FERRY_SOURCE="the caller's class path (working tree at git $(git_rev HEAD))"
else
  if [ -n "${FERRY_JAR:-}" ]; then
    [ -f "$FERRY_JAR" ] || die "FERRY_JAR=$FERRY_JAR: no such file"
    cp "$FERRY_JAR" "$STATE/ferry.jar"
    FERRY_SOURCE="jar $FERRY_JAR"
  elif [ -n "$FERRY_REV" ]; then
    # A committed revision, built apart from the working tree (other work in progress cannot break it).
    rev=$(git -C "$ROOT" rev-parse --verify --quiet "$FERRY_REV^{commit}") || die "--ferry-rev $FERRY_REV: not a commit"
    log "building Ferry from git $(git_rev "$rev")"
    mkdir -p "$STATE/src"
    git -C "$ROOT" archive "$rev" | tar -x -C "$STATE/src"
    (cd "$STATE/src" && mvn -q -B -Dmaven.test.skip=true package) >"$STATE/build.log" 2>&1 \
      || die "building git $(git_rev "$rev") failed: $(tail -20 "$STATE/build.log")"
    cp "$STATE/src/target/ferry.jar" "$STATE/ferry.jar"
    FERRY_SOURCE="git $(git_rev "$rev")"
  else
    log "building Ferry from the working tree when needed (./ferry --version)"
    "$ROOT/ferry" --version >/dev/null \
      || die "building Ferry from the working tree failed (work in progress?); try --ferry-rev HEAD or FERRY_JAR=path"
    # A private copy: a rebuild of target/ferry.jar during the run must not change the jar under a running JVM.
    cp "$ROOT/target/ferry.jar" "$STATE/ferry.jar"
    FERRY_SOURCE="working tree at git $(git_rev HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' with uncommitted changes')"
  fi
  FERRY_LAUNCH=(-jar "$STATE/ferry.jar")
fi
FERRY_CMD=(java "${JAVA_OPTS[@]}" "${FERRY_LAUNCH[@]}")
# ferry-alt: FERRY_ALT_JAVA_OPTS when set, else exactly Ferry's flags (then a mode comparison changes the mode only).
if [ -n "${FERRY_ALT_JAVA_OPTS:-}" ]; then read -r -a ALT_JAVA_OPTS <<<"$FERRY_ALT_JAVA_OPTS"; else ALT_JAVA_OPTS=("${JAVA_OPTS[@]}"); fi
FERRY_ALT_MODE_EFFECTIVE=${FERRY_ALT_MODE:-$FERRY_MODE}
FERRY_VERSION=$("${FERRY_CMD[@]}" --version 2>&1 | head -1) || die "Ferry does not start: $FERRY_VERSION"

# ---------------------------------------------------------------- the Redis group
GROUP_GEN=0
group_up() {
  GROUP_GEN=$((GROUP_GEN + 1))
  local dir=$STATE/group-$GROUP_GEN p i
  mkdir -p "$dir"
  for p in "${REDIS_PORTS[@]}"; do
    mkdir -p "$dir/redis-$p"
    {
      echo "port $p"; echo "bind 127.0.0.1"; echo "dir $dir/redis-$p"
      echo "requirepass $PASS"; echo "masterauth $PASS"; echo 'save ""'; echo "appendonly no"
      echo "maxclients 30000"
      [ "$p" = "$MASTER_PORT" ] || echo "replicaof 127.0.0.1 $MASTER_PORT"
    } >"$dir/redis-$p.conf"
    spawn "redis-$p" redis-server "$dir/redis-$p.conf"
  done
  for p in "${REDIS_PORTS[@]}"; do
    for i in $(seq 100); do
      [ "$(rcli "$p" ping 2>/dev/null)" = PONG ] && break
      [ "$i" = 100 ] && die "redis :$p did not start (log: $LOGDIR/redis-$p.log)"
      sleep 0.1
    done
  done
  for p in "${REDIS_PORTS[@]}"; do
    [ "$p" = "$MASTER_PORT" ] && continue
    for i in $(seq 100); do
      [ "$(info_field "$p" replication master_link_status)" = up ] && break
      [ "$i" = 100 ] && die "replica :$p did not sync with the master"
      sleep 0.1
    done
  done
  for p in "${SENTINEL_PORTS[@]}"; do
    cat >"$dir/sentinel-$p.conf" <<EOF
port $p
bind 127.0.0.1
dir $dir
sentinel monitor mymaster 127.0.0.1 $MASTER_PORT 2
sentinel auth-pass mymaster $PASS
sentinel down-after-milliseconds mymaster $DOWN_AFTER_MS
sentinel failover-timeout mymaster 180000
sentinel parallel-syncs mymaster 1
EOF
    spawn "sentinel-$p" redis-sentinel "$dir/sentinel-$p.conf"
  done
  python3 "$HERE/tools.py" sentinel-ready --sentinels "$(IFS=,; echo "${SENTINEL_PORTS[*]}")" --timeout 30 \
    || die "the Sentinels did not find each other and the replicas"
}
group_down() {
  local p
  for p in "${SENTINEL_PORTS[@]}" "${REDIS_PORTS[@]}"; do stop "sentinel-$p"; stop "redis-$p"; done
}

# ---------------------------------------------------------------- the proxies
# haproxy_config seed|tuned PORT STATS_PORT: the seed document's configuration on loopback ports,
# plus maxconn (the idle-session test), plus mode/timeouts for the stats listener as a stock
# haproxy.cfg's defaults would give it.
haproxy_config() {
  local variant=$1 port=$2 stats=$3 i
  cat <<EOF
global
    maxconn $HAPROXY_MAXCONN

listen stats
    bind 127.0.0.1:$stats
    mode http
    timeout connect 3s
    timeout client 30s
    timeout server 30s
    stats enable
    stats hide-version
    stats refresh 30s
    stats show-node
    stats auth admin:oracle
    stats uri /stats

# redis block start

defaults REDIS
    mode tcp
    timeout connect 3s
    timeout server 6s
    timeout client 6s
    option  log-health-checks

frontend front_redis
    bind 127.0.0.1:$port name redis
    mode tcp
    maxconn $HAPROXY_MAXCONN
    default_backend redis_cluster

backend redis_cluster
EOF
  if [ "$variant" = tuned ]; then
    printf '    balance first\n    timeout check 1s\n'
    printf '    default-server check inter 1s fall 1 rise 1 on-marked-down shutdown-sessions\n'
  fi
  cat <<EOF
    option tcp-check
    tcp-check connect
    tcp-check send AUTH\ $PASS\r\n
    tcp-check send PING\r\n
    tcp-check expect string +PONG
    tcp-check send info\ replication\r\n
    tcp-check expect string role:master
    tcp-check send QUIT\r\n
    tcp-check expect string +OK

EOF
  for i in 0 1 2; do
    # Tuned: the default-server line holds the check settings; a server-line "inter 3s" would override them.
    if [ "$variant" = tuned ]; then echo "    server redis$((i + 1)) 127.0.0.1:${REDIS_PORTS[$i]}"
    else echo "    server redis$((i + 1)) 127.0.0.1:${REDIS_PORTS[$i]} check inter 3s"; fi
  done
  echo
  echo "# redis block end"
}

declare -A PROXY_PORT=([direct]=$MASTER_PORT [haproxy]=$HAPROXY_PORT [haproxy-tuned]=$TUNED_PORT [ferry]=$FERRY_PORT
  [ferry-alt]=$FERRY_ALT_PORT)

# start_proxy haproxy|haproxy-tuned|ferry: starts it and waits until it routes writes to the master.
start_proxy() {
  local name=$1
  case "$name" in
    haproxy|haproxy-tuned)
      local variant=seed stats=$STATS_PORT
      [ "$name" = haproxy-tuned ] && variant=tuned stats=$TUNED_STATS_PORT
      haproxy_config "$variant" "${PROXY_PORT[$name]}" "$stats" >"$STATE/$name.cfg"
      spawn "$name" haproxy -db -f "$STATE/$name.cfg"
      # Wait for the first checks: until then HAProxy may send clients to a replica.
      python3 "$HERE/tools.py" haproxy-settled --stats-port "$stats" --up redis2 --timeout 30 \
        || die "$name did not mark only the master UP (log: $LOGDIR/$name.log)"
      ;;
    ferry|ferry-alt)
      cat >"$STATE/$name.yaml" <<EOF
frontends:
  - name: $name
    bind: 127.0.0.1:${PROXY_PORT[$name]}
    master: mymaster
    sentinels: [127.0.0.1:${SENTINEL_PORTS[0]}, 127.0.0.1:${SENTINEL_PORTS[1]}, 127.0.0.1:${SENTINEL_PORTS[2]}]
    password: \${REDIS_PASSWORD}
    check: { interval: 1s, timeout: 500ms }
    mode: $([ "$name" = ferry ] && echo "$FERRY_MODE" || echo "$FERRY_ALT_MODE_EFFECTIVE")
EOF
      if [ "$name" = ferry ]; then
        REDIS_PASSWORD=$PASS spawn ferry "${FERRY_CMD[@]}" run --config "$STATE/ferry.yaml"
      else
        REDIS_PASSWORD=$PASS spawn ferry-alt java "${ALT_JAVA_OPTS[@]}" "${FERRY_LAUNCH[@]}" run --config "$STATE/ferry-alt.yaml"
      fi
      ;;
  esac
  python3 "$HERE/tools.py" route --port "${PROXY_PORT[$name]}" --password "$PASS" --ok 50 --timeout 60 \
    || die "$name does not route to the master (log: $LOGDIR/$name.log)"
  kill -0 "$(pid_of "$name")" 2>/dev/null || die "$name exited (log: $LOGDIR/$name.log)"
}

# ---------------------------------------------------------------- machine and versions
meta() { record meta "$1" "$2"; }
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta invocation "$INVOCATION"
meta loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
meta mode "$([ "$SMOKE" = 1 ] && echo smoke || echo full)"
meta nproc "$(nproc)"
meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
meta kernel "$(uname -sr)"
meta memory "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta redis "$(redis-server --version | sed 's/^Redis server //; s/ sha=.*//')"
meta haproxy "$(haproxy -v 2>&1 | head -1 | sed 's/ - https.*//')"
meta java "$(java -version 2>&1 | head -1)"
meta python "$(python3 --version 2>&1)"
meta ferry "$FERRY_VERSION, $FERRY_SOURCE"
meta ferry_java_opts "${FERRY_JAVA_OPTS:-(none)}"
meta ferry_alt_java_opts "${FERRY_ALT_JAVA_OPTS:-}"
meta ferry_mode "$FERRY_MODE"
meta ferry_alt_mode "$FERRY_ALT_MODE"
meta nofile "$NOFILE"
meta haproxy_maxconn "$HAPROXY_MAXCONN"
meta base "$BASE"
meta rounds "$ROUNDS"
meta warmup "$WARMUP"
meta n_p1 "$N1"
meta n_p16 "$N16"
meta clients "$CLIENTS"
meta idle_requested "$IDLE_REQUESTED"
meta idle "$IDLE"
meta down_after_ms "$DOWN_AFTER_MS"
meta pre_s "$PRE_S"
meta post_failover_to_s "$POST_FAILOVER_TO_S"
meta post_kill_s "$POST_KILL_S"
meta bench_cmd "redis-benchmark -h 127.0.0.1 -p PORT -a PASS -t set,get -c $CLIENTS -n N -P 1|16 --csv"

# ---------------------------------------------------------------- 1-3: throughput, CPU, memory
THROUGHPUT_TARGETS=(direct haproxy)
[ "$TUNED" = 1 ] && THROUGHPUT_TARGETS+=(haproxy-tuned)
THROUGHPUT_TARGETS+=(ferry)
[ "$FERRY_ALT" = 0 ] || THROUGHPUT_TARGETS+=(ferry-alt)
PROXIES=("${THROUGHPUT_TARGETS[@]:1}")

log "state in $STATE; ports: redis ${REDIS_PORTS[*]}, sentinels ${SENTINEL_PORTS[*]}, haproxy $HAPROXY_PORT, ferry $FERRY_PORT (mode $FERRY_MODE)$(
  [ "$FERRY_ALT" = 0 ] || echo ", ferry-alt $FERRY_ALT_PORT (mode $FERRY_ALT_MODE_EFFECTIVE)")"
log "starting the Redis group and the proxies (${PROXIES[*]})"
group_up
for p in "${PROXIES[@]}"; do start_proxy "$p"; done
cp "$STATE"/*.cfg "$STATE"/*.yaml "$RAW/" 2>/dev/null || true
pause 2
for p in "${PROXIES[@]}"; do record rss "$p" idle "$(rss_kb "$(pid_of "$p")")"; done

# bench_one TARGET PIPELINE N ROUND: one redis-benchmark run (SET then GET); ROUND 0 is a warm-up, not recorded.
bench_one() {
  local target=$1 pipeline=$2 n=$3 round=$4 pid="" before=0 after=0 out line test rps avg min p50 p95 p99 max
  [ "$target" = direct ] || pid=$(pid_of "$target")
  [ -z "$pid" ] || before=$(cpu_ticks "$pid")
  out=$(timeout 900 redis-benchmark -h 127.0.0.1 -p "${PROXY_PORT[$target]}" -a "$PASS" \
          -t set,get -c "$CLIENTS" -n "$n" -P "$pipeline" --csv 2>>"$LOGDIR/redis-benchmark.err") \
    || die "redis-benchmark against $target failed (see $LOGDIR/redis-benchmark.err)"
  [ -z "$pid" ] || after=$(cpu_ticks "$pid")
  [ "$round" = 0 ] && return 0
  while IFS= read -r line; do
    line=${line//\"/}
    case "$line" in
      SET,*|GET,*)
        IFS=, read -r test rps avg min p50 p95 p99 max <<<"$line"
        record tput "$round" "$target" "$pipeline" "$test" "$rps" "$avg" "$p50" "$p95" "$p99" "$max"
        log "round $round  $target  -P $pipeline  $test  $rps req/s  p50 $p50 ms  p99 $p99 ms" ;;
    esac
  done <<<"$out"
  [ -z "$pid" ] || record cpu "$round" "$target" "$pipeline" "$(awk -v d=$((after - before)) -v t="$CLK_TCK" 'BEGIN { print d / t }')" $((2 * n))
}

if [ "$WARMUP" = 1 ]; then
  log "warm-up: $((N1 / 5)) requests per target at -P 1 and $((N16 / 5)) at -P 16 (not recorded)"
  for t in "${THROUGHPUT_TARGETS[@]}"; do bench_one "$t" 1 $((N1 / 5)) 0; bench_one "$t" 16 $((N16 / 5)) 0; done
fi
for r in $(seq "$ROUNDS"); do
  # Rotate the order each round so no target always runs first or last.
  k=$(((r - 1) % ${#THROUGHPUT_TARGETS[@]}))
  order=("${THROUGHPUT_TARGETS[@]:$k}" "${THROUGHPUT_TARGETS[@]:0:$k}")
  for t in "${order[@]}"; do
    bench_one "$t" 1 "$N1" "$r"
    bench_one "$t" 16 "$N16" "$r"
  done
done
for p in "${PROXIES[@]}"; do record rss "$p" after-load "$(rss_kb "$(pid_of "$p")")"; done

if [ "$DO_IDLE" = 1 ]; then
  for p in "${PROXIES[@]}"; do
    log "holding $IDLE idle sessions through $p"
    base_clients=$(info_field "$MASTER_PORT" clients connected_clients)
    # PING every 2 s: the seed's HAProxy closes sessions idle for 6 s (timeout client/server).
    spawn "idle-$p" python3 "$HERE/idle_conns.py" --port "${PROXY_PORT[$p]}" --password "$PASS" -n "$IDLE" --ping-every 2
    for i in $(seq 1800); do
      grep -q '^ready' "$LOGDIR/idle-$p.log" 2>/dev/null && break
      kill -0 "$(pid_of "idle-$p")" 2>/dev/null || die "idle_conns.py exited early: $(cat "$LOGDIR/idle-$p.log")"
      [ "$i" = 1800 ] && die "idle sessions through $p not ready in 180 s"
      sleep 0.1
    done
    pause 5
    rss=$(rss_kb "$(pid_of "$p")")
    clients=$(info_field "$MASTER_PORT" clients connected_clients)
    read -r _ opened failed _ <"$LOGDIR/idle-$p.log"
    stop "idle-$p"
    dropped=$(awk '/^closed/ { print $4 }' "$LOGDIR/idle-$p.log")
    record rss "$p" "idle-sessions" "$rss"
    record idle "$p" "$IDLE" "$opened" "$failed" "$((clients - base_clients))" "${dropped:-?}"
    log "$p: RSS $rss kB with $opened sessions open ($failed failed, master +$((clients - base_clients)) clients, ${dropped:-?} dropped)"
    pause 3
  done
fi
for p in "${PROXIES[@]}"; do stop "$p"; done
group_down

# ---------------------------------------------------------------- 4: failover
# failover_one TARGET failover-to|kill9: a fresh group, the proxy, two writers, the event, the writers' outcomes.
failover_one() {
  local target=$1 scenario=$2 dir post ts reply pids=() p
  dir=$RAW/failover-$target-$scenario
  mkdir -p "$dir"
  LOGDIR=$dir
  post=$POST_KILL_S
  [ "$scenario" = failover-to ] && post=$POST_FAILOVER_TO_S
  log "failover: $scenario through $target (fresh group; writers for $((PRE_S + post)) s)"
  group_up
  spawn events python3 "$HERE/tools.py" sentinel-events --port "${SENTINEL_PORTS[0]}" --out "$dir/sentinel-events.log"
  start_proxy "$target"
  spawn_job writer python3 "$HERE/writer.py" --port "${PROXY_PORT[$target]}" --password "$PASS" \
    --seconds $((PRE_S + post)) --json "$dir/writer.json"
  spawn_job writer-persistent python3 "$HERE/writer.py" --port "${PROXY_PORT[$target]}" --password "$PASS" \
    --seconds $((PRE_S + post)) --persistent --json "$dir/writer-persistent.json"
  pause "$PRE_S"
  ts=$(date +%s.%N)
  if [ "$scenario" = failover-to ]; then
    reply=$(rcli "$MASTER_PORT" failover to 127.0.0.1 "$FAILOVER_TO_PORT" 2>&1)
    [ "$reply" = OK ] || die "FAILOVER TO failed: $reply"
  else
    kill -KILL "$(pid_of "redis-$MASTER_PORT")"
  fi
  echo "$scenario $ts" >"$dir/event"
  for p in writer writer-persistent; do pids+=("$(pid_of "$p")"); done
  for p in "${pids[@]}"; do wait "$p" || true; done
  rm -f "$STATE/pid/writer" "$STATE/pid/writer-persistent"
  {
    for p in "${REDIS_PORTS[@]}"; do echo "redis :$p role $(rcli "$p" role 2>/dev/null | head -1)"; done
    for p in "${SENTINEL_PORTS[@]}"; do
      echo "sentinel :$p master $(redis-cli -p "$p" sentinel get-master-addr-by-name mymaster 2>/dev/null | paste -sd:)"
    done
  } >"$dir/final-roles.txt"
  stop events
  stop "$target"
  group_down
  LOGDIR=$RAW/main
  record failover "$target" "$scenario" "failover-$target-$scenario"
  log "  $(tail -1 "$dir/writer.log")"
}

if [ "$DO_FAILOVER" = 1 ]; then
  for s in "${FAILOVER_SCENARIOS[@]}"; do
    for t in "${FAILOVER_TARGETS[@]}"; do failover_one "$t" "$s"; done
  done
fi

# ---------------------------------------------------------------- report
if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  REPORT=$OUT/BENCHMARKS.md CHART=$OUT/bench-throughput.svg RAW_COPY=$OUT/raw
else
  mkdir -p "$ROOT/docs"
  REPORT=$ROOT/docs/BENCHMARKS.md CHART=$ROOT/docs/bench-throughput.svg RAW_COPY=$ROOT/target/bench/raw
fi
python3 "$HERE/report.py" --raw "$RAW" --report "$REPORT" --chart "$CHART"
rm -rf "$RAW_COPY"
mkdir -p "$(dirname "$RAW_COPY")"
cp -r "$RAW" "$RAW_COPY" 2>/dev/null || log "could not copy the raw data to $RAW_COPY"
log "report: $REPORT; chart: $CHART; raw data: $RAW_COPY"
