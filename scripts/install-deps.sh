#!/usr/bin/env bash
# Installs what building and testing Ferry needs, only what is missing (Debian/Ubuntu, root or sudo):
# a JDK 17+, Maven, redis-server, redis-sentinel, redis-tools.
#   --with-haproxy    also haproxy (the demo's load balancer; side-by-side measurements against the seed's HAProxy)
#   --with-nutcracker also nutcracker (twemproxy, the benchmark's multiplexing peer); its service is stopped
#   --with-chromium   also chromium and fonts-dejavu-core (screenshots of the stats page)
#   --with-netns      also iproute2 and nftables (partition tests in network namespaces)
set -euo pipefail

with_haproxy=0
with_nutcracker=0
with_chromium=0
with_netns=0
for arg in "$@"; do
  case "$arg" in
    --with-haproxy) with_haproxy=1 ;;
    --with-nutcracker) with_nutcracker=1 ;;
    --with-chromium) with_chromium=1 ;;
    --with-netns) with_netns=1 ;;
    *) echo "usage: $0 [--with-haproxy] [--with-nutcracker] [--with-chromium] [--with-netns]" >&2; exit 2 ;;
  esac
done

has() { command -v "$1" >/dev/null 2>&1; }
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# javac -version prints "javac 17.0.x" (or "javac 1.8.0_x" for an old JDK).
jdk_ok() {
  has javac || return 1
  local major
  major=$(javac -version 2>&1 | awk '{print $2}' | cut -d. -f1)
  [ "${major:-0}" -ge 17 ] 2>/dev/null
}

need=()
jdk_ok || need+=(openjdk-17-jdk-headless)
has mvn || need+=(maven)
has redis-server || need+=(redis-server)
has redis-sentinel || need+=(redis-sentinel)
has redis-cli || need+=(redis-tools)
if [ "$with_haproxy" = 1 ]; then has haproxy || need+=(haproxy); fi
if [ "$with_nutcracker" = 1 ]; then has nutcracker || need+=(nutcracker); fi
if [ "$with_chromium" = 1 ]; then
  has chromium || need+=(chromium)
  has_pkg fonts-dejavu-core || need+=(fonts-dejavu-core)
fi

if [ "$with_netns" = 1 ]; then
  has ip || need+=(iproute2)
  has nft || need+=(nftables)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: all present"
  exit 0
fi

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null

# Debian starts a system redis on 6379 and a Sentinel on 26379 after installing them, and may start nutcracker
# (stats on 22222, on every address); tests and the benchmark need their ports free.
for service in redis-server redis-sentinel nutcracker; do
  case " ${need[*]} " in *" $service "*) ;; *) continue ;; esac
  $sudo service "$service" stop >/dev/null 2>&1 || true
  if has systemctl && [ -d /run/systemd/system ]; then
    $sudo systemctl disable "$service" >/dev/null 2>&1 || true
  fi
  if has update-rc.d; then
    $sudo update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
done

echo "install-deps: installed ${need[*]}"
