# Process bookkeeping for the bench scripts (sourced): every process they start is recorded and stopped.
#
# Needs STATE (a private temp dir), LOGDIR (where spawned processes log), BENCH_NAME (for log lines) and
# KEEP (1: keep STATE on exit). Call install_cleanup once STATE exists.

log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$BENCH_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# spawn NAME CMD...: start CMD in the background, stdout+stderr to $LOGDIR/NAME.log, pid in $STATE/pid/NAME.
# Disowned, so bash prints no "Killed" line for the master we kill -9; spawn_job keeps it a job to `wait` for.
spawn() {
  spawn_job "$@"
  disown "$(pid_of "$1")"
}
spawn_job() {
  local name=$1; shift
  mkdir -p "$STATE/pid"
  "$@" >"$LOGDIR/$name.log" 2>&1 &
  echo $! >"$STATE/pid/$name"
}
pid_of() { cat "$STATE/pid/$1"; }
# stop NAME: SIGTERM, up to 5 s to exit, then SIGKILL; only the pid that spawn recorded.
stop() {
  local f=$STATE/pid/$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f"); rm -f "$f"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() {
  local f
  for f in "$STATE"/pid/*; do [ -e "$f" ] && stop "$(basename "$f")"; done
  return 0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  # Kept after a failure (configs and logs explain it), removed after Ctrl-C unless --keep.
  if [ "$KEEP" = 1 ] || { [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; }; then
    log "state kept in $STATE"
  else
    rm -rf "$STATE"
  fi
  exit "$rc"
}
install_cleanup() {
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
}
# Sleeps in a way that lets the INT/TERM traps run at once.
pause() { sleep "$1" & wait $! || true; }

rcli() { local p=$1; shift; redis-cli -p "$p" -a "$PASS" --no-auth-warning "$@"; }
info_field() { rcli "$1" info "$2" 2>/dev/null | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }
# utime+stime of a process, all threads, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
