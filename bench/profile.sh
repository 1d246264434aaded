#!/usr/bin/env bash
# Profiles Ferry's data path under redis-benchmark load and draws flame graphs of it.
#
#   bench/profile.sh                 -P 1 and -P 16 at -c 50, SET and GET: JFR, then async-profiler
#   bench/profile.sh --pipeline 16 --profiler async --seconds 30
#
# It starts the bench's Redis group and one Ferry (bench/group.sh, bench/proxies.sh; the same FERRY_* settings
# as bench/run.sh), and for each pipeline depth: a warm-up, then for each profiler a window of redis-benchmark
# load (-t set,get -l, looped for the window) while the profiler records:
#   jfr    a JFR recording (jcmd JFR.start with the JDK's profile settings, Java and native method samples
#          every --interval-ms) -> ferry-P<n>.jfr, opened with JDK Mission Control or `jfr`; bench/flame.py draws
#          ferry-P<n>-jfr-java.svg (where the Java code spends its samples) and ferry-P<n>-jfr-native.svg
#          (which native methods the threads are in, epoll waits included)
#   async  async-profiler (Maven Central's tools.profiler:async-profiler, whose jar carries the native library;
#          fetched with mvn on first use) loaded into Ferry with jcmd JVMTI.agent_load: CPU samples of Java,
#          JVM and kernel frames -> ferry-P<n>-async.svg (bench/flame.py) and async-profiler's own .html
# and prints the top frames, the window's req/s and Ferry's CPU seconds per million commands (the profiler's
# overhead included: use bench/run.sh for figures). Output: target/bench/profile/<date>-<time>/, printed at the end.
#
# Options:
#   --pipeline LIST      comma-separated pipeline depths (default 1,16)
#   --clients N          redis-benchmark -c (default 50)
#   --tests LIST         redis-benchmark -t (default set,get)
#   --seconds N          each profiling window (default 20)
#   --warmup-seconds N   load before the first window of each depth (default 10)
#   --profiler P         jfr | async | both (default both)
#   --event E            async-profiler's event: cpu (perf events) | itimer | wall (default cpu; itimer when
#                        perf events are not allowed)
#   --interval-ms N      sampling interval of both profilers (default 2)
#   --base N             port base (default 9200; see bench/ports.sh)
#   --ferry-rev REV      profile Ferry as committed at git REV
#   --out DIR            output directory (default target/bench/profile/<date>-<time>)
#   --keep               keep the temp dir (configs, logs)
# Environment: FERRY_JAR, FERRY_CLASSPATH, FERRY_JAVA, FERRY_JAVA_OPTS, FERRY_MODE (as for bench/run.sh),
#   ASYNC_PROFILER_VERSION (default 4.1), PASS, DOWN_AFTER_MS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench
BENCH_NAME=profile
INVOCATION="bench/profile.sh $*"
. "$HERE/procs.sh"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

PIPELINES=1,16 CLIENTS=50 TESTS=set,get SECONDS_PER=20 WARMUP_S=10 PROFILER=both EVENT=cpu INTERVAL_MS=2 BASE=9200
OUT="" KEEP=0 FERRY_REV=${FERRY_REV:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --pipeline) PIPELINES=${2:?}; shift ;;
    --clients) CLIENTS=${2:?}; shift ;;
    --tests) TESTS=${2:?}; shift ;;
    --seconds) SECONDS_PER=${2:?}; shift ;;
    --warmup-seconds) WARMUP_S=${2:?}; shift ;;
    --profiler) PROFILER=${2:?}; shift ;;
    --event) EVENT=${2:?}; shift ;;
    --interval-ms) INTERVAL_MS=${2:?}; shift ;;
    --base) BASE=${2:?}; shift ;;
    --ferry-rev) FERRY_REV=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "profile: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in CLIENTS SECONDS_PER WARMUP_S INTERVAL_MS BASE; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "profile: '${!v}' is not a number" >&2; exit 2; }
done
[[ "$PIPELINES" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "profile: --pipeline: '$PIPELINES' is not a list of numbers" >&2; exit 2; }
case "$PROFILER" in jfr|async|both) ;; *) echo "profile: --profiler: jfr, async or both" >&2; exit 2 ;; esac
case "$EVENT" in cpu|itimer|wall) ;; *) echo "profile: --event: cpu, itimer or wall" >&2; exit 2 ;; esac
PASS=${PASS:-benchpass}
DOWN_AFTER_MS=${DOWN_AFTER_MS:-5000}
HAPROXY_MAXCONN=0   # no HAProxy here; bench/proxies.sh names it

. "$HERE/ports.sh"
bench_ports
check_ports ferry
for c in redis-server redis-sentinel redis-cli redis-benchmark python3; do
  command -v "$c" >/dev/null 2>&1 || die "$c is missing (scripts/install-deps.sh)"
done

STATE=$(mktemp -d "${TMPDIR:-/tmp}/ferry-profile.XXXXXX")
LOGDIR=$STATE/logs
mkdir -p "$LOGDIR" "$STATE/pid"
install_cleanup
OUT=${OUT:-$ROOT/target/bench/profile/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$HERE/ferry_build.sh"
. "$HERE/group.sh"
. "$HERE/proxies.sh"

# ---------------------------------------------------------------- the profilers
# async_profiler_lib: the native library from the async-profiler jar on Maven Central (fetched into ~/.m2 once).
async_profiler_lib() {
  local version=${ASYNC_PROFILER_VERSION:-4.1} arch jar lib
  case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) die "async-profiler: no library for $(uname -m)" ;; esac
  jar=${MAVEN_REPO:-$HOME/.m2/repository}/tools/profiler/async-profiler/$version/async-profiler-$version.jar
  if [ ! -f "$jar" ]; then
    log "fetching tools.profiler:async-profiler:$version from Maven Central"
    mvn -q -B -ntp dependency:get -Dartifact="tools.profiler:async-profiler:$version" -Dtransitive=false >"$LOGDIR/mvn-async-profiler.log" 2>&1 \
      || die "could not fetch async-profiler $version: $(tail -5 "$LOGDIR/mvn-async-profiler.log"); try --profiler jfr"
  fi
  lib=$STATE/async-profiler-$version/libasyncProfiler.so
  mkdir -p "$(dirname "$lib")"
  python3 - "$jar" "$arch/libasyncProfiler.so" "$lib" <<'EOF' || die "the async-profiler jar carries no $arch library"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], "wb") as out:
    out.write(z.read(sys.argv[2]))
EOF
  echo "$lib"
}

JDK_BIN=$(dirname "$(readlink -f "$(command -v "${FERRY_JAVA:-java}")")")
JCMD=$JDK_BIN/jcmd JFR=$JDK_BIN/jfr
[ -x "$JCMD" ] || die "no jcmd beside ${FERRY_JAVA:-java} ($JCMD): a JDK, not a JRE, is needed"
ASYNC_LIB=""
if [ "$PROFILER" != jfr ]; then
  ASYNC_LIB=$(async_profiler_lib)
  # JDK 21+ warns about (and later refuses) agents loaded into a running JVM unless this flag allows them.
  if "${FERRY_JAVA:-java}" -XX:+EnableDynamicAgentLoading -version >/dev/null 2>&1; then
    FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:-$LAUNCHER_JAVA_OPTS} -XX:+EnableDynamicAgentLoading"
  fi
fi

# jfc_file: the JDK's profile settings with both method samplers at --interval-ms.
jfc_file() {
  local jfc=$STATE/profile.jfc
  python3 - "$JDK_BIN/../lib/jfr/profile.jfc" "$jfc" "$INTERVAL_MS" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for event in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
    text = re.sub(r'(<event name="%s">.*?<setting name="period"[^>]*>)[^<]*(<)' % re.escape(event),
                  r"\g<1>%s ms\g<2>" % sys.argv[3], text, count=1, flags=re.S)
open(sys.argv[2], "w").write(text)
EOF
  echo "$jfc"
}

# jcmd_try ARGS...: a diagnostic command to Ferry; fails on jcmd's exit status or the agent's return code. jcmd_ferry: or dies.
jcmd_try() {
  local out
  out=$("$JCMD" "$(pid_of ferry)" "$@" 2>&1) || { echo "$out" >>"$LOGDIR/jcmd.log"; return 1; }
  echo "$out" >>"$LOGDIR/jcmd.log"
  ! grep -q "return code: [1-9-]\|Exception" <<<"$out"
}
jcmd_ferry() { jcmd_try "$@" || die "jcmd $* failed: $(tail -3 "$LOGDIR/jcmd.log")"; }

# agent OPTIONS: async-profiler's options, quoted for jcmd (which would read `a=b` in them as its own arguments).
agent() { jcmd_ferry JVMTI.agent_load "$ASYNC_LIB" "\"$1\""; }
async_start() {
  local opts="interval=$((INTERVAL_MS * 1000000)),threads"
  if ! jcmd_try JVMTI.agent_load "$ASYNC_LIB" "\"start,event=$EVENT,$opts\""; then
    [ "$EVENT" = cpu ] || die "async-profiler did not start (see $LOGDIR/jcmd.log and $LOGDIR/ferry.log)"
    log "async-profiler could not use perf events here: itimer instead"
    EVENT=itimer
    agent "start,event=itimer,$opts"
  fi
}
async_stop() {
  local base=$1
  # async-profiler's own interactive graph; jcmd splits its arguments at spaces, so no title.
  jcmd_try JVMTI.agent_load "$ASYNC_LIB" "\"dump,flamegraph,file=$base-async.html\"" || log "async-profiler wrote no HTML graph (see $LOGDIR/jcmd.log)"
  agent "stop,collapsed,ann,file=$base-async.collapsed"
}

# ---------------------------------------------------------------- load windows
# window SECONDS PIPELINE: redis-benchmark looping for SECONDS; prints `<req/s> <Ferry CPU s per million commands>`.
window() {
  local s=$1 pipe=$2 t0 t1 master_cmds0 master_cmds1
  master_cmds0=$(info_field "$MASTER_PORT" stats total_commands_processed)
  t0=$(cpu_ticks "$(pid_of ferry)")
  timeout "$s" redis-benchmark -h 127.0.0.1 -p "$FERRY_PORT" -a "$PASS" -t "$TESTS" -c "$CLIENTS" -P "$pipe" -n 100000000 -l -q \
    >/dev/null 2>>"$LOGDIR/redis-benchmark.err" || true
  t1=$(cpu_ticks "$(pid_of ferry)")
  master_cmds1=$(info_field "$MASTER_PORT" stats total_commands_processed)
  awk -v n=$((master_cmds1 - master_cmds0)) -v s="$s" -v d=$((t1 - t0)) -v t="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f %.2f\n", n / s, n ? d / t / n * 1e6 : 0 }'
}

resolve_ferry
log "state in $STATE; output in $OUT"
group_up
start_proxy ferry
{
  echo "command: $INVOCATION"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
  echo "ferry: $FERRY_VERSION, $FERRY_SOURCE"
  echo "java: $FERRY_JAVA ($FERRY_JAVA_VERSION), flags: $FERRY_JAVA_OPTS"
  echo "load: redis-benchmark -t $TESTS -c $CLIENTS -P {$PIPELINES} looped; windows of $SECONDS_PER s after $WARMUP_S s of warm-up"
  echo "sampling: every $INTERVAL_MS ms"
} >"$OUT/README.txt"
JFC=""
[ "$PROFILER" = async ] || JFC=$(jfc_file)

IFS=, read -r -a pipes <<<"$PIPELINES"
for pipe in "${pipes[@]}"; do
  base=$OUT/ferry-P$pipe
  log "-P $pipe: warm-up for $WARMUP_S s"
  window "$WARMUP_S" "$pipe" >/dev/null
  if [ "$PROFILER" != async ]; then
    log "-P $pipe: JFR for $SECONDS_PER s"
    jcmd_ferry JFR.start name=bench settings="$JFC"
    read -r rps cpu < <(window "$SECONDS_PER" "$pipe")
    jcmd_ferry JFR.stop name=bench filename="$base.jfr"
    echo "-P $pipe, JFR window: $rps req/s, Ferry $cpu CPU s per million commands" | tee -a "$OUT/README.txt"
    python3 "$HERE/flame.py" jfr "$base.jfr" --jfr-tool "$JFR" --title "Ferry -P $pipe -c $CLIENTS ($TESTS): JFR" \
      --out "$base-jfr" | tee "$base-jfr-top.txt"
  fi
  if [ "$PROFILER" != jfr ]; then
    log "-P $pipe: async-profiler ($EVENT) for $SECONDS_PER s"
    async_start
    read -r rps cpu < <(window "$SECONDS_PER" "$pipe")
    async_stop "$base"
    echo "-P $pipe, async-profiler window ($EVENT): $rps req/s, Ferry $cpu CPU s per million commands" | tee -a "$OUT/README.txt"
    python3 "$HERE/flame.py" collapsed "$base-async.collapsed" --title "Ferry -P $pipe -c $CLIENTS ($TESTS): async-profiler, $EVENT" \
      --out "$base-async" | tee "$base-async-top.txt"
  fi
done
cp "$LOGDIR/ferry.log" "$OUT/ferry.log"
log "profiles in $OUT:"
ls -1 "$OUT" | sed "s|^|  $OUT/|" >&2
