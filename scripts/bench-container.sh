#!/usr/bin/env bash
# Benchmark: `seaworthy container` over N running containers of one tiny image.
# Starts N containers (labelled, removed at exit), warms the image cache with one run, then
# times R runs and prints the median wall time. Needs Docker, /bin/busybox (busybox-static) and
# a release build (cargo build --release -p seaworthy).
#
#   scripts/bench-container.sh [N=50] [RUNS=7]
#   SEAWORTHY=target/release/seaworthy  DB=path/to/vuln.db  (without DB: --no-vulns)
set -euo pipefail
N=${1:-50}
RUNS=${2:-7}
BIN=${SEAWORTHY:-target/release/seaworthy}
LABEL="seaworthy.bench=$$"
IMAGE="seaworthy-bench-$$:latest"
WORK=$(mktemp -d)

cleanup() {
  ids=$(docker ps -aq --filter "label=$LABEL")
  [ -n "$ids" ] && docker rm -f $ids >/dev/null
  docker rmi -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "build first: cargo build --release -p seaworthy" >&2; exit 2; }
mkdir -p "$WORK/root/bin" "$WORK/root/etc" "$WORK/root/var/lib/dpkg" "$WORK/root/tmp"
cp /bin/busybox "$WORK/root/bin/"
ln -s busybox "$WORK/root/bin/sh"; ln -s busybox "$WORK/root/bin/sleep"
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > "$WORK/root/etc/os-release"
printf 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\nSource: zlib\n\n' \
  > "$WORK/root/var/lib/dpkg/status"
tar -C "$WORK/root" -cf "$WORK/rootfs.tar" .
docker import "$WORK/rootfs.tar" "$IMAGE" >/dev/null

echo "starting $N containers of $IMAGE"
for i in $(seq 1 "$N"); do
  docker run -d --label "$LABEL" "$IMAGE" /bin/sleep 3600 >/dev/null
done

ARGS=(container --filter "label=$LABEL" -f json -o /dev/null --fail-on critical)
if [ -n "${DB:-}" ]; then ARGS+=(--db "$DB"); else ARGS+=(--no-vulns); fi

"$BIN" "${ARGS[@]}" || true   # warm-up (first image scan, page cache)
times=()
for r in $(seq 1 "$RUNS"); do
  s=$(date +%s.%N)
  "$BIN" "${ARGS[@]}" || true
  e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "runs: $(echo $sorted | tr '\n' ' ')"
echo "median: ${median}s for $N containers ($([ -n "${DB:-}" ] && echo "with vulnerability match" || echo "--no-vulns"))"
