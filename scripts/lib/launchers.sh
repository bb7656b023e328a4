# Shared by scripts/make-launchers (build/bin, for this checkout) and installers/build-guest-bundle
# (a relocatable install tree): the JVM options of each program and the writer of the launcher
# scripts, so the options and the rpull handoff are written once.
# shellcheck shell=bash

# Options every launcher passes (FFM for zlib, libcrypto and libfuse; netty's Unsafe use).
LAUNCH_COMMON_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
# soci: serial GC and C1 only (a short-lived CLI; SHA-256 and inflate are native, libcrypto and zlib).
LAUNCH_SOCI_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
# The rpull handoff client: a JVM that loads only the JDK and four small classes.
LAUNCH_HANDOFF_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData"
# soci-snapshotter-grpc: a long-lived daemon whose memory is measured against the reference's
# (make bench-lazy). Span data never lives on the heap (it streams to the on-disk span cache), so
# the heap starts at 16 MiB (the AOT cache's archived objects must fit its old generation; pages
# never used cost no RSS) with a small young generation and grows only with the live set (layer
# trees of mounted images), up to 512 MiB; compact object headers; C1 only (the hot paths, SHA-256
# and inflate, are native, so C2's code and compiler arenas would only cost memory and warm-up);
# two malloc arenas (the FUSE and HTTP threads otherwise each grow their own).
LAUNCH_DAEMON_OPTS="-XX:+UseSerialGC -Xms16m -Xmx512m -Xmn6m -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -Xss256k -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1"
LAUNCH_DAEMON_ENV='MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} '
# finch: C1 only, serial GC, no perf-data file (its AOT options are added by make-launchers).
LAUNCH_FINCH_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xlog:aot=off -Xlog:cds=off"
# The handoff client's main class, and the exit code meaning "not handed off, nothing ran".
LAUNCH_HANDOFF_MAIN=dev.finch.soci.handoff.HandoffClient
LAUNCH_HANDOFF_DECLINED=111

# launch_write OUT HEAD JAVA CP MAIN OPTS [AOT] [ENV] [PRELUDE]: writes the launcher OUT.
# HEAD is shell code run first (a relocatable launcher finds its install root there); JAVA and CP
# are shell words inserted as they are (they may use variables HEAD sets). The AOT cache only
# matches the options it was trained with, so FINCH_JAVA_OPTS (extra JVM options for experiments)
# turns it off.
launch_write() {
  local out=$1 head=$2 java=$3 cp=$4 main=$5 opts=$6 aot=${7:-} env=${8:-} prelude=${9:-}
  cat >"$out" <<SCRIPT
#!/bin/sh
${head}aot="$aot"
[ -z "\${FINCH_JAVA_OPTS:-}" ] || aot=""
${prelude}${env}exec $java $opts \$aot \${FINCH_JAVA_OPTS:-} \\
  $LAUNCH_COMMON_OPTS -cp $cp $main "\$@"
SCRIPT
  chmod +x "$out"
}

# launch_handoff_prelude JAVA HANDOFF_CP OPTS: the shell code that first hands an `image rpull` to
# the running snapshotter daemon (warm JVM) over the socket beside its gRPC socket
# ($SOCI_SNAPSHOTTER_ADDRESS, default /run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock); exit
# code 111 means it was not handed off and nothing ran, so the CLI runs it itself.
# SOCI_RPULL_HANDOFF=0 turns it off.
launch_handoff_prelude() {
  local java=$1 cp=$2 opts=$3
  printf '%s\n' 'case " $* " in
  *" rpull "*)
    a=${SOCI_SNAPSHOTTER_ADDRESS:-/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock}
    a=${a#unix://}
    if [ "${SOCI_RPULL_HANDOFF:-1}" != 0 ] && [ -S "${a%.sock}.rpull.sock" ]; then
      '"$java $opts -cp $cp $LAUNCH_HANDOFF_MAIN"' "$@"
      rc=$?
      [ "$rc" -eq '"$LAUNCH_HANDOFF_DECLINED"' ] || exit "$rc"
    fi ;;
esac'
}

# launch_handoff_jar CLASSES_DIR JAR JAVA_HOME [EPOCH]: the handoff client's own small jar (the JVM
# then opens no large jar); with EPOCH its entries carry that time, so the jar is reproducible.
launch_handoff_jar() {
  local classes=$1 jar=$2 java_home=$3 epoch=${4:-} date=()
  [[ -z $epoch ]] || date=(--date="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)")
  (cd "$classes" && "$java_home/bin/jar" --create --file "$jar" "${date[@]}" $(ls dev/finch/soci/handoff/Handoff*.class | grep -v HandoffServer | LC_ALL=C sort))
}

# launch_aot_train JAVA OUT "JVM-OPTIONS" CLASSPATH RC MAIN [ARGS...]: trains the AOT cache OUT (JDK
# 25 ahead-of-time class cache: classes pre-parsed and pre-linked, with method profiles) by running
# MAIN once with the java binary JAVA. Fails unless MAIN exits with RC; prints the options that use
# the cache, or nothing (with the reason on stderr) if there is no cache or the JVM cannot map it
# with these options (e.g. its archived heap objects do not fit the initial heap: fatal at start, so
# it is checked once here). CACHE_REF, if set, is the path the options name instead of OUT (a
# relocatable launcher names it relative to its root).
launch_aot_train() {
  local java=$1 out=$2 opts=$3 cp=$4 want=$5 log rc=0
  shift 5
  rm -f "$out"
  log=$(mktemp)
  "$java" $opts -XX:AOTCacheOutput="$out" -Xlog:aot=off -Xlog:cds=off -cp "$cp" "$@" >"$log" 2>&1 || rc=$?
  if ((rc != want)); then
    echo "launchers: training $(basename "$out") exited $rc, expected $want:" >&2
    tail -n 5 "$log" >&2
    rm -f "$log" "$out"
    return 1
  fi
  if [[ -f $out ]] && "$java" $opts -XX:AOTCache="$out" -Xlog:aot=off -Xlog:cds=off -version >>"$log" 2>&1; then
    echo "-XX:AOTCache=${CACHE_REF:-$out} -Xlog:aot=off -Xlog:cds=off"
  else
    echo "launchers: no AOT cache $(basename "$out"); it starts slower:" >&2
    tail -n 5 "$log" >&2
  fi
  rm -f "$log"
}
