#!/usr/bin/env bash
# Builds the release archive with one Maven command and lists it:
#   target/ferry-<version>-dist.tar.gz: ferry (launcher), ferry.jar, ferry.example.yaml,
#   deploy/ferry.service, docs/DEPLOYMENT.md. It needs only a Java 17+ runtime to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -ntp -DskipTests package
archive=$(ls target/ferry-*-dist.tar.gz)
echo "package: $archive"
tar -tzvf "$archive"
