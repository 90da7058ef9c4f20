#!/usr/bin/env bash
# Runs every fuzz target one after the other, each for FUZZ_SECONDS (600), with the memory and
# time limits of issue 17, and appends one row per target to fuzz/RESULTS.md as it finishes.
#
#   nohup fuzz/run-all.sh > fuzz/logs/run-all.log 2>&1 &
#   FUZZ_SECONDS=60 FUZZ_TARGETS="layer pkgdb_rpm" fuzz/run-all.sh
#
# Seeds come from `python3 fuzz/make-seeds.py`; each target's dictionary fuzz/<target>.dict is
# used when there is one. A target's full output is in fuzz/logs/<target>.log; crashes,
# timeouts and OOMs leave their input in fuzz/artifacts/<target>/ and the loop goes on.
set -u
cd "$(dirname "$0")"
FUZZ=$PWD

SECONDS_EACH=${FUZZ_SECONDS:-600}
# ASan keeps 256 MB of freed memory in quarantine by default, which counts against the RSS
# limit: a long run then "runs out" of memory with a small live heap. 64 MB still catches
# use-after-free soon after the free.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
ORDER="layer pkgdb_rpm pkgdb_dpkg pkgdb_apk pkgdb_lang pkgdb_binary vuln_feed_archive
  vuln_feed_json vuln_feed_text vuln_intel vuln_ranges dockerfile compose docker_run shell secrets_scan
  policy_inputs signature_payload"
ALL=$(ls fuzz_targets | sed -n 's/\.rs$//p')
# The listed order first, then any target not in it.
TARGETS=${FUZZ_TARGETS:-$(for t in $ORDER $ALL; do echo "$t"; done | awk '!seen[$0]++')}

mkdir -p logs
if [ ! -f RESULTS.md ]; then
  cat > RESULTS.md <<'EOF'
# Fuzzing results

`fuzz/run-all.sh`: each target alone, `-max_total_time` as below, `-rss_limit_mb=512
-timeout=10`, its dictionary when there is one, seeds from `fuzz/make-seeds.py`,
`ASAN_OPTIONS=quarantine_size_mb=64`. Executions and seconds are libFuzzer's own ("Done N runs
in S second(s)"). Machine: 2 cores shared with other work, fuzzers at `nice -n 19`.

| target | seconds | executions | exec/s | outcome | date |
|---|---:|---:|---:|---|---|
EOF
fi

for t in $TARGETS; do
  [ -f "fuzz_targets/$t.rs" ] || { echo "no target $t" >&2; continue; }
  mkdir -p "corpus/$t" "artifacts/$t"
  dict=()
  [ -f "$t.dict" ] && dict=("-dict=$FUZZ/$t.dict")
  log="logs/$t.log"
  echo "$(date -u +%FT%TZ) start $t" >&2
  RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run "$t" "$FUZZ/corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=512 -timeout=10 "${dict[@]}" > "$log" 2>&1
  rc=$?
  done_line=$(grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
  runs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/' <<<"$done_line")
  secs=$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/' <<<"$done_line")
  artifact=$(grep -a -o -E 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/Test unit written to //')
  if [ -n "$done_line" ] && [ $rc -eq 0 ]; then
    outcome="clean"
  elif grep -a -q 'ERROR: libFuzzer: timeout' "$log"; then
    outcome="TIMEOUT $artifact"
  elif grep -a -q -E 'ERROR: libFuzzer: (out-of-memory|malloc limit)' "$log"; then
    outcome="OOM $artifact"
  elif [ -n "$artifact" ]; then
    outcome="CRASH $artifact"
  else
    outcome="error (exit $rc, see fuzz/$log)"
  fi
  if [ -z "$done_line" ]; then
    # No "Done" line after a crash: the last status line has the executions so far.
    status=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1)
    runs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$status")
    secs=$(grep -a -o -E 'exec/s: [0-9]+' <<<"$status" | awk -v r="${runs:-0}" '{ if ($2 > 0) printf "%d", r / $2 }')
  fi
  rate=""
  [ "${secs:-0}" -gt 0 ] 2>/dev/null && rate=$(( ${runs:-0} / secs ))
  printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "${secs:-}" "${runs:-}" "$rate" "$outcome" \
    "$(date -u +%F)" >> RESULTS.md
  echo "$(date -u +%FT%TZ) end $t: $outcome" >&2
done
