#!/usr/bin/env bash
# Benchmark: `seaworthy assess` on the end-to-end fixture (a Dockerfile, its image built here
# from the real bookworm dpkg status, a compose file, a running container, the host) against
# each area run alone (`--skip` the others), side by side. Floor (issue 8): the whole run takes
# no longer than the slowest single area plus 20%.
#
#   scripts/bench-assess.sh [RUNS=7]        SEAWORTHY=target/release/seaworthy
#   CONTAINER_VULNS=false: the running container is checked without its vulnerability match.
# Needs Docker, /bin/busybox (busybox-static) and a release build (cargo build --release -p seaworthy).
set -euo pipefail
RUNS=${1:-7}
BIN=$(realpath "${SEAWORTHY:-target/release/seaworthy}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTDATA="$ROOT/crates/seaworthy-vulndb/testdata"
BASE="seaworthy-bench-assess-base-$$:1"
APP="seaworthy-bench-assess-app-$$:1"
LABEL="seaworthy.bench=assess-$$"
WORK=$(mktemp -d)

cleanup() {
  ids=$(docker ps -aq --filter "label=$LABEL")
  [ -n "$ids" ] && docker rm -f $ids >/dev/null
  docker rmi -f "$APP" "$BASE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "build first: cargo build --release -p seaworthy" >&2; exit 2; }
mkdir -p "$WORK/root/bin" "$WORK/root/etc" "$WORK/root/var/lib/dpkg" "$WORK/root/tmp" "$WORK/repo"
cp /bin/busybox "$WORK/root/bin/"
for a in sh sleep mkdir echo; do ln -s busybox "$WORK/root/bin/$a"; done
cp "$TESTDATA/bookworm/os-release" "$WORK/root/etc/os-release"
cp "$TESTDATA/bookworm/status" "$WORK/root/var/lib/dpkg/status"
tar -C "$WORK/root" -cf "$WORK/rootfs.tar" .
docker import "$WORK/rootfs.tar" "$BASE" >/dev/null

cd "$WORK/repo"
printf 'FROM %s\nRUN mkdir -p /app && echo ready > /app/ready\nCOPY settings.conf /app/settings.conf\nEXPOSE 8080\nCMD ["/bin/sleep", "600"]\n' "$BASE" > Dockerfile
echo "mode=bench" > settings.conf
DOCKER_BUILDKIT=0 docker build -q -t "$APP" . >/dev/null
printf 'services:\n  api:\n    image: %s\n    read_only: true\n' "$APP" > compose.yaml
docker run -d --label "$LABEL" "$APP" >/dev/null
"$BIN" db import "$TESTDATA/debian/excerpts/CVE.list" --db vuln.db >/dev/null
cat > seaworthy.toml <<TOML
[db]
path = "vuln.db"
[dockerfile]
paths = ["Dockerfile"]
[image]
targets = [{ ref = "docker:$APP", dockerfile = "Dockerfile" }]
ignore-base = true
[container]
compose = ["compose.yaml"]
filters = ["label=$LABEL"]
vulnerabilities = ${CONTAINER_VULNS:-true}
[host]
enabled = true
TOML

# Median wall time of RUNS runs of `assess ARGS…`, in ms.
median_ms() {
  "$BIN" assess --progress never -f json -o /dev/null "$@" || true   # warm-up
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local s e
    s=$(date +%s%N)
    "$BIN" assess --progress never -f json -o /dev/null "$@" || true
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

declare -A alone
for area in dockerfile image container host; do
  others=$(echo dockerfile image container host | tr ' ' '\n' | grep -vx "$area" | paste -sd,)
  alone[$area]=$(median_ms --skip "$others")
done
all=$(median_ms)
slowest=0
for area in dockerfile image container host; do
  echo "alone   $area: ${alone[$area]} ms"
  [ "${alone[$area]}" -gt "$slowest" ] && slowest=${alone[$area]}
done
echo "assess (all four areas): $all ms; slowest area alone: $slowest ms"
echo "ratio all/slowest: $(echo "scale=2; $all / $slowest" | bc) (floor: <= 1.20)"
