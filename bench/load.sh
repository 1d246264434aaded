# The throughput comparison (sourced): redis-benchmark against every target, alternating.
# Needs the ports, PASS, LOGDIR, CLK_TCK, record(), bench/procs.sh, and:
#   TARGETS (array), CONFIGS (array of PIPELINE:CLIENTS), N1 / N16 (requests at -P 1 / otherwise), ROUNDS, WARMUP.

# bench_one TARGET PIPELINE CLIENTS set|get N ROUND: one redis-benchmark run; ROUND 0 is a warm-up, not recorded.
# Records req/s and latency, and the CPU seconds the proxy and the master spent during it.
bench_one() {
  local target=$1 pipeline=$2 clients=$3 test=$4 n=$5 round=$6 pid="" master p0=0 p1=0 m0 m1 out line name rps avg min p50 p95 p99 max
  [ "$target" = direct ] || pid=$(pid_of "$target")
  master=$(pid_of "redis-$MASTER_PORT")
  m0=$(cpu_ticks "$master")
  [ -z "$pid" ] || p0=$(cpu_ticks "$pid")
  out=$(timeout 900 redis-benchmark -h 127.0.0.1 -p "${PROXY_PORT[$target]}" -a "$PASS" \
          -t "$test" -c "$clients" -n "$n" -P "$pipeline" --csv 2>>"$LOGDIR/redis-benchmark.err") \
    || die "redis-benchmark against $target failed (see $LOGDIR/redis-benchmark.err)"
  [ -z "$pid" ] || p1=$(cpu_ticks "$pid")
  m1=$(cpu_ticks "$master")
  [ "$round" = 0 ] && return 0
  while IFS= read -r line; do
    line=${line//\"/}
    case "$line" in
      SET,*|GET,*)
        IFS=, read -r name rps avg min p50 p95 p99 max <<<"$line"
        record tput "$round" "$target" "$pipeline" "$clients" "$name" "$rps" "$avg" "$p50" "$p95" "$p99" "$max"
        log "round $round  $target  -P $pipeline -c $clients  $name  $rps req/s  p50 $p50 ms  p99 $p99 ms" ;;
    esac
  done <<<"$out"
  # cpu ROUND TARGET PIPELINE CLIENTS TEST PROXY_S MASTER_S REQUESTS (PROXY_S is - for direct)
  record cpu "$round" "$target" "$pipeline" "$clients" "${test^^}" \
    "$([ -z "$pid" ] && echo - || awk -v d=$((p1 - p0)) -v t="$CLK_TCK" 'BEGIN { print d / t }')" \
    "$(awk -v d=$((m1 - m0)) -v t="$CLK_TCK" 'BEGIN { print d / t }')" "$n"
}

requests_for() { [ "$1" = 1 ] && echo "$N1" || echo "$N16"; }

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
        k=$(((k + 1) % ${#TARGETS[@]}))
        order=("${TARGETS[@]:$k}" "${TARGETS[@]:0:$k}")
        for t in "${order[@]}"; do bench_one "$t" "$pipeline" "$clients" "$test" "$n" "$r"; done
      done
    done
  done
}
