# The throughput comparisons (sourced): redis-benchmark against every target, alternating.
# Needs the ports, PASS, LOGDIR, CLK_TCK, record(), bench/procs.sh, and:
#   TARGETS (array), CONFIGS (array of PIPELINE:CLIENTS), N1 / N16 (requests at -P 1 / otherwise), ROUNDS, WARMUP;
#   for run_reads, READ_TARGETS and READ_CONFIGS (arrays).

# proxy_pid TARGET: the process whose CPU counts as the proxy's; none for redis-benchmark straight at a node.
proxy_pid() {
  case "$1" in
    direct|direct-replica) ;;
    ferry-replica) pid_of ferry ;;   # a second frontend of the same Ferry process
    *) pid_of "$1" ;;
  esac
}

# redis_ticks PORT...: utime+stime of those redis-servers together.
redis_ticks() {
  local p t=0
  for p in "$@"; do t=$((t + $(cpu_ticks "$(pid_of "redis-$p")"))); done
  echo "$t"
}

# bench_one TARGET PIPELINE CLIENTS set|get N ROUND [reads]: one redis-benchmark run; ROUND 0 is a warm-up, not
# recorded. Records req/s and latency, and the CPU seconds the proxy and the master spent during it.
# `reads` (the replica step) records them as `reads` and `reads-cpu` rows instead, counts the CPU of all three
# redis-servers (reads land on replicas; the others' share is near zero), and records how many GETs each node
# ran meanwhile (INFO commandstats before and after): where the reads went.
bench_one() {
  local target=$1 pipeline=$2 clients=$3 test=$4 n=$5 round=$6 step=${7:-} pid nodes=("$MASTER_PORT") p0=0 p1=0 m0 m1 \
    calls0="" calls1="" out line name rps avg min p50 p95 p99 max i
  local kind=tput cpu_kind=cpu
  if [ "$step" = reads ]; then
    kind=reads cpu_kind=reads-cpu nodes=("${REDIS_PORTS[@]}")
    [ "$round" = 0 ] || calls0=$(get_calls)
  fi
  pid=$(proxy_pid "$target")
  m0=$(redis_ticks "${nodes[@]}")
  [ -z "$pid" ] || p0=$(cpu_ticks "$pid")
  out=$(timeout 900 redis-benchmark -h 127.0.0.1 -p "${PROXY_PORT[$target]}" -a "$PASS" \
          -t "$test" -c "$clients" -n "$n" -P "$pipeline" --csv 2>>"$LOGDIR/redis-benchmark.err") \
    || die "redis-benchmark against $target failed (see $LOGDIR/redis-benchmark.err)"
  [ -z "$pid" ] || p1=$(cpu_ticks "$pid")
  m1=$(redis_ticks "${nodes[@]}")
  [ "$round" = 0 ] && return 0
  while IFS= read -r line; do
    line=${line//\"/}
    case "$line" in
      SET,*|GET,*)
        IFS=, read -r name rps avg min p50 p95 p99 max <<<"$line"
        record "$kind" "$round" "$target" "$pipeline" "$clients" "$name" "$rps" "$avg" "$p50" "$p95" "$p99" "$max"
        log "round $round  $target  -P $pipeline -c $clients  $name  $rps req/s  p50 $p50 ms  p99 $p99 ms" ;;
    esac
  done <<<"$out"
  # cpu ROUND TARGET PIPELINE CLIENTS TEST PROXY_S MASTER_S REQUESTS (PROXY_S is - for direct; reads-cpu: the
  # same with all three redis-servers' CPU for MASTER_S)
  record "$cpu_kind" "$round" "$target" "$pipeline" "$clients" "${test^^}" \
    "$([ -z "$pid" ] && echo - || awk -v d=$((p1 - p0)) -v t="$CLK_TCK" 'BEGIN { print d / t }')" \
    "$(awk -v d=$((m1 - m0)) -v t="$CLK_TCK" 'BEGIN { print d / t }')" "$n"
  if [ -n "$calls0" ]; then
    calls1=$(get_calls)
    local a b deltas=()
    read -r -a a <<<"$calls0"
    read -r -a b <<<"$calls1"
    for i in 0 1 2; do deltas+=($((b[i] - a[i]))); done
    # spread ROUND TARGET PIPELINE CLIENTS GETS_REDIS1 GETS_REDIS2 GETS_REDIS3 (redis2 is the master)
    record spread "$round" "$target" "$pipeline" "$clients" "${deltas[@]}"
    log "round $round  $target  -P $pipeline -c $clients  GETs on redis1/redis2 (master)/redis3: ${deltas[*]}"
  fi
}

# get_calls: GETs each node has run so far, in the order of REDIS_PORTS.
get_calls() {
  python3 "$HERE/tools.py" get-calls --ports "$(IFS=,; echo "${REDIS_PORTS[*]}")" --password "$PASS" \
    || die "could not read INFO commandstats"
}

requests_for() { [ "$1" = 1 ] && echo "$N1" || echo "$N16"; }

# rotate_targets OFFSET TARGET...: prints the targets starting at OFFSET (mod their number), wrapping around.
rotate_targets() {
  local k=$1; shift
  local t=("$@")
  k=$((k % ${#t[@]}))
  echo "${t[@]:$k}" "${t[@]:0:$k}"
}

# run_load: a warm-up per target, then ROUNDS rounds. Each (configuration, command) runs every target in turn,
# the order rotated from one to the next, so no target always runs first or last, and the runs compared with
# each other are close in time.
run_load() {
  local t cfg test r k=0 order pipeline clients n
  if [ "$WARMUP" = 1 ]; then
    log "warm-up: $((N1 / 5)) requests per command at -P 1 and $((N16 / 5)) at -P 16, per target (not recorded)"
    for t in "${TARGETS[@]}"; do
      for test in set get; do bench_one "$t" 1 50 "$test" $((N1 / 5)) 0; bench_one "$t" 16 50 "$test" $((N16 / 5)) 0; done
    done
  fi
  for r in $(seq "$ROUNDS"); do
    for cfg in "${CONFIGS[@]}"; do
      pipeline=${cfg%:*} clients=${cfg#*:}
      n=$(requests_for "$pipeline")
      for test in set get; do
        k=$((k + 1))
        read -r -a order <<<"$(rotate_targets "$k" "${TARGETS[@]}")"
        for t in "${order[@]}"; do bench_one "$t" "$pipeline" "$clients" "$test" "$n" "$r"; done
      done
    done
  done
}

# run_reads: the replica step, GET only, over READ_TARGETS (nodes, master endpoints and replica endpoints) in
# READ_CONFIGS; warm-up and rounds as run_load, the order rotated likewise. GET reads the key SET wrote in the
# first step (redis-benchmark's key:__rand_int__, 3 bytes: -d 3); it is written again here, and WAIT makes sure
# both replicas have it, so that every target answers the same value and none answers nil.
run_reads() {
  local t cfg r k=0 order pipeline clients n
  [ "$(rcli "$MASTER_PORT" set key:__rand_int__ xxx)" = OK ] || die "could not write the key the reads read"
  [ "$(rcli "$MASTER_PORT" wait 2 5000)" = 2 ] || die "the replicas did not acknowledge the key the reads read"
  if [ "$WARMUP" = 1 ]; then
    log "replica step warm-up: $((N1 / 5)) GETs at -P 1 and $((N16 / 5)) at -P 16, per target (not recorded)"
    for t in "${READ_TARGETS[@]}"; do
      bench_one "$t" 1 50 get $((N1 / 5)) 0 reads
      bench_one "$t" 16 50 get $((N16 / 5)) 0 reads
    done
  fi
  for r in $(seq "$ROUNDS"); do
    for cfg in "${READ_CONFIGS[@]}"; do
      pipeline=${cfg%:*} clients=${cfg#*:}
      n=$(requests_for "$pipeline")
      k=$((k + 1))
      read -r -a order <<<"$(rotate_targets "$k" "${READ_TARGETS[@]}")"
      for t in "${order[@]}"; do bench_one "$t" "$pipeline" "$clients" get "$n" "$r" reads; done
    done
  done
}
