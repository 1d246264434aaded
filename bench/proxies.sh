# The proxies the bench compares (sourced): start_proxy haproxy|haproxy-tuned|twemproxy|ferry|ferry-alt.
# Needs the ports (bench/ports.sh), PASS, HERE, HAPROXY_MAXCONN, the Ferry commands (bench/ferry_build.sh)
# and bench/procs.sh. Each config is written to $STATE/<name>.{cfg,yml,yaml}.

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

# ferry_config NAME MODE: one frontend naming the three Sentinels; `mode:` only when one was asked for.
ferry_config() {
  cat <<EOF
frontends:
  - name: $1
    bind: 127.0.0.1:${PROXY_PORT[$1]}
    master: mymaster
    sentinels: [127.0.0.1:${SENTINEL_PORTS[0]}, 127.0.0.1:${SENTINEL_PORTS[1]}, 127.0.0.1:${SENTINEL_PORTS[2]}]
    password: \${REDIS_PASSWORD}
    check: { interval: 1s, timeout: 500ms }
EOF
  [ -z "$2" ] || echo "    mode: $2"
}

# start_proxy NAME: starts it and waits until it routes writes to the master.
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
      ferry_config ferry "${FERRY_MODE:-}" >"$STATE/ferry.yaml"
      REDIS_PASSWORD=$PASS spawn ferry "${FERRY_CMD[@]}" run --config "$STATE/ferry.yaml"
      ;;
    ferry-alt)
      ferry_config ferry-alt "${FERRY_ALT_MODE:-${FERRY_MODE:-}}" >"$STATE/ferry-alt.yaml"
      REDIS_PASSWORD=$PASS spawn ferry-alt "${FERRY_ALT_CMD[@]}" run --config "$STATE/ferry-alt.yaml"
      ;;
    *) die "unknown proxy '$name'" ;;
  esac
  python3 "$HERE/tools.py" route --port "${PROXY_PORT[$name]}" --password "$PASS" --ok 50 --timeout 60 \
    || die "$name does not route to the master (log: $LOGDIR/$name.log)"
  kill -0 "$(pid_of "$name")" 2>/dev/null || die "$name exited (log: $LOGDIR/$name.log)"
}
