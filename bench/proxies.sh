# The proxies the bench compares (sourced): start_proxy haproxy|haproxy-tuned|twemproxy|ferry|ferry-alt, and
# haproxy-replica for the replica step (Ferry's replica endpoint is a second frontend of "ferry": FERRY_REPLICA=1).
# Needs the ports (bench/ports.sh), PASS, HERE, HAPROXY_MAXCONN, the Ferry commands (bench/ferry_build.sh)
# and bench/procs.sh. Each config is written to $STATE/<name>.{cfg,yml,yaml}.

# haproxy_config seed|tuned|replica PORT STATS_PORT: the seed document's configuration on loopback ports,
# plus maxconn (the idle-session test), plus mode/timeouts for the stats listener as a stock
# haproxy.cfg's defaults would give it. `replica` is the seed's read-only counterpart, as one would write it
# for reads: the same checks expecting role:slave, the two replicas as servers, balance roundrobin.
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
  local role=master servers=(0 1 2)
  # The replicas are redis1 and redis3 (redis2 is the first master); roundrobin spreads sessions over them.
  if [ "$variant" = replica ]; then
    role=slave servers=(0 2)
    printf '    balance roundrobin\n'
  fi
  cat <<EOF
    option tcp-check
    tcp-check connect
    tcp-check send AUTH\ $PASS\r\n
    tcp-check send PING\r\n
    tcp-check expect string +PONG
    tcp-check send info\ replication\r\n
    tcp-check expect string role:$role
    tcp-check send QUIT\r\n
    tcp-check expect string +OK

EOF
  for i in "${servers[@]}"; do
    # Tuned: the default-server line holds the check settings; a server-line "inter 3s" would override them.
    if [ "$variant" = tuned ]; then echo "    server redis$((i + 1)) 127.0.0.1:${REDIS_PORTS[$i]}"
    else echo "    server redis$((i + 1)) 127.0.0.1:${REDIS_PORTS[$i]} check inter 3s"; fi
  done
  echo
  echo "# redis block end"
}

# twemproxy as one would put it in front of one Redis: the master as its only server, its defaults
# (server_connections 1, no timeout, no ejection), and redis_auth so clients AUTH with the group's password.
# It knows nothing of Sentinel: it stays on this master, which is why it takes no part in the failover runs.
twemproxy_config() {
  cat <<EOF
bench:
  listen: 127.0.0.1:$TWEMPROXY_PORT
  redis: true
  redis_auth: $PASS
  servers:
    - 127.0.0.1:$MASTER_PORT:1
EOF
}

# ferry_frontend NAME MODE: one frontend on NAME's port naming the three Sentinels; `mode:` only when one was
# asked for.
ferry_frontend() {
  cat <<EOF
  - name: $1
    bind: 127.0.0.1:${PROXY_PORT[$1]}
    master: mymaster
    sentinels: [127.0.0.1:${SENTINEL_PORTS[0]}, 127.0.0.1:${SENTINEL_PORTS[1]}, 127.0.0.1:${SENTINEL_PORTS[2]}]
    password: \${REDIS_PASSWORD}
    check: { interval: 1s, timeout: 500ms }
EOF
  [ -z "$2" ] || echo "    mode: $2"
}

# ferry_config NAME MODE [replica]: the frontend NAME; with `replica`, a second one in the same process,
# ferry-replica: `role: replica` with every replica key at its default (max-lag 1s, reads fall back to the
# master while no replica qualifies), as a deployment serving reads beside its master endpoint would run it.
ferry_config() {
  echo "frontends:"
  ferry_frontend "$1" "$2"
  [ "${3:-}" = replica ] || return 0
  ferry_frontend ferry-replica "$2"
  echo "    role: replica"
}

# start_proxy NAME: starts it and waits until it routes writes to the master.
start_proxy() {
  local name=$1
  case "$name" in
    haproxy|haproxy-tuned|haproxy-replica)
      local variant=seed stats=$STATS_PORT up=redis2
      [ "$name" = haproxy-tuned ] && variant=tuned stats=$TUNED_STATS_PORT
      [ "$name" = haproxy-replica ] && variant=replica stats=$HAPROXY_REPLICA_STATS_PORT up=redis1,redis3
      haproxy_config "$variant" "${PROXY_PORT[$name]}" "$stats" >"$STATE/$name.cfg"
      spawn "$name" haproxy -db -f "$STATE/$name.cfg"
      # Wait for the first checks: until then HAProxy may send clients to a node of the wrong role.
      python3 "$HERE/tools.py" haproxy-settled --stats-port "$stats" --up "$up" --timeout 30 \
        || die "$name did not mark only $up UP (log: $LOGDIR/$name.log)"
      ;;
    twemproxy)
      command -v nutcracker >/dev/null 2>&1 || die "nutcracker (twemproxy) is missing: scripts/install-deps.sh --with-nutcracker"
      twemproxy_config >"$STATE/twemproxy.yml"
      nutcracker -t -c "$STATE/twemproxy.yml" >"$LOGDIR/twemproxy-conf.log" 2>&1 \
        || die "nutcracker refuses its configuration: $(cat "$LOGDIR/twemproxy-conf.log")"
      # Its stats listener on a port of ours (its default, 22222 on every address, could be taken).
      spawn twemproxy nutcracker -c "$STATE/twemproxy.yml" -s "$TWEMPROXY_STATS_PORT" -a 127.0.0.1 \
        -o "$LOGDIR/twemproxy-nc.log" -p "$STATE/twemproxy.pid"
      ;;
    ferry)
      ferry_config ferry "${FERRY_MODE:-}" "$([ "${FERRY_REPLICA:-0}" = 1 ] && echo replica)" >"$STATE/ferry.yaml"
      REDIS_PASSWORD=$PASS spawn ferry "${FERRY_CMD[@]}" run --config "$STATE/ferry.yaml"
      ;;
    ferry-alt)
      ferry_config ferry-alt "${FERRY_ALT_MODE:-${FERRY_MODE:-}}" >"$STATE/ferry-alt.yaml"
      REDIS_PASSWORD=$PASS spawn ferry-alt "${FERRY_ALT_CMD[@]}" run --config "$STATE/ferry-alt.yaml"
      ;;
    *) die "unknown proxy '$name'" ;;
  esac
  if [ "$name" = haproxy-replica ]; then
    await_route "$name" replica
  else
    await_route "$name" master
    # Until its replicas qualify (the first check rounds), the replica endpoint reads from the master.
    if [ "$name" = ferry ] && [ "${FERRY_REPLICA:-0}" = 1 ]; then await_route ferry-replica replica; fi
  fi
  kill -0 "$(pid_of "$name")" 2>/dev/null || die "$name exited (log: $LOGDIR/$name.log)"
}

# await_route TARGET master|replica: until 50 sessions in a row, each on a new connection through TARGET, land
# on a node of that role (bench/tools.py route: INCR on the master, ROLE on a replica, where writes are refused).
await_route() {
  local log=$1
  [ "$1" = ferry-replica ] && log=ferry   # a frontend of the ferry process
  python3 "$HERE/tools.py" route --port "${PROXY_PORT[$1]}" --password "$PASS" --role "$2" --ok 50 --timeout 60 \
    || die "$1 does not route to the $2 (log: $LOGDIR/$log.log)"
}
