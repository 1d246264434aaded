#!/usr/bin/env bash
# Builds the release archive target/ferry-<version>.tar.gz, which needs only a Java 17+ runtime to run:
#   ferry-<version>/ferry                 launcher: runs ferry.jar from its own directory (no Maven)
#   ferry-<version>/ferry.jar             the shaded jar
#   ferry-<version>/ferry.example.yaml    a fully commented configuration (deploy/ferry.example.yaml)
#   ferry-<version>/deploy/ferry.service  the systemd unit
#   ferry-<version>/docs/DEPLOYMENT.md    how to run it in production
# Usage: scripts/package.sh [--no-build]   (--no-build: package the existing target/ferry.jar)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then
  mvn -q -B -Dstyle.color=never -DskipTests package
fi
[ -f target/ferry.jar ] || { echo "package: target/ferry.jar is missing (run without --no-build)" >&2; exit 1; }

# "ferry 0.1.0" -> 0.1.0: the version the jar itself reports.
version="$(java -jar target/ferry.jar --version | head -n1 | awk '{print $2}')"
[ -n "$version" ] || { echo "package: target/ferry.jar did not report a version" >&2; exit 1; }

name="ferry-$version"
stage="target/package/$name"
rm -rf "target/package"
mkdir -p "$stage/deploy" "$stage/docs"
cp target/ferry.jar "$stage/ferry.jar"
cp deploy/ferry.example.yaml "$stage/ferry.example.yaml"
cp deploy/ferry.service "$stage/deploy/ferry.service"
cp docs/DEPLOYMENT.md "$stage/docs/DEPLOYMENT.md"
cat > "$stage/ferry" <<'LAUNCHER'
#!/bin/sh
# Ferry's launcher: runs ferry.jar from the directory this script is in (symlinks followed).
# FERRY_JAVA_OPTS adds JVM flags, e.g. FERRY_JAVA_OPTS="-Xmx256m".
set -e
here="$(dirname "$(readlink -f "$0")")"
if ! command -v java >/dev/null 2>&1; then
  echo "ferry: needs a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)" >&2
  exit 1
fi
exec java ${FERRY_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError} -jar "$here/ferry.jar" "$@"
LAUNCHER
chmod 0755 "$stage/ferry"
chmod 0644 "$stage/ferry.jar" "$stage/ferry.example.yaml" "$stage/deploy/ferry.service" "$stage/docs/DEPLOYMENT.md"

archive="target/$name.tar.gz"
tar -C target/package --owner=0 --group=0 --numeric-owner -czf "$archive" "$name"
echo "package: $archive"
tar -tzvf "$archive"
