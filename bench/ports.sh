# The bench's ports on loopback, all derived from BASE (sourced; call bench_ports after setting BASE).
#
#   HAProxy BASE, tuned HAProxy BASE+5, twemproxy BASE+7, Ferry BASE+10, the second Ferry BASE+11,
#   the replica step's HAProxy (role:slave) BASE+6 and Ferry's replica endpoint BASE+8,
#   redis BASE+1..BASE+3 (BASE+2 is the first master), Sentinels BASE+20001..BASE+20003,
#   stats listeners: HAProxy BASE+936, tuned HAProxy BASE+937, twemproxy BASE+938, replica HAProxy BASE+939.
# Everything but the stats listeners and Sentinels stays within BASE..BASE+11 (BenchSmokeTest spaces bases by 12).

bench_ports() {
  HAPROXY_PORT=$BASE
  TUNED_PORT=$((BASE + 5))
  TWEMPROXY_PORT=$((BASE + 7))
  FERRY_PORT=$((BASE + 10))
  FERRY_ALT_PORT=$((BASE + 11))
  HAPROXY_REPLICA_PORT=$((BASE + 6))
  FERRY_REPLICA_PORT=$((BASE + 8))
  STATS_PORT=$((BASE + 936))
  TUNED_STATS_PORT=$((BASE + 937))
  TWEMPROXY_STATS_PORT=$((BASE + 938))
  HAPROXY_REPLICA_STATS_PORT=$((BASE + 939))
  REDIS_PORTS=($((BASE + 1)) $((BASE + 2)) $((BASE + 3)))
  MASTER_PORT=${REDIS_PORTS[1]}   # redis2 is the first master, as in the seed document
  FAILOVER_TO_PORT=${REDIS_PORTS[0]}   # the seed's test: FAILOVER TO redis1
  SENTINEL_PORTS=($((BASE + 20001)) $((BASE + 20002)) $((BASE + 20003)))
  declare -gA PROXY_PORT=([direct]=$MASTER_PORT [haproxy]=$HAPROXY_PORT [haproxy-tuned]=$TUNED_PORT
    [twemproxy]=$TWEMPROXY_PORT [ferry]=$FERRY_PORT [ferry-alt]=$FERRY_ALT_PORT
    [direct-replica]=${REDIS_PORTS[0]} [ferry-replica]=$FERRY_REPLICA_PORT [haproxy-replica]=$HAPROXY_REPLICA_PORT)
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# check_ports TARGET...: dies naming every port of the group and of these targets that something already holds.
check_ports() {
  local t p i busy=()
  declare -A use=()
  for i in 0 1 2; do
    use[${REDIS_PORTS[$i]}]="redis$((i + 1))"
    use[${SENTINEL_PORTS[$i]}]="sentinel$((i + 1))"
  done
  for t in "$@"; do
    case "$t" in
      haproxy) use[$HAPROXY_PORT]="HAProxy (seed)"; use[$STATS_PORT]="HAProxy stats" ;;
      haproxy-tuned) use[$TUNED_PORT]="HAProxy (tuned)"; use[$TUNED_STATS_PORT]="tuned HAProxy stats" ;;
      twemproxy) use[$TWEMPROXY_PORT]="twemproxy"; use[$TWEMPROXY_STATS_PORT]="twemproxy stats" ;;
      ferry) use[$FERRY_PORT]="Ferry" ;;
      ferry-alt) use[$FERRY_ALT_PORT]="the second Ferry" ;;
      ferry-replica) use[$FERRY_REPLICA_PORT]="Ferry's replica endpoint" ;;
      haproxy-replica) use[$HAPROXY_REPLICA_PORT]="HAProxy (role:slave)"; use[$HAPROXY_REPLICA_STATS_PORT]="role:slave HAProxy stats" ;;
    esac
  done
  for p in "${!use[@]}"; do port_busy "$p" && busy+=("$p (${use[$p]})"); done
  [ ${#busy[@]} -eq 0 ] || die "ports in use: ${busy[*]}; stop what holds them or pick another --base"
}
