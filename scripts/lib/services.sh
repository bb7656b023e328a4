# Shared by scripts/demo and the benchmark scripts: start a private distribution registry and a private
# containerd on 127.0.0.1 / a unix socket under a work dir, record their PIDs, and stop exactly those
# (and unmount what lies under the work dir) on exit. Source it, then call services_init WORKDIR.
# shellcheck shell=bash

SERVICES_PIDS=()
SERVICES_DIR=""

services_init() {
  SERVICES_DIR=$1
  mkdir -p "$SERVICES_DIR"
  trap services_cleanup EXIT
  trap 'exit 130' INT TERM
}

services_cleanup() {
  local pid
  for pid in "${SERVICES_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${SERVICES_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n $SERVICES_DIR ]]; then
    # Unmount anything left under our work dir, deepest first.
    awk -v d="$SERVICES_DIR" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    [[ ${KEEP_WORKDIR:-} == 1 ]] || rm -rf "$SERVICES_DIR"
  fi
}

# bench_lock: hold /var/tmp/finch-bench.lock for the rest of this script, waiting for any other
# benchmark that holds it. Every benchmark that limits lo with tc takes it first, so two never
# share (or tear down) the one root qdisc of the loopback device, and their timings stay apart.
BENCH_LOCK=/var/tmp/finch-bench.lock
bench_lock() {
  exec {BENCH_LOCK_FD}>>"$BENCH_LOCK"
  if ! flock -n "$BENCH_LOCK_FD"; then
    echo "$(basename "$0"): waiting for another benchmark to release $BENCH_LOCK" >&2
    flock "$BENCH_LOCK_FD"
  fi
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

wait_for() { # description command...
  local what=$1
  shift
  for _ in $(seq 100); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "timed out waiting for $what" >&2
  return 1
}

# start_registry NAME -> sets REGISTRY (host:port)
start_registry() {
  local dir=$SERVICES_DIR/registry-$1 port
  port=$(free_port)
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  SERVICES_PIDS+=($!)
  REGISTRY=127.0.0.1:$port
  wait_for "registry on $REGISTRY" curl -fsS "http://$REGISTRY/v2/"
}

# registry_blob_bytes NAME: bytes the registry NAME served for blob GETs so far (from its access log)
registry_blob_bytes() {
  grep 'response completed' "$SERVICES_DIR/registry-$1/registry.log" | grep 'http.request.method=GET' | grep '/blobs/' |
    sed -n 's/.*http.response.written=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

# await_socket SOCKET -> sets STARTUP_SECS: seconds from now until SOCKET exists (polled every 10 ms,
# at most 10 s); for a daemon just launched, its start-up time to a listening socket
await_socket() {
  local t0 _
  t0=$(date +%s.%N)
  for _ in $(seq 1000); do
    if [[ -S $1 ]]; then
      STARTUP_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')
      return 0
    fi
    sleep 0.01
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# start_soci_daemon BINARY -> sets SOCI_SOCK (our soci-snapshotter-grpc, own root under the work dir)
# and STARTUP_SECS (launch to listening socket)
start_soci_daemon() {
  local dir=$SERVICES_DIR/soci
  mkdir -p "$dir"
  printf '# defaults\n' >"$dir/config.toml"
  "$1" --address "$dir/soci.sock" --root "$dir/root" --config "$dir/config.toml" >"$dir/daemon.log" 2>&1 &
  SERVICES_PIDS+=($!)
  SOCI_SOCK=$dir/soci.sock
  await_socket "$SOCI_SOCK"
}

# start_containerd [SOCI_SOCKET] -> sets CONTAINERD_SOCK; with a socket, soci is a proxy snapshotter
start_containerd() {
  local dir=$SERVICES_DIR/containerd proxy=""
  mkdir -p "$dir/root" "$dir/state"
  if [[ -n ${1:-} ]]; then
    proxy=$(printf '[proxy_plugins]\n  [proxy_plugins.soci]\n    type = "snapshot"\n    address = "%s"\n' "$1")
  fi
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
$proxy
TOML
  containerd -c "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  SERVICES_PIDS+=($!)
  CONTAINERD_SOCK=$dir/containerd.sock
  wait_for "containerd at $CONTAINERD_SOCK" ctr --address "$CONTAINERD_SOCK" version
}
