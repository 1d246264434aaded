# Idle client sessions through one proxy (sourced): what they cost in memory and in master connections.
# Needs the ports, PASS, HERE, RAW, LOGDIR, record() and bench/procs.sh.

# master_conns PROXY LABEL: prints `<held> <checks>` (bench/tools.py master-conns), saving CLIENT LIST in RAW.
master_conns() {
  python3 "$HERE/tools.py" master-conns --port "$MASTER_PORT" --password "$PASS" --pid "$(pid_of "$1")" \
    --list "$RAW/client-list-$1-$2.txt" || echo "? ?"
}

# hold_idle_sessions PROXY N: N sessions (AUTH + PING each, then a PING every 2 s: the seed's HAProxy closes
# sessions idle for 6 s), held for 5 s; records RSS before and while holding them, and the master
# connections the proxy holds (apart from Ferry's checks) before and while.
hold_idle_sessions() {
  local p=$1 n=$2 pid rss_before rss conns_before conns i opened failed dropped
  pid=$(pid_of "$p")
  log "holding $n idle sessions through $p"
  conns_before=$(master_conns "$p" before)
  rss_before=$(rss_kb "$pid")
  spawn "idle-$p" python3 "$HERE/idle_conns.py" --port "${PROXY_PORT[$p]}" --password "$PASS" -n "$n" \
    --ping-every 2 --stop-on-failure
  for i in $(seq 1800); do
    grep -q '^ready' "$LOGDIR/idle-$p.log" 2>/dev/null && break
    kill -0 "$(pid_of "idle-$p")" 2>/dev/null || die "idle_conns.py exited early: $(cat "$LOGDIR/idle-$p.log")"
    [ "$i" = 1800 ] && die "idle sessions through $p not ready in 180 s"
    sleep 0.1
  done
  pause 5
  rss=$(rss_kb "$pid")
  conns=$(master_conns "$p" holding)
  read -r _ opened failed _ <"$LOGDIR/idle-$p.log"
  stop "idle-$p"
  dropped=$(awk '/^closed/ { print $4 }' "$LOGDIR/idle-$p.log")
  record rss "$p" before-sessions "$rss_before"
  record rss "$p" idle-sessions "$rss"
  # idle PROXY requested open failed held-while held-before checks-while dropped
  record idle "$p" "$n" "$opened" "$failed" "${conns% *}" "${conns_before% *}" "${conns#* }" "${dropped:-?}"
  log "$p: RSS $((rss_before / 1024)) -> $((rss / 1024)) MiB with $opened of $n sessions open ($failed failed);" \
    "master connections held ${conns_before% *} -> ${conns% *} (+ ${conns#* } Ferry checks), ${dropped:-?} dropped"
  pause 3
}
