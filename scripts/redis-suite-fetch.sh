#!/usr/bin/env bash
# Fetches Redis's own test suite (tests/ and runtest of the Debian source package that built the installed
# redis-server) into a cache, once, and prints the suite's directory. Installs what is missing: tcl (the
# suite is Tcl), dpkg-dev (dpkg-source unpacks and patches the package), a deb-src entry for the mirror
# the machine's Debian sources already use.
#   REDIS_SUITE_CACHE  where the suite is kept (default: ${XDG_CACHE_HOME:-~/.cache}/ferry/redis-suite)
set -euo pipefail

cache="${REDIS_SUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry/redis-suite}"
say() { echo "redis-suite-fetch: $*" >&2; }
die() { say "$*"; exit 1; }

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  "$here/install-deps.sh" >&2
fi

# The source package and its exact version, as installed ("redis" 5:7.0.15-1~deb12u10 on bookworm).
pkg_version="$(dpkg-query -W -f='${source:Version}' redis-server 2>/dev/null)" \
  || die "redis-server is not a Debian package here: the suite is fetched from Debian's source of the installed package"
src_pkg="$(dpkg-query -W -f='${source:Package}' redis-server)"
upstream="${pkg_version#*:}"
upstream="${upstream%%-*}"
dir="$cache/$src_pkg-${pkg_version#*:}"

if [ -x "$dir/runtest" ] && [ -f "$dir/tests/test_helper.tcl" ]; then
  echo "$dir"
  exit 0
fi

need=()
command -v tclsh >/dev/null || need+=(tcl)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A deb-src twin of every deb entry, same mirrors and suites (deb822 .sources and one-line .list alike).
have_source() { apt-cache showsrc "$src_pkg" 2>/dev/null | grep -qx "Version: $pkg_version"; }
if ! have_source; then
  twin=/etc/apt/sources.list.d/ferry-deb-src.sources
  list_twin=/etc/apt/sources.list.d/ferry-deb-src.list
  tmp="$(mktemp)"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$twin" ] || continue
    # Keep only the stanzas whose Types include deb, rewritten to deb-src.
    awk 'BEGIN { RS=""; ORS="\n\n" } /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
           sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >> "$tmp"
  done
  list_tmp="$(mktemp)"
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v -F -- "$list_twin" \
    | sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' > "$list_tmp" || true
  [ -s "$tmp" ] || [ -s "$list_tmp" ] || die "no Debian 'deb' entry in /etc/apt/sources.list{,.d}: cannot tell which mirror to fetch the source from"
  if [ -s "$tmp" ]; then $sudo cp "$tmp" "$twin"; $sudo chmod 644 "$twin"; say "added $twin"; fi
  if [ -s "$list_tmp" ]; then $sudo cp "$list_tmp" "$list_twin"; $sudo chmod 644 "$list_twin"; say "added $list_twin"; fi
  rm -f "$tmp" "$list_tmp"
  $sudo apt-get update -qq
fi

version="$pkg_version"
if ! have_source; then
  # The mirror no longer serves this exact revision: the same upstream release with newer Debian patches.
  version="$(apt-cache showsrc "$src_pkg" | sed -n 's/^Version: //p' | grep -F -- ":$upstream-" | sort -V | tail -1)"
  [ -n "$version" ] || die "no source of $src_pkg $upstream on the configured mirrors (wanted $pkg_version)"
  say "source $pkg_version is not served; using $version (same upstream $upstream)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/redis-suite-fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "fetching $src_pkg=$version from Debian"
(cd "$work" && apt-get source -qq "$src_pkg=$version" >/dev/null 2>"$work/apt.err") \
  || { cat "$work/apt.err" >&2; die "apt-get source $src_pkg=$version failed"; }
unpacked="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$src_pkg-*" | head -1)"
[ -n "$unpacked" ] && [ -x "$unpacked/runtest" ] || die "the source of $src_pkg=$version has no runtest"

# Keep what the suite reads (runtest, tests/); its binaries come from the installed packages (the
# runner links src/redis-* to them).
mkdir -p "$cache"
keep="$work/keep"
mkdir -p "$keep"
cp -a "$unpacked/runtest" "$unpacked/tests" "$keep/"
echo "$src_pkg $version" > "$keep/SOURCE"
rm -rf "$dir"
mv "$keep" "$dir"
say "suite of $src_pkg $version in $dir"
echo "$dir"
