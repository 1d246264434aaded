#!/usr/bin/env bash
# TLS on both sides, on one machine, on loopback: HAProxy terminating TLS toward clients and speaking
# TLS to Redis (`ssl` on bind and on server) beside Ferry doing the same (tls: and node-tls:), beside
# redis-benchmark straight to Redis's TLS port. Ferry runs twice: with BoringSSL (netty-tcnative, the
# default) and with the JDK's TLS (-Dferry.tls.provider=jdk), to show which engine it should keep.
#
#   bench/tls.sh               about 6 minutes: writes docs/BENCHMARKS-TLS.md
#   bench/tls.sh --smoke       under a minute: writes target/bench-tls-smoke/BENCHMARKS-TLS.md
#
# redis-benchmark --tls -t set,get -c 50, at -P 1 and -P 16, targets alternating in every round;
# medians of req/s over the rounds, each target's share of direct Redis, and the CPU seconds each proxy
# process spends per million requests (/proc/PID/stat utime+stime). Certificates are made here with the
# openssl CLI (EC P-256, naming 127.0.0.1). Everything it starts stops on exit; state lives in a temp dir.
#
# Options: --rounds N (default 3), --requests N (-P 1, default 100000), --requests-pipelined N (-P 16,
# default 1000000), --base PORT (default 9400: Redis +1, HAProxy +2, Ferry +3, Ferry JDK +4), --out DIR, --keep.
# Environment: FERRY_JAVA_OPTS (default: the ./ferry launcher's flags), FERRY_JAR (default target/ferry.jar).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INVOCATION="bench/tls.sh $*"
ROUNDS=3 N1=100000 N16=1000000 BASE=9400 OUT="$ROOT/docs" KEEP=0 SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ROUNDS=1 N1=5000 N16=50000 OUT="$ROOT/target/bench-tls-smoke" ;;
    --rounds) ROUNDS=${2:?}; shift ;;
    --requests) N1=${2:?}; shift ;;
    --requests-pipelined) N16=${2:?}; shift ;;
    --base) BASE=${2:?}; shift ;;
    --out) OUT=${2:?}; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/tls.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for tool in redis-server redis-benchmark haproxy openssl java; do
  command -v "$tool" >/dev/null || { echo "bench/tls.sh: $tool is not installed" >&2; exit 2; }
done
redis-benchmark --help 2>&1 | grep -q -- '--tls' || { echo "bench/tls.sh: this redis-benchmark has no --tls" >&2; exit 2; }

JAR=${FERRY_JAR:-$ROOT/target/ferry.jar}
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -ntp -q -DskipTests package)
FERRY_JAVA_OPTS=${FERRY_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError}
read -r -a JAVA_OPTS <<<"$FERRY_JAVA_OPTS"

STATE=$(mktemp -d /tmp/ferry-bench-tls.XXXXXX)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "kept $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT INT TERM

REDIS=$((BASE + 1)) HAPROXY=$((BASE + 2)) FERRY=$((BASE + 3)) FERRY_JDK=$((BASE + 4))

# ---- certificates: one CA, one certificate naming 127.0.0.1 for Redis, HAProxy and Ferry alike
cd "$STATE"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=bench-ca" -out ca.crt 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out server.key
openssl req -new -key server.key -subj "/CN=127.0.0.1" -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 -extfile san.ext -out server.crt 2>/dev/null
cat server.crt server.key > server.pem

spawn() { local name=$1; shift; "$@" >"$STATE/$name.log" 2>&1 & PIDS+=($!); eval "PID_$name=$!"; }
await_port() {
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench/tls.sh: nothing listens on $1 (logs in $STATE)" >&2; KEEP=1; exit 1
}

# ---- Redis on TLS only
cat > redis.conf <<CONF
port 0
tls-port $REDIS
bind 127.0.0.1
save ""
appendonly no
tls-cert-file $STATE/server.crt
tls-key-file $STATE/server.key
tls-ca-cert-file $STATE/ca.crt
tls-auth-clients no
CONF
spawn redis redis-server redis.conf
await_port $REDIS

# ---- HAProxy: TLS on bind and on server, certificate verified
cat > haproxy.cfg <<CONF
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 3s
  timeout client 60s
  timeout server 60s
listen redis
  bind 127.0.0.1:$HAPROXY ssl crt $STATE/server.pem
  server r1 127.0.0.1:$REDIS ssl verify required ca-file $STATE/ca.crt
CONF
spawn haproxy haproxy -db -f haproxy.cfg
await_port $HAPROXY

# ---- Ferry: TLS toward clients and to the node; the same with the JDK's TLS
ferry_yaml() {
  cat <<CONF
frontends:
  - name: bench
    bind: 127.0.0.1:$1
    servers: [127.0.0.1:$REDIS]
    tls: { cert: $STATE/server.crt, key: $STATE/server.key }
    node-tls: { ca: $STATE/ca.crt }
CONF
}
ferry_yaml $FERRY > ferry.yaml
ferry_yaml $FERRY_JDK > ferry-jdk.yaml
spawn ferry java "${JAVA_OPTS[@]}" -jar "$JAR" run --config ferry.yaml
spawn ferry_jdk java "${JAVA_OPTS[@]}" -Dferry.tls.provider=jdk -jar "$JAR" run --config ferry-jdk.yaml
await_port $FERRY
await_port $FERRY_JDK
for p in $FERRY $FERRY_JDK; do
  for _ in $(seq 1 100); do
    [ "$(redis-cli --tls --cacert ca.crt -p $p PING 2>/dev/null)" = PONG ] && break; sleep 0.2
  done
done
grep -h "TLS through" ferry.log ferry_jdk.log | sed 's/^/  /'

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
declare -A PORT=([direct]=$REDIS [haproxy]=$HAPROXY [ferry]=$FERRY [ferry-jdk]=$FERRY_JDK)
declare -A PID=([direct]="" [haproxy]=$PID_haproxy [ferry]=$PID_ferry [ferry-jdk]=$PID_ferry_jdk)
TARGETS=(direct haproxy ferry ferry-jdk)
: > results.tsv
for round in $(seq 1 "$ROUNDS"); do
  for pipeline in 1 16; do
    n=$([ $pipeline = 1 ] && echo "$N1" || echo "$N16")
    # A different order each round, so no target always runs on a machine warmed by the one before.
    order=("${TARGETS[@]:$(( (round - 1) % 4 ))}" "${TARGETS[@]:0:$(( (round - 1) % 4 ))}")
    for target in "${order[@]}"; do
      pid=${PID[$target]}
      before=0; [ -z "$pid" ] || before=$(cpu_ticks "$pid")
      out=$(redis-benchmark --tls --cacert ca.crt -h 127.0.0.1 -p "${PORT[$target]}" -t set,get -c 50 -n "$n" -P $pipeline -q 2>&1 | tr '\r' '\n')
      after=0; [ -z "$pid" ] || after=$(cpu_ticks "$pid")
      set_rps=$(echo "$out" | awk '/^SET:/ { print $2 }' | tail -1)
      get_rps=$(echo "$out" | awk '/^GET:/ { print $2 }' | tail -1)
      cpu=$(awk -v d=$((after - before)) -v t="$CLK_TCK" 'BEGIN { printf "%.3f", d / t }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$pipeline" "$target" "${set_rps:-0}" "${get_rps:-0}" "$cpu" $((2 * n)) >> results.tsv
      printf '  round %s -P %-2s %-9s SET %10s GET %10s req/s  proxy CPU %s s\n' "$round" "$pipeline" "$target" "${set_rps:-?}" "${get_rps:-?}" "$cpu"
    done
  done
done

# ---- medians, shares of direct, CPU per million requests
summary=$(awk -F'\t' '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { k = $3 SUBSEP $2; set[k] = set[k] " " $4; get[k] = get[k] " " $5; cpu[k] = cpu[k] " " ($6 / $7 * 1e6) }
  END {
    split("direct haproxy ferry ferry-jdk", ts, " ")
    for (p = 1; p <= 16; p += 15) {
      ds = median(set["direct" SUBSEP p]); dg = median(get["direct" SUBSEP p])
      for (i = 1; i <= 4; i++) {
        k = ts[i] SUBSEP p; s = median(set[k]); g = median(get[k])
        c = ts[i] == "direct" ? "-" : sprintf("%.2f", median(cpu[k]))
        printf "| %s | -P %d | %.0f / %.0f | %.2f / %.2f | %s |\n", ts[i], p, s, g, s / ds, g / dg, c
      }
    }
  }' results.tsv)
ratio=$(awk -F'\t' '
  { s[$3 SUBSEP $2] = s[$3 SUBSEP $2] + $4 + $5; n[$3 SUBSEP $2]++ }
  END { for (p = 1; p <= 16; p += 15) printf "-P %d: Ferry/HAProxy %.2f, Ferry JDK/Ferry BoringSSL %.2f; ", p,
          s["ferry" SUBSEP p] / s["haproxy" SUBSEP p], s["ferry-jdk" SUBSEP p] / s["ferry" SUBSEP p] }' results.tsv)

mkdir -p "$OUT"
{
  echo "# TLS on both sides: Ferry, HAProxy and Redis direct"
  echo
  echo "Made by \`$INVOCATION\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo);"
  echo "$(redis-server --version | awk '{ print $3 }'), $(haproxy -v | head -1 | awk '{ print $1, $3 }'), $(java -version 2>&1 | head -1))."
  echo "Every target speaks TLS toward redis-benchmark (\`--tls\`, EC P-256 certificate, TLS 1.3) and every"
  echo "proxy speaks TLS to Redis's \`tls-port\` with the server certificate verified: HAProxy with \`ssl crt\` on"
  echo "\`bind\` and \`ssl verify required ca-file\` on \`server\`, Ferry with \`tls:\` and \`node-tls:\`. \`-c 50\`,"
  echo "$ROUNDS round(s), targets alternating; medians. *ferry* uses BoringSSL (netty-tcnative, Ferry's default"
  echo "when it loads), *ferry-jdk* the JDK's TLS (\`-Dferry.tls.provider=jdk\`). Ferry's JVM flags: \`$FERRY_JAVA_OPTS\`."
  echo "Load average before / after the run: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: read the"
  echo "ratios of one run, alternating targets, rather than the absolute figures)."
  echo
  echo "| target | pipeline | SET / GET req/s | share of direct SET / GET | proxy CPU s per million requests |"
  echo "|---|---|---|---|---|"
  echo "$summary"
  echo
  echo "Throughput ratios (SET+GET, summed over rounds): $ratio"
  echo
  echo "Raw rounds (round, pipeline, target, SET req/s, GET req/s, proxy CPU s, requests):"
  echo
  echo '```'
  cat results.tsv
  echo '```'
} > "$OUT/BENCHMARKS-TLS.md"
echo
echo "$summary"
echo "$ratio"
echo "wrote $OUT/BENCHMARKS-TLS.md"
