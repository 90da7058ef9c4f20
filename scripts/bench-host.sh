#!/bin/sh
# Times `seaworthy host` on this machine: the CIS checks alone (--no-packages) and with the host
# package scan. docker-bench-security is not installable here, so only our figures are printed.
# Usage: scripts/bench-host.sh [path/to/seaworthy] [runs]
set -eu
BIN=${1:-target/release/seaworthy}
RUNS=${2:-10}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p seaworthy" >&2; exit 2; }
time_ms() {
    best=""
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        start=$(date +%s%N)
        "$BIN" host "$@" --format json >/dev/null
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        total=$(( ${total:-0} + ms ))
        i=$((i + 1))
    done
    echo "best ${best} ms, mean $(( total / RUNS )) ms over $RUNS runs"
    total=0
}
echo "seaworthy host --level 2 --no-packages: $(time_ms --level 2 --no-packages)"
echo "seaworthy host --level 2 (with package scan): $(time_ms --level 2)"
