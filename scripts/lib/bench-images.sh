# Images for scripts/bench-apps, built once and cached as OCI layouts under
# /var/tmp/finch-bench-apps/<name>-<key>/layout, where <key> is the sha256 of this file and the
# builder's inputs (suite, archive, package list, layer count), so a second run reuses them.
# A build happens in a .build-* folder beside it and is renamed into place only when complete.
#   bench_image_service NAME SUITE PKG...  two layers, as Debian-based service images ship:
#       1. a `debootstrap --variant=minbase` SUITE tree; 2. PKG... installed with apt-get in a chroot
#       of it (apt lists and the .deb cache removed in both layers). Tag: NAME.
#   bench_image_layers MAX  a busybox layer, then MAX layers; layer k holds /layers/kk/ready (a few
#       bytes the start reads) and /layers/kk/data.bin (4 MiB of seeded random data nobody reads).
#       Tags l1 .. lMAX: the image with the busybox layer and the first k of those layers.
#   bench_image_random FILES  one layer: busybox and /data/fNN.bin, FILES files of 4 MiB of seeded
#       random data (incompressible, so compressed = uncompressed). Tag: random.
# Each sets BENCH_IMAGE_LAYOUT to the layout folder. File times are set to BENCH_IMAGE_EPOCH before a
# layer is packed (umoci keeps them), and data is seeded, so layer tarballs come out (nearly) the same
# on every build; apt's own logs and caches are not normalised.
# Needs root (debootstrap, chroot), umoci, debootstrap, python3, the Debian archive.
# shellcheck shell=bash

BENCH_IMAGES_CACHE=/var/tmp/finch-bench-apps
BENCH_IMAGE_EPOCH=1700000000
BENCH_IMAGES_SELF=${BASH_SOURCE[0]}

# bench_image_key WORD...: the cache key of an image built from WORD... by this file's code
bench_image_key() {
  { cat "$BENCH_IMAGES_SELF"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16
}

# bench_image_unmount DIR: unmount whatever is mounted under DIR (a killed chroot's /proc), deepest first
bench_image_unmount() {
  awk -v t="$1/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# bench_image_begin NAME KEY: if the image is cached, set BENCH_IMAGE_LAYOUT and return 1; else make a
# build folder (BENCH_IMAGE_TMP) and return 0
bench_image_begin() {
  local out=$BENCH_IMAGES_CACHE/$1-$2 stale
  BENCH_IMAGE_LAYOUT=$out/layout
  [[ -f $out/complete ]] && return 1
  mkdir -p "$BENCH_IMAGES_CACHE"
  for stale in "$BENCH_IMAGES_CACHE"/.build-"$1"-*; do
    [[ -d $stale ]] || continue
    bench_image_unmount "$stale"
    rm -rf --one-file-system "$stale"
  done
  BENCH_IMAGE_TMP=$(mktemp -d "$BENCH_IMAGES_CACHE/.build-$1-$2.XXXXXX")
  return 0
}

# bench_image_finish NAME KEY: move the finished build into place
bench_image_finish() {
  local out=$BENCH_IMAGES_CACHE/$1-$2
  rm -rf "$BENCH_IMAGE_TMP/bundle"
  touch "$BENCH_IMAGE_TMP/complete"
  rm -rf "$out"
  mv "$BENCH_IMAGE_TMP" "$out"
}

# bench_image_normalise ROOTFS: every file time to BENCH_IMAGE_EPOCH
bench_image_normalise() {
  find "$1" -xdev -exec touch -h -d "@$BENCH_IMAGE_EPOCH" {} +
}

# bench_image_logged LOG WHAT CMD...: run CMD with its output in LOG; stop with its tail if it fails
bench_image_logged() {
  local log=$1 what=$2
  shift 2
  "$@" >"$log" 2>&1 || { echo "$(basename "$0"): $what failed: $(tail -n 15 "$log")" >&2; return 1; }
}

bench_image_service() {
  local name=$1 suite=$2 archive key b rootfs
  shift 2
  archive=$(private_apt_archive_uri) || { echo "$(basename "$0"): no Debian archive in the apt sources" >&2; return 1; }
  key=$(bench_image_key service "$name" "$suite" "$archive" "$@")
  bench_image_begin "$name" "$key" || return 0
  echo "$(basename "$0"): building image $name ($suite minbase + $*; a few minutes, cached in $BENCH_IMAGES_CACHE)" >&2
  b=$BENCH_IMAGE_TMP
  rootfs=$b/bundle/rootfs
  umoci init --layout "$b/layout" && umoci new --image "$b/layout:$name"
  umoci unpack --image "$b/layout:$name" "$b/bundle" >/dev/null
  bench_image_logged "$b/debootstrap.log" debootstrap debootstrap --variant=minbase \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$suite" "$rootfs" "$archive" || return 1
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  bench_image_normalise "$rootfs"
  umoci repack --refresh-bundle --image "$b/layout:$name" "$b/bundle"
  mount -t proc proc "$rootfs/proc"
  local rc=0
  bench_image_logged "$b/apt.log" "apt-get install $*" chroot "$rootfs" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' apt "$@" || rc=$?
  bench_image_unmount "$rootfs"
  ((rc == 0)) || return 1
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  umoci repack --refresh-bundle --image "$b/layout:$name" "$b/bundle"
  bench_image_finish "$name" "$key"
}

bench_image_layers() {
  local max=$1 key b rootfs k kk
  key=$(bench_image_key layers "$max")
  bench_image_begin layers "$key" || return 0
  echo "$(basename "$0"): building the many-layer image (busybox + $max x 4 MiB layers; cached in $BENCH_IMAGES_CACHE)" >&2
  b=$BENCH_IMAGE_TMP
  rootfs=$b/bundle/rootfs
  umoci init --layout "$b/layout" && umoci new --image "$b/layout:l0"
  umoci unpack --image "$b/layout:l0" "$b/bundle" >/dev/null
  mkdir -p "$rootfs/bin" "$rootfs/layers"
  cp /bin/busybox "$rootfs/bin/busybox"
  for t in sh cat echo; do ln -sf busybox "$rootfs/bin/$t"; done
  bench_image_normalise "$rootfs"
  umoci repack --refresh-bundle --image "$b/layout:l0" "$b/bundle"
  for ((k = 1; k <= max; k++)); do
    kk=$(printf '%02d' "$k")
    mkdir -p "$rootfs/layers/$kk"
    echo "layer $kk" >"$rootfs/layers/$kk/ready"
    python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(int(sys.argv[1])).randbytes(4 << 20))' \
      "$k" >"$rootfs/layers/$kk/data.bin"
    touch -h -d "@$BENCH_IMAGE_EPOCH" "$rootfs/layers/$kk" "$rootfs/layers/$kk/ready" "$rootfs/layers/$kk/data.bin"
    umoci repack --refresh-bundle --image "$b/layout:l$k" "$b/bundle"
  done
  bench_image_finish layers "$key"
}

bench_image_random() {
  local files=$1 key b rootfs k kk
  key=$(bench_image_key random "$files")
  bench_image_begin random "$key" || return 0
  echo "$(basename "$0"): building the random-data image (busybox + $files x 4 MiB files; cached in $BENCH_IMAGES_CACHE)" >&2
  b=$BENCH_IMAGE_TMP
  rootfs=$b/bundle/rootfs
  umoci init --layout "$b/layout" && umoci new --image "$b/layout:random"
  umoci unpack --image "$b/layout:random" "$b/bundle" >/dev/null
  mkdir -p "$rootfs/bin" "$rootfs/data"
  cp /bin/busybox "$rootfs/bin/busybox"
  for t in sh cat head echo; do ln -sf busybox "$rootfs/bin/$t"; done
  for ((k = 1; k <= files; k++)); do
    kk=$(printf '%02d' "$k")
    python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(1000 + int(sys.argv[1])).randbytes(4 << 20))' \
      "$k" >"$rootfs/data/f$kk.bin"
  done
  bench_image_normalise "$rootfs"
  umoci repack --refresh-bundle --image "$b/layout:random" "$b/bundle"
  bench_image_finish random "$key"
}
