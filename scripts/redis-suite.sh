#!/usr/bin/env bash
# Runs Redis's own test suite (the tests/ of the Debian source of the installed redis-server) in external
# mode, unit by unit, against a redis-server directly and then through Ferry (a static `servers:` frontend
# in front of a fresh, identical redis-server), and prints both results side by side and every test that
# fails only through Ferry. See docs/REDIS-SUITE.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

# The units issue 15 names; `ci` is the set CI runs (docs/REDIS-SUITE.md says why these).
issue_units="unit/type/list unit/type/zset unit/type/stream unit/type/stream-cgroups unit/pause unit/slowlog
  unit/tracking unit/multi unit/latency-monitor unit/functions integration/redis-cli unit/scripting unit/protocol
  unit/pubsub unit/pubsubshard unit/info unit/introspection unit/querybuf unit/keyspace"
ci_units="$issue_units"

usage() {
  cat <<EOF
usage: scripts/redis-suite.sh [options] [UNIT... | issue | ci | all]
  Runs each unit (e.g. unit/type/list) with a fresh redis-server, directly and through Ferry.
  issue   the units issue 15 names (default)      ci   the units CI runs      all   every unit of the suite
  --sides direct,ferry   which runs to make (default both; the comparison needs both)
  --only NAME            run only this test (runtest --only: a name, or /REGEXP); repeatable
  --skip NAME            do not run this test (a name, or /REGEXP), both ways; repeatable
  --tags TAGS            passed to runtest --tags (e.g. "-slow"); default: every test external mode runs
  --timeout SEC          a unit stops when one test runs longer than SEC s (default 30), or through Ferry
                         longer than twice that test's time directly plus 10 s; directly, ten times SEC
  --retries N            after such a stop, run the unit again up to N times resuming after the test it hung in (default 10)
  --out DIR              results and logs (default target/redis-suite)
  --report-only          print the comparison of the runs already in --out (the same units), run nothing
Environment: FERRY_CLASSPATH runs Ferry from that class path (the JUnit test uses it), FERRY_JAR from that
jar; by default $repo/ferry (which builds target/ferry.jar when stale). FERRY_JAVA_OPTS as for ./ferry.
FERRY_CONNECTIONS=shared|dedicated: the frontend's connection policy (default shared, Ferry's default).
Prints per unit passed/failed/not run directly and through Ferry, seconds each, and the tests that fail
only through Ferry with their first error line. Writes DIR/compare.tsv (one row per test).
Exit: 0 when no test fails only through Ferry, 1 when some do, 2 on bad usage or setup.
EOF
}

die() { echo "redis-suite: $*" >&2; exit 2; }

sides="direct,ferry"
tags=""
timeout=30
retries=10
out="$repo/target/redis-suite"
java_opts="${FERRY_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError}"
if [ -n "${FERRY_CLASSPATH:-}" ]; then
  read -r -a ferry_cmd <<< "java $java_opts"; ferry_cmd+=(-cp "$FERRY_CLASSPATH" dev.ferry.cli.Main)
elif [ -n "${FERRY_JAR:-}" ]; then
  [ -f "$FERRY_JAR" ] || die "FERRY_JAR=$FERRY_JAR: no such file"
  read -r -a ferry_cmd <<< "java $java_opts"; ferry_cmd+=(-jar "$FERRY_JAR")
else
  ferry_cmd=("$repo/ferry")
fi
units=()
only=()
user_skips=()
report_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --report-only) report_only=1; shift ;;
    --sides) [ $# -ge 2 ] || die "--sides needs a value"; sides="$2"; shift 2 ;;
    --tags) [ $# -ge 2 ] || die "--tags needs a value"; tags="$2"; shift 2 ;;
    --only) [ $# -ge 2 ] || die "--only needs a test name"; only+=(--only "$2"); shift 2 ;;
    --skip) [ $# -ge 2 ] || die "--skip needs a test name"; user_skips+=("$2"); shift 2 ;;
    --timeout) [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a number of seconds"; timeout="$2"; shift 2 ;;
    --retries) [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || die "--retries needs a number"; retries="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out="$2"; shift 2 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) units+=("$1"); shift ;;
  esac
done
case ",$sides," in
  ,direct,ferry,|,ferry,direct,|,direct,|,ferry,) ;;
  *) die "--sides takes direct, ferry or direct,ferry (got '$sides')" ;;
esac
[ ${#units[@]} -gt 0 ] || units=(issue)

mkdir -p "$out"
out="$(cd "$out" && pwd)"
suite="$out/suite"
if [ "$report_only" = 0 ]; then
  suite_src="$("$here/redis-suite-fetch.sh")" || die "could not fetch the suite"
  # A private copy: the suite writes into tests/tmp, and two runs must not share it.
  rm -rf "$suite"
  cp -a "$suite_src" "$suite"
  mkdir -p "$suite/src"
  for b in redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb redis-sentinel; do
    if command -v "$b" >/dev/null; then ln -sf "$(command -v "$b")" "$suite/src/$b"; fi
  done
elif ! [ -d "$suite/tests" ]; then
  die "--report-only: no earlier run in $out"
fi

expanded=()
for u in "${units[@]}"; do
  case "$u" in
    issue) read -r -a more <<< "$(echo $issue_units)"; expanded+=("${more[@]}") ;;
    ci) read -r -a more <<< "$(echo $ci_units)"; expanded+=("${more[@]}") ;;
    all) mapfile -t more < <(cd "$suite" && ./runtest --list-tests); expanded+=("${more[@]}") ;;
    *) [ -f "$suite/tests/$u.tcl" ] || die "no unit $u in the suite (see: all, or $suite/tests)"; expanded+=("$u") ;;
  esac
done
units=("${expanded[@]}")

free_port() {
  echo 'set s [socket -server {} -myaddr 127.0.0.1 0]; puts [lindex [fconfigure $s -sockname] 2]; close $s' | tclsh
}

# Waits until PORT answers PING with PONG (Ferry answers only once it knows the master).
wait_pong() {
  local port="$1" pid="$2" what="$3" i
  for i in $(seq 1 600); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "redis-suite: $what exited before answering PING" >&2; return 1; }
    sleep 0.1
  done
  echo "redis-suite: $what did not answer PING on port $port within 60 s" >&2
  return 1
}

started=()
# Stops what this script started: a pid, or a process group as -pgid (runtest and the clients it forks).
stop_pid() {
  local pid="$1" i
  kill -- "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do kill -0 -- "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- "$pid" 2>/dev/null || true
  wait "${pid#-}" 2>/dev/null || true
}
cleanup() { local p; for p in "${started[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the suite's external mode needs (the flags of Redis's own external CI job).
start_redis() {
  local dir="$1" port="$2"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/redis.log" --save "" --appendonly no \
    --daemonize no --enable-protected-configs yes --enable-debug-command yes --enable-module-command yes &
  redis_pid=$!
  started+=("$redis_pid")
  wait_pong "$port" "$redis_pid" "redis-server" || die "redis-server did not start (log: $dir/redis.log)"
}

start_ferry() {
  local dir="$1" port="$2" node_port="$3"
  cat > "$dir/ferry.yaml" <<EOF
frontends:
  - name: suite
    bind: 127.0.0.1:$port
    servers: [127.0.0.1:$node_port]
    connections: ${FERRY_CONNECTIONS:-shared}
EOF
  "${ferry_cmd[@]}" run --config "$dir/ferry.yaml" > "$dir/ferry.log" 2>&1 &
  ferry_pid=$!
  started+=("$ferry_pid")
  wait_pong "$port" "$ferry_pid" "Ferry" || { tail -20 "$dir/ferry.log" >&2; die "Ferry did not start (log: $dir/ferry.log)"; }
}

# The test the suite was in when it stopped: the last "### Starting test" the suite logged on the server
# (DEBUG LOG) that has no outcome yet.
test_in_progress() {
  local log="$1" results="$2" last started done_count
  last="$(grep -a '### Starting test ' "$log" | tail -1 | sed -e 's/.*### Starting test //' -e 's/ in tests\/[^ ]*\.tcl$//')" || true
  [ -n "$last" ] || return 0
  started="$(grep -a -c -F "### Starting test $last in tests/" "$log" || true)"
  done_count="$(awk -F'\t' -v n="$last" '($1 == "ok" || $1 == "err") && $2 == n' "$results" | wc -l)"
  [ "$started" -gt "$done_count" ] && printf '%s\n' "$last"
  return 0
}

# How long a test of this unit may run through Ferry: twice its slowest test directly, plus 10 s, and at
# least --timeout; directly, generous (a hang there is no finding about Ferry).
unit_timeout() {
  local side="$1" slug="$2" slowest
  if [ "$side" = direct ]; then echo $((timeout * 10)); return; fi
  slowest="$(cat "$out/direct/$slug"/attempt-*/runtest.log 2>/dev/null | sed -n -E 's/^\[ok\]: .* \(([0-9]+) ms\)$/\1/p' | sort -n | tail -1 || true)"
  slowest=$(( (${slowest:-0} * 2 + 999) / 1000 + 10 ))
  echo $(( slowest > timeout ? slowest : timeout ))
}

# After a unit stopped in a hung test, it resumes on a fresh server: the tests that already have an
# outcome and the hung one are skipped (a name that repeats, e.g. the EVAL and FUNCTION variants of a
# scripting test, only once all its occurrences directly have one).
write_skipfile() {
  local dir="$1" slug="$2"
  { cat "$dir"/attempt-*/results.tsv 2>/dev/null || true; } | awk -F'\t' -v direct="$out/direct/$slug/results.tsv" '
    BEGIN { while ((getline line < direct) > 0) { split(line, f, "\t"); if (f[2] == "ok" || f[2] == "err") want[f[3]]++ } }
    $1 == "ok" || $1 == "err" { have[$2]++ }
    END { for (n in have) if (have[n] >= (n in want ? want[n] : 1)) print n }' > "$dir/skip.txt"
  cut -f2 "$dir/hung.tsv" >> "$dir/skip.txt"
  if [ ${#user_skips[@]} -gt 0 ]; then printf '%s\n' "${user_skips[@]}" >> "$dir/skip.txt"; fi
}

run_unit() {
  local side="$1" unit="$2"
  local slug="${unit//\//_}"
  local dir="$out/$side/$slug" unit_limit
  unit_limit="$(unit_timeout "$side" "$slug")"
  rm -rf "$dir"; mkdir -p "$dir"
  local skips=() attempt=0 t0 t1 seconds=0 redis_port target
  : > "$dir/hung.tsv"
  # runtest keeps only its last --skipfile: the tests to skip, the caller's and the resumed ones, in one.
  if [ ${#user_skips[@]} -gt 0 ]; then write_skipfile "$dir" "$slug"; skips=(--skipfile "$dir/skip.txt"); fi
  while :; do
    attempt=$((attempt + 1))
    local adir="$dir/attempt-$attempt"
    mkdir -p "$adir"
    redis_port="$(free_port)"
    start_redis "$adir" "$redis_port"
    target="$redis_port"
    if [ "$side" = ferry ]; then
      target="$(free_port)"
      start_ferry "$adir" "$target" "$redis_port"
    fi
    local try
    for try in 1 2 3; do
      t0=$(date +%s%N)
      # The suite's own listener sits just below --baseport (and 10000 above): a random one per run, so
      # two runs on one machine do not race for it. Below the kernel's ephemeral ports.
      # In its own process group, waited for in the background: Ctrl-C stops it and every client it forked.
      (cd "$suite" && TERM=dumb exec setsid ./runtest --host 127.0.0.1 --port "$target" --single "$unit" --durable \
          --baseport $((10064 + RANDOM % 300 * 32)) --timeout "$unit_limit" ${tags:+--tags "$tags"} "${only[@]}" "${skips[@]}") \
          > "$adir/runtest.log" 2>&1 < /dev/null &
      local runtest_pid=$!
      started+=("-$runtest_pid")
      wait "$runtest_pid" || true
      t1=$(date +%s%N)
      grep -q '^\[ready\]: ' "$adir/runtest.log" && break
      [ "$try" -lt 3 ] || { tail -15 "$adir/runtest.log" >&2; die "runtest did not start (log: $adir/runtest.log)"; }
    done
    seconds=$((seconds + (t1 - t0) / 1000000))
    if [ "$side" = ferry ]; then stop_pid "$ferry_pid"; fi
    stop_pid "$redis_pid"
    awk -f "$here/redis-suite-parse.awk" "$adir/runtest.log" > "$adir/results.tsv"
    local stop hung
    stop="$(awk -F'\t' '$1 == "stop" { print $2 ": " $3; exit }' "$adir/results.tsv")"
    [ -n "$stop" ] || break
    hung="$(test_in_progress "$adir/redis.log" "$adir/results.tsv")"
    if [ -z "$hung" ] || [ "$attempt" -gt "$retries" ]; then break; fi
    printf 'hung\t%s\tthe unit stopped in this test (%s, limit %d s); resumed after it on a fresh server\n' \
      "$hung" "$stop" "$unit_limit" >> "$dir/hung.tsv"
    write_skipfile "$dir" "$slug"
    skips=(--skipfile "$dir/skip.txt")
  done
  # Every attempt's outcomes; a test that a later attempt ran again counts as the later run says. A stop
  # counts only from the last attempt (earlier ones were resumed).
  for a in $(seq "$attempt" -1 1); do
    awk -F'\t' -v last="$attempt" -v a="$a" '$1 != "stop" || a == last' "$dir/attempt-$a/results.tsv" | sed "s/^/$a\t/"
  done | awk -F'\t' -v OFS='\t' '
    { if ($1 != cur) { for (n in now) later[n] = 1; delete now; cur = $1 }
      if ($3 in later && $2 != "stop" && $2 != "block") next
      now[$3] = 1; print $1, NR, $2, $3, $4 }' | sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3- > "$dir/merged.tsv"
  cat "$dir/hung.tsv" "$dir/merged.tsv" | awk -F'\t' -v OFS='\t' -v u="$unit" '{ print u, $0 }' > "$dir/results.tsv"
  printf '%s\t%s\t%s\t%s\n' "$side" "$unit" "$seconds" "$attempt" > "$dir/time.tsv"
  local ok err
  ok="$(awk -F'\t' '$2 == "ok"' "$dir/results.tsv" | wc -l)"
  err="$(awk -F'\t' '$2 == "err" || $2 == "hung"' "$dir/results.tsv" | wc -l)"
  printf 'redis-suite: %-6s %-26s %4d ok %4d failed  %6.1f s%s\n' "$side" "$unit" "$ok" "$err" \
    "$(awk -v ms="$seconds" 'BEGIN { print ms / 1000 }')" "$([ "$attempt" -gt 1 ] && echo "  ($attempt runs)")" >&2
}

if [ "$report_only" = 0 ] && [[ ",$sides," == *,ferry,* ]] && [ "${ferry_cmd[0]}" = "$repo/ferry" ]; then
  "$repo/ferry" --version > /dev/null || die "$repo/ferry does not run"   # builds target/ferry.jar if stale
fi

for side in direct ferry; do
  [ "$report_only" = 0 ] || break
  [[ ",$sides," == *,$side,* ]] || continue
  for unit in "${units[@]}"; do
    # A unit whose every test is external:skip has nothing to compare: no Ferry start for it.
    direct_results="$out/direct/${unit//\//_}/results.tsv"
    if [ "$side" = ferry ] && [ -f "$direct_results" ] && ! [ -s "$direct_results" ]; then
      rm -rf "$out/ferry/${unit//\//_}"
      continue
    fi
    run_unit "$side" "$unit"
  done
done

{
  echo "# $(cat "$suite/SOURCE"), tests/ in external mode; through Ferry: a static servers: frontend${tags:+; --tags $tags}"
  for unit in "${units[@]}"; do echo "unit	$unit"; done
} > "$out/units.txt"
: > "$out/results.tsv"
: > "$out/times.tsv"
for side in direct ferry; do
  for unit in "${units[@]}"; do
    d="$out/$side/${unit//\//_}"
    if [ -f "$d/results.tsv" ]; then awk -v s="$side" '{ print s "\t" $0 }' "$d/results.tsv" >> "$out/results.tsv"; fi
    if [ -f "$d/time.tsv" ]; then cat "$d/time.tsv" >> "$out/times.tsv"; fi
  done
done
status=0
awk -F'\t' -v out="$out" -f "$here/redis-suite-report.awk" "$out/units.txt" "$out/times.tsv" "$out/results.tsv" || status=$?
exit "$status"
