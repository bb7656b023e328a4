# Shared by scripts/fetch-reference-soci and scripts/fetch-containerd: fetch a Debian package of a
# newer suite (trixie, sid) and extract it into a folder of ours, without ever installing it.
#
# A private apt state under DIR (its own sources folder, lists, cache and an empty dpkg status) is used
# to `apt-get download` the package, and `dpkg-deb -x` extracts it. The archive URI is taken from this
# system's own apt sources (suite replaced), and signatures are checked with the system keyring, which
# must hold the key of the newest release (13/trixie signs trixie and sid).
# Needs: the Debian archive; not root (apt-get download + dpkg-deb only).
# shellcheck shell=bash

PRIVATE_APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
PRIVATE_APT_OPTS=()

# The first main-archive URI (not a -security suite) of this system's apt sources: deb822 *.sources
# files first, then one-line-style lists. Never written literally in this repo.
private_apt_archive_uri() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk '
      BEGIN { RS=""; FS="\n" }
      {
        uris=""; suites=""; types=""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", $i); uris = $i }
          if ($i ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", $i); suites = $i }
          if ($i ~ /^Types:/)  { sub(/^Types:[ \t]*/, "", $i); types = $i }
        }
        if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )(bookworm|trixie|stable|bullseye)( |$)/ && suites !~ /security/ && found == "") {
          split(uris, u, /[ \t]+/); found = u[1]
        }
      }
      END { print found }' "$f")
    if [[ -n $uri ]]; then echo "${uri%/}"; return 0; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '
      /^[ \t]*deb[ \t]/ && found == "" {
        n = 2
        if ($n ~ /^\[/) { while ($n !~ /\]$/) n++; n++ }
        if ($(n+1) ~ /^(bookworm|trixie|stable|bullseye)$/) found = $n
      }
      END { print found }' "$f")
    if [[ -n $uri ]]; then echo "${uri%/}"; return 0; fi
  done
  return 1
}

# private_apt_init DIR SUITE...: private state under DIR for these suites of main, then apt-get update.
private_apt_init() {
  local dir=$1 uri
  shift
  local tool
  for tool in apt-get apt-cache dpkg-deb gpg; do
    command -v "$tool" >/dev/null || { echo "private-apt: $tool not found" >&2; return 1; }
  done
  uri=$(private_apt_archive_uri) || {
    echo "private-apt: found no Debian main-archive entry in /etc/apt/sources.list{,.d/*}" >&2
    return 1
  }
  # (the output is read whole: with pipefail, a reader that stops early would fail the pipeline)
  if ! gpg --show-keys --with-colons "$PRIVATE_APT_KEYRING" 2>/dev/null | grep -c '^uid:.*(13/trixie)' >/dev/null; then
    echo "private-apt: $PRIVATE_APT_KEYRING has no Debian 13/trixie key; upgrade debian-archive-keyring" >&2
    return 1
  fi
  mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/state" "$dir/download"
  rm -f "$dir/sources.list.d/"*.sources
  cat >"$dir/sources.list.d/private.sources" <<SRC
Types: deb
URIs: $uri
Suites: $*
Components: main
Signed-By: $PRIVATE_APT_KEYRING
SRC
  : >"$dir/state/status"
  PRIVATE_APT_OPTS=(
    -o "Dir::Etc::sourcelist=/dev/null"
    -o "Dir::Etc::sourceparts=$dir/sources.list.d"
    -o "Dir::State=$dir/state"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::State::status=$dir/state/status"
    -o "Dir::Cache=$dir/cache"
    -o "Dir::Cache::archives=$dir/cache/archives"
    -o "Dir::Etc::preferencesparts=/dev/null"
    -o "APT::Get::List-Cleanup=false"
    -o "Debug::NoLocking=true"
  )
  # As root apt drops to the _apt user for downloads, which cannot write into our folders; the files
  # are signature-checked either way, so download as the invoking user (no warning).
  if [[ $(id -u) -eq 0 ]]; then PRIVATE_APT_OPTS+=(-o "APT::Sandbox::User=root"); fi
  echo "private-apt: apt-get update (state $dir, archive $uri, suites $*)"
  apt-get "${PRIVATE_APT_OPTS[@]}" -qq update
}

# private_apt_version PKG SUITE VERSION_PREFIX: the newest version of PKG in SUITE that starts with the
# prefix, or an error naming what was found.
private_apt_version() {
  local pkg=$1 suite=$2 prefix=$3 all v
  # awk reads to the end: apt-cache killed by SIGPIPE would fail the pipeline (exit 141)
  all=$(apt-cache "${PRIVATE_APT_OPTS[@]}" madison "$pkg" 2>/dev/null | awk -F'|' -v s="$suite" '
    { gsub(/ /, "", $2); if ($3 ~ ("[ /]" s "[/ ]")) print $2 }')
  v=$(awk -v p="$prefix" 'index($0, p) == 1 && v == "" { v = $0 } END { print v }' <<<"$all")
  if [[ -z $v ]]; then
    echo "private-apt: $suite has no $pkg $prefix* (it has: ${all:-nothing})" >&2
    return 1
  fi
  echo "$v"
}

# private_apt_extract DIR PKG VERSION DEST: downloads PKG=VERSION and extracts it into DEST (replaced).
private_apt_extract() {
  local dir=$1 pkg=$2 version=$3 dest=$4 deb tmp
  echo "private-apt: apt-get download $pkg=$version"
  rm -f "$dir/download/"*.deb
  (cd "$dir/download" && apt-get "${PRIVATE_APT_OPTS[@]}" -qq download "$pkg=$version")
  deb=$(ls "$dir/download/"*.deb)
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp -d "$(dirname "$dest")/.extract.XXXXXX")
  if ! dpkg-deb -x "$deb" "$tmp"; then rm -rf "$tmp"; return 1; fi
  echo "$version" >"$tmp/.version"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "private-apt: extracted $(basename "$deb") into $dest"
}
