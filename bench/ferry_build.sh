# Which Ferry the bench runs, and with which JVM (sourced). Needs ROOT, STATE and bench/procs.sh.
#
# Ferry ("ferry"):      FERRY_CLASSPATH, else FERRY_JAR, else FERRY_REV (a git revision, built apart), else the
#                       working tree (built by ./ferry when needed); FERRY_JAVA (default: java on PATH),
#                       FERRY_JAVA_OPTS (default: the ./ferry launcher's flags); MALLOC_ARENA_MAX as the launcher
#                       sets it (2, unless set).
# The second Ferry ("ferry-alt"), there when any FERRY_ALT_* is set, each defaulting to Ferry's:
#                       FERRY_ALT_JAR or FERRY_ALT_REV, FERRY_ALT_JAVA, FERRY_ALT_JAVA_OPTS (or FERRY_ALT_OPTS),
#                       FERRY_ALT_MODE, FERRY_ALT_LABEL (its name in the report).
# resolve_ferry sets FERRY_CMD / FERRY_ALT_CMD (arrays: env MALLOC_ARENA_MAX=.., java, flags, launch), *_SOURCE, *_VERSION, *_JAVA_VERSION.

LAUNCHER_JAVA_OPTS="$(cat "$(dirname "${BASH_SOURCE[0]}")/../deploy/jvm.options")"
# glibc's malloc arenas for both Ferrys, as the launcher and the systemd unit set them (docs/BENCHMARKS-RSS.md).
ARENAS=${MALLOC_ARENA_MAX:-2}

git_rev() { git -C "$ROOT" rev-parse --short "$1" 2>/dev/null || echo unknown; }

# build_rev REV JAR: Ferry as committed at REV, built in STATE (work in progress in the tree cannot break it).
build_rev() {
  local rev dir
  rev=$(git -C "$ROOT" rev-parse --verify --quiet "$1^{commit}") || die "$1: not a git commit"
  dir=$STATE/build-$(git_rev "$rev")
  if [ ! -f "$dir/target/ferry.jar" ]; then
    log "building Ferry from git $(git_rev "$rev")"
    mkdir -p "$dir"
    git -C "$ROOT" archive "$rev" | tar -x -C "$dir"
    (cd "$dir" && mvn -q -B -ntp -Dmaven.test.skip=true package) >"$dir/build.log" 2>&1 \
      || die "building git $(git_rev "$rev") failed: $(tail -20 "$dir/build.log")"
  fi
  cp "$dir/target/ferry.jar" "$2"
}

java_bin() {
  command -v "$1" >/dev/null 2>&1 || die "$2=$1: no such java"
  echo "$1"
}

resolve_ferry() {
  local launch=() opts=()
  FERRY_JAVA=$(java_bin "${FERRY_JAVA:-java}" FERRY_JAVA)
  FERRY_JAVA_OPTS=${FERRY_JAVA_OPTS:-$LAUNCHER_JAVA_OPTS}
  if [ -n "${FERRY_CLASSPATH:-}" ]; then
    launch=(-cp "$FERRY_CLASSPATH" dev.ferry.cli.Main)
    FERRY_SOURCE="the caller's class path (working tree at git $(git_rev HEAD))"
  else
    if [ -n "${FERRY_JAR:-}" ]; then
      [ -f "$FERRY_JAR" ] || die "FERRY_JAR=$FERRY_JAR: no such file"
      cp "$FERRY_JAR" "$STATE/ferry.jar"
      FERRY_SOURCE="jar $FERRY_JAR"
    elif [ -n "${FERRY_REV:-}" ]; then
      build_rev "$FERRY_REV" "$STATE/ferry.jar"
      FERRY_SOURCE="git $(git_rev "$FERRY_REV")"
    else
      log "building Ferry from the working tree when needed (./ferry --version)"
      "$ROOT/ferry" --version >/dev/null \
        || die "building Ferry from the working tree failed (work in progress?); try --ferry-rev HEAD or FERRY_JAR=path"
      # A private copy: a rebuild of target/ferry.jar during the run must not change the jar under a running JVM.
      cp "$ROOT/target/ferry.jar" "$STATE/ferry.jar"
      FERRY_SOURCE="working tree at git $(git_rev HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' with uncommitted changes')"
    fi
    launch=(-jar "$STATE/ferry.jar")
  fi
  read -r -a opts <<<"$FERRY_JAVA_OPTS"
  FERRY_CMD=(env "MALLOC_ARENA_MAX=$ARENAS" "$FERRY_JAVA" "${opts[@]}" "${launch[@]}")
  FERRY_JAVA_VERSION=$("$FERRY_JAVA" -version 2>&1 | head -1)
  FERRY_VERSION=$("${FERRY_CMD[@]}" --version 2>&1 | head -1) || die "Ferry does not start: $FERRY_VERSION"

  FERRY_ALT_JAVA_OPTS=${FERRY_ALT_JAVA_OPTS:-${FERRY_ALT_OPTS:-}}
  FERRY_ALT=0
  [ -z "${FERRY_ALT_JAR:-}${FERRY_ALT_REV:-}${FERRY_ALT_JAVA:-}${FERRY_ALT_JAVA_OPTS}${FERRY_ALT_MODE:-}" ] && return 0
  FERRY_ALT=1
  FERRY_ALT_JAVA=$(java_bin "${FERRY_ALT_JAVA:-$FERRY_JAVA}" FERRY_ALT_JAVA)
  if [ -n "${FERRY_ALT_JAR:-}" ]; then
    [ -f "$FERRY_ALT_JAR" ] || die "FERRY_ALT_JAR=$FERRY_ALT_JAR: no such file"
    cp "$FERRY_ALT_JAR" "$STATE/ferry-alt.jar"
    launch=(-jar "$STATE/ferry-alt.jar")
    FERRY_ALT_SOURCE="jar $FERRY_ALT_JAR"
  elif [ -n "${FERRY_ALT_REV:-}" ]; then
    build_rev "$FERRY_ALT_REV" "$STATE/ferry-alt.jar"
    launch=(-jar "$STATE/ferry-alt.jar")
    FERRY_ALT_SOURCE="git $(git_rev "$FERRY_ALT_REV")"
  else
    FERRY_ALT_SOURCE=$FERRY_SOURCE
  fi
  read -r -a opts <<<"${FERRY_ALT_JAVA_OPTS:-$FERRY_JAVA_OPTS}"
  FERRY_ALT_CMD=(env "MALLOC_ARENA_MAX=$ARENAS" "$FERRY_ALT_JAVA" "${opts[@]}" "${launch[@]}")
  FERRY_ALT_JAVA_VERSION=$("$FERRY_ALT_JAVA" -version 2>&1 | head -1)
  FERRY_ALT_VERSION=$("${FERRY_ALT_CMD[@]}" --version 2>&1 | head -1) || die "the second Ferry does not start: $FERRY_ALT_VERSION"
}
