# Shared by scripts/bench-lazy and scripts/bench-apps: one cold, timed pull + run of an image for each
# of the three tools, under a tc tbf limit on lo, with the set-up both need. Source it after
# scripts/lib/services.sh, then call bench_setup; the tools, the TLS work-around for the reference and
# what each run does are described in scripts/bench-lazy's header.
#   bench_setup                 checks, bench_lock, the work dir ($work), the reference's state moved aside
#   bench_index IMAGE [ARG...]  our soci create [ARG...] + push of IMAGE (from a running containerd)
#                               -> INDEX_DIGEST; INDEX_LOG is the push's output
#   bench_tls_registry NAME     a TLS registry on registry NAME's storage + the reference's config
#                               -> TLS_PORT; bench_tls_name IMAGE prints IMAGE's name on that port
#   bench_tc_on RATE / bench_tc_off
#   bench_run_plain|bench_run_ours|bench_run_ref RUN IMAGE CMD...
#                               -> RUN_SECS (pull + run), RUN_PULL; ours and ref also RUN_RSS (kB,
#                               VmHWM of the daemon) and RUN_UP (daemon launch to listening socket).
#                               bench_run_ref fails unless the reference used INDEX_DIGEST (if set).
# If the caller defines bench_after_run TOOL, it is called right after each READY (daemon still up).
# shellcheck shell=bash

BENCH_NAME=$(basename "$0")
bin=$top/build/bin
ref=$top/ref/soci-0.4.1/usr/bin
ref_state=/var/lib/soci-snapshotter-grpc

fail() { echo "$BENCH_NAME: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
vmhwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# unmount_under DIR: lazily unmount whatever is mounted under DIR, deepest first
unmount_under() {
  awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}
# fuse_mounts DIR: number of FUSE mounts under DIR (a lazily loaded layer is one)
fuse_mounts() {
  awk -v d="$1/" 'index($5, d) == 1 { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) ~ /^fuse/) n++; break } }
    END {print n + 0}' /proc/self/mountinfo
}
# stop_service PID: stop one process this script started (TERM, KILL after 10 s) and forget it
stop_service() {
  local pid=$1 p keep=()
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${SERVICES_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  SERVICES_PIDS=("${keep[@]}")
}
# logged LOGFILE WHAT COMMAND...: run COMMAND with its output in LOGFILE; fail with its tail if it fails
logged() {
  local log=$1 what=$2
  shift 2
  "$@" >"$log" 2>&1 || fail "$what failed (exit $?): $(tail -5 "$log")"
}
# ctr_run WHAT CTR-RUN-ARGS...: ctr run --rm; fail unless it prints READY
ctr_run() {
  local what=$1 out err=$work/ctr-run.err
  shift
  out=$(ctr --address "$CONTAINERD_SOCK" run --rm "$@" 2>"$err") || fail "$what: ctr run failed: $out $(tail -5 "$err")"
  [[ $out == *READY* ]] || fail "$what: the container did not print READY (stdout: '$out'; stderr: $(tail -5 "$err"))"
}

# containerd-shim processes of OUR containerd (identified by its socket path), for an abort mid-run
stop_our_shims() {
  local p comm
  for p in /proc/[0-9]*; do
    comm=$(cat "$p/comm" 2>/dev/null) || continue
    [[ $comm == containerd-shim* ]] || continue
    tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF "$work/containerd/containerd.sock" || continue
    kill -TERM "${p#/proc/}" 2>/dev/null || true
  done
}
bench_cleanup() {
  set +e
  ((tc_added)) && tc qdisc del dev lo root 2>/dev/null
  stop_our_shims
  services_cleanup
  ((state_owned)) && rm -rf "$ref_state"
  [[ -n $state_saved ]] && mv "$state_saved" "$ref_state"
  return 0
}

bench_setup() {
  local tool d
  [[ -x $bin/soci && -x $bin/soci-snapshotter-grpc ]] || fail "build first (make build)"
  ((EUID == 0)) || fail "needs root (containerd, FUSE, tc)"
  for tool in containerd ctr docker-registry skopeo umoci openssl curl tc python3 "$@"; do
    command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
  done
  [[ -x /bin/busybox ]] || fail "/bin/busybox not found (scripts/install-deps: busybox-static)"
  if [[ ! -x $ref/soci || ! -x $ref/soci-snapshotter-grpc ]]; then
    "$top/scripts/fetch-reference-soci" >&2
  fi
  bench_lock
  if tc qdisc show dev lo | grep -q ' root ' && ! tc qdisc show dev lo | grep -q '^qdisc noqueue 0: root'; then
    fail "lo already has a root qdisc ($(tc qdisc show dev lo | head -1)); another benchmark running?"
  fi
  for d in "$ref_state".bench-*-saved.*; do
    [[ -e $d ]] && fail "$d exists: a killed benchmark left it; check it and move it back to $ref_state first"
  done
  work=$(mktemp -d "/var/tmp/finch-$BENCH_NAME.XXXXXX")
  services_init "$work"
  tc_added=0 state_saved="" state_owned=0
  trap bench_cleanup EXIT
  if [[ -e $ref_state ]]; then
    mv "$ref_state" "$ref_state.$BENCH_NAME-saved.$$"
    state_saved=$ref_state.$BENCH_NAME-saved.$$
  fi
  state_owned=1
}

bench_index() {
  local image=$1
  shift
  logged "$work/index-create.log" "soci create" \
    "$bin/soci" --address "$CONTAINERD_SOCK" --root "$work/soci-cli" -n build create "$@" "$image"
  INDEX_LOG=$work/index-push.log
  logged "$INDEX_LOG" "soci push" \
    "$bin/soci" --address "$CONTAINERD_SOCK" --root "$work/soci-cli" -n build push --plain-http "$image"
  INDEX_DIGEST=$(grep -i 'index' "$INDEX_LOG" | grep -o 'sha256:[0-9a-f]\{64\}' | head -1 || true)
  if [[ -n $INDEX_DIGEST ]]; then
    echo "$BENCH_NAME: SOCI index $INDEX_DIGEST (both daemons must use it)" >&2
  else
    echo "$BENCH_NAME: warning: no index digest in the soci push output; not checking which index the reference uses" >&2
  fi
}

bench_tls_registry() {
  local plain_reg=$REGISTRY
  tls=$work/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>"$tls/openssl.err" || fail "openssl: $(cat "$tls/openssl.err")"
  { [[ -f /etc/ssl/certs/ca-certificates.crt ]] && cat /etc/ssl/certs/ca-certificates.crt; cat "$tls/cert.pem"; } >"$tls/bundle.pem"
  TLS_PORT=$(free_port)
  cat >"$tls/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $SERVICES_DIR/registry-$1/data
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$TLS_PORT
  tls:
    certificate: $tls/cert.pem
    key: $tls/key.pem
YML
  docker-registry serve "$tls/config.yml" >"$tls/registry.log" 2>&1 &
  SERVICES_PIDS+=($!)
  wait_for "TLS registry on 127.0.0.1:$TLS_PORT" curl -fsS --cacert "$tls/cert.pem" "https://127.0.0.1:$TLS_PORT/v2/"
  refd=$work/ref
  mkdir -p "$refd"
  cat >"$refd/config.toml" <<TOML
# $BENCH_NAME: layer Range GETs for the TLS name go to the plain-http port of the same storage
[[resolver.host."127.0.0.1:$TLS_PORT".mirrors]]
  host = "$plain_reg"
  insecure = true
TOML
}
bench_tls_name() { echo "127.0.0.1:$TLS_PORT/${1#*/}"; }

bench_tc_on() {
  tc qdisc add dev lo root tbf rate "$1" burst 256kb latency 100ms
  tc_added=1
}
bench_tc_off() {
  tc qdisc del dev lo root
  tc_added=0
}

# bench_ready TOOL: the caller's bench_after_run TOOL, if it has one
bench_ready() { if declare -F bench_after_run >/dev/null; then bench_after_run "$1"; fi; }

# plain: fresh containerd, overlayfs
bench_run_plain() {
  local i=$1 image=$2 t0 tm
  shift 2
  unmount_under "$work/containerd"
  rm -rf "$work/containerd"
  start_containerd
  sleep "${SETTLE:-2}"
  t0=$(now)
  [[ ${KEEP_WORKDIR:-} != 1 ]] || echo "t0 $t0" >>"$work/t0.log"
  logged "$work/plain.pull.log" "plain pull (run $i)" ctr --address "$CONTAINERD_SOCK" images pull --plain-http "$image"
  tm=$(now)
  RUN_PULL=$(secs "$t0" "$tm")
  ctr_run "plain run $i" "$image" "plain-$i" "$@"
  RUN_SECS=$(secs "$t0" "$(now)")
  bench_ready plain
  stop_service "${SERVICES_PIDS[-1]}"
}

# await_warm LOG: waits (at most 15 s) until our daemon's log reports both its warm-ups done (the
# lazy-loading path's and the snapshot path's), as they are long before a pull on a booted VM
await_warm() {
  local _
  for _ in $(seq 150); do
    if grep -q '"warmup-done"' "$1" && grep -q '"snapshot-warmup-done"' "$1"; then
      return 0
    fi
    sleep 0.1
  done
  echo "$BENCH_NAME: our daemon's warm-up did not finish within 15 s; timing anyway" >&2
}

# ours: fresh daemon root + fresh containerd with soci as proxy snapshotter, timed once it is warm
bench_run_ours() {
  local i=$1 image=$2 t0 tm daemon_pid containerd_pid
  shift 2
  unmount_under "$work/containerd"
  unmount_under "$work/soci"
  rm -rf "$work/containerd" "$work/soci" "$work/soci-cli"
  start_soci_daemon "$bin/soci-snapshotter-grpc"
  daemon_pid=${SERVICES_PIDS[-1]}
  RUN_UP=$STARTUP_SECS
  start_containerd "$SOCI_SOCK"
  containerd_pid=${SERVICES_PIDS[-1]}
  sleep "${SETTLE:-2}"
  await_warm "$(dirname "$SOCI_SOCK")/daemon.log"
  t0=$(now)
  [[ ${KEEP_WORKDIR:-} != 1 ]] || echo "t0 $t0" >>"$work/t0.log"
  SOCI_SNAPSHOTTER_ADDRESS=$SOCI_SOCK logged "$work/ours.pull.log" "our soci image rpull (run $i)" \
    "$bin/soci" --address "$CONTAINERD_SOCK" --root "$work/soci-cli" image rpull --plain-http "$image"
  tm=$(now)
  RUN_PULL=$(secs "$t0" "$tm")
  ctr_run "ours run $i" --snapshotter soci "$image" "ours-$i" "$@"
  RUN_SECS=$(secs "$t0" "$(now)")
  bench_ready ours
  (($(fuse_mounts "$work/soci") > 0)) || fail "ours run $i: no FUSE mount under $work/soci: the layer was not loaded lazily"
  RUN_RSS=$(vmhwm "$daemon_pid")
  stop_service "$containerd_pid"
  stop_service "$daemon_pid"
  unmount_under "$work/soci"
}

# reference: fresh daemon root, empty /var/lib/soci-snapshotter-grpc, fresh containerd
bench_run_ref() {
  local i=$1 image=$2 t0 tm daemon_pid containerd_pid
  shift 2
  unmount_under "$work/containerd"
  unmount_under "$refd"
  rm -rf "$work/containerd" "$refd/root" "$ref_state"
  SSL_CERT_FILE=$tls/bundle.pem "$ref/soci-snapshotter-grpc" --address "$refd/soci.sock" --root "$refd/root" \
    --config "$refd/config.toml" >"$refd/daemon.log" 2>&1 &
  SERVICES_PIDS+=($!)
  daemon_pid=$!
  await_socket "$refd/soci.sock" || fail "reference daemon did not start: $(tail -3 "$refd/daemon.log")"
  RUN_UP=$STARTUP_SECS
  start_containerd "$refd/soci.sock"
  containerd_pid=${SERVICES_PIDS[-1]}
  sleep "${SETTLE:-2}"
  t0=$(now)
  [[ ${KEEP_WORKDIR:-} != 1 ]] || echo "t0 $t0" >>"$work/t0.log"
  SSL_CERT_FILE=$tls/bundle.pem logged "$work/ref.pull.log" "reference soci image rpull (run $i)" \
    "$ref/soci" --address "$CONTAINERD_SOCK" image rpull --tlscacert "$tls/cert.pem" "$image"
  tm=$(now)
  RUN_PULL=$(secs "$t0" "$tm")
  ctr_run "reference run $i" --snapshotter soci "$image" "ref-$i" "$@"
  RUN_SECS=$(secs "$t0" "$(now)")
  bench_ready ref
  (($(fuse_mounts "$refd/root") > 0)) ||
    fail "reference run $i: no FUSE mount: the layer was not loaded lazily: $(grep -v '"level":"debug"' "$refd/daemon.log" | grep -i 'error\|warn' | tail -3)"
  if [[ -n ${INDEX_DIGEST:-} ]] && ! grep 'fetching SOCI artifacts using index descriptor' "$refd/daemon.log" | grep -cF "$INDEX_DIGEST" >/dev/null; then
    fail "reference run $i: its daemon did not use our index $INDEX_DIGEST"
  fi
  RUN_RSS=$(vmhwm "$daemon_pid")
  stop_service "$containerd_pid"
  stop_service "$daemon_pid"
  unmount_under "$refd"
}
