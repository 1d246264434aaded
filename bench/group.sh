# The Redis group the bench runs against (sourced): 3 redis-server with requirepass (redis2 the master, two
# replicas), 3 Sentinels (quorum 2). Needs the ports (bench/ports.sh), PASS, DOWN_AFTER_MS, HERE and the
# process bookkeeping (bench/procs.sh). Each group_up starts a fresh group in its own directory.

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
