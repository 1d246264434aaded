# A failover under a writing client (sourced): failover_one TARGET failover-to|kill9 runs it on a freshly started
# group: the proxy, two writers (bench/writer.py: new connection per write, and one persistent connection),
# Sentinel's events with timestamps (bench/tools.py sentinel-events), the event, the writers' outcomes.
# Needs the ports, PASS, HERE, RAW, PRE_S, POST_FAILOVER_TO_S, POST_KILL_S, group.sh, proxies.sh, procs.sh.

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
