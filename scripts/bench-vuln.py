#!/usr/bin/env python3
"""Vulnerability database and scan benchmark, one run, three floors.

  1. DB build: `seaworthy db import` of all of ../shared/corpus/vulndata   (floor: <= 20 s)
  2. matching 1,000 packages against that DB (examples/bench_match.rs: packages
     drawn from the DB's own affected entries, so nearly every lookup hits) (floor: <= 50 ms)
  3. `seaworthy image oci-dir:DIR/oci` on the make-debian-image.sh image with that DB,
     against the zcat floor of its layers, with `syft scan` (inventory only) alongside
                                                                               (floor: <= 1.5x zcat)
  4. the image rules (config, secrets in every layer's files) on top of the inventory of the same
     image (examples/bench_image_rules.rs, interleaved runs)              (floor: <= +25%)
Median of N interleaved runs for 3; peak RSS from /usr/bin/time -v.

    scripts/bench-vuln.py [--dir DIR] [--runs N] [--packages curl,openssl]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(REPO, "..", "shared")
MAKE_IMAGE = os.path.join(SHARED, "tools", "make-debian-image.sh")
VULNDATA = os.path.join(SHARED, "corpus", "vulndata")
sys.path.insert(0, os.path.join(REPO, "scripts"))
from importlib import import_module  # noqa: E402

bench_sbom = import_module("bench-sbom")


def timed(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, **kw)
    return time.perf_counter() - t


def peak_rss_mb(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(kb.group(1)) / 1024 if kb else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/seaworthy-bench-debian")
    ap.add_argument("--packages", default="curl,openssl")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sw = os.path.join(REPO, "target", "release", "seaworthy")
    # The binary and the examples in separate builds: with --example, cargo builds only examples.
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "seaworthy",
                    "--bin", "seaworthy"], cwd=REPO, check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q",
                    "-p", "seaworthy-vulndb", "--example", "bench_match",
                    "-p", "seaworthy-image", "--example", "bench_image_rules"],
                   cwd=REPO, check=True)
    ok = True

    db = os.path.join(args.dir, "bench-vuln.db")
    os.makedirs(args.dir, exist_ok=True)
    build = [sw, "db", "import", VULNDATA, "--db", db]
    builds = [timed(build) for _ in range(3)]
    status = subprocess.run([sw, "db", "status", "--db", db], capture_output=True, text=True,
                            check=True).stdout
    advisories = re.search(r"Advisories\s+(\d+)", status).group(1)
    b = statistics.median(builds)
    print(f"1. DB build from {VULNDATA}: median {b:.2f} s of 3 "
          f"(min {min(builds):.2f}), {advisories} advisories, "
          f"{os.path.getsize(db) / 2**20:.1f} MiB, peak RSS {peak_rss_mb(build):.0f} MB"
          f"   (floor: <= 20 s)")
    ok &= b <= 20

    example = os.path.join(REPO, "target", "release", "examples", "bench_match")
    out = subprocess.run([example, db, "1000"], capture_output=True, text=True,
                         check=True).stdout.strip()
    print(f"2. {out}   (floor: <= 50 ms)")
    ms = float(re.search(r"median ([0-9.]+) ms", out).group(1))
    ok &= ms <= 50

    oci = os.path.join(args.dir, "oci")
    if not os.path.isdir(oci):
        subprocess.run(["bash", MAKE_IMAGE, args.dir, args.packages], check=True)
    blobs = bench_sbom.layer_blobs(oci)
    size = sum(os.path.getsize(x) for x in blobs)
    cmds = {
        "zcat (floor)": ["sh", "-c", " && ".join(f"zcat {x} >/dev/null" for x in blobs)],
        "syft scan": ["syft", "scan", "-q", f"oci-dir:{oci}", "-o", "json=/dev/null"],
        "seaworthy image": [sw, "image", f"oci-dir:{oci}", "--db", db, "-f", "json",
                            "-o", os.path.join(args.dir, "vulns.json"), "--fail-on", "critical"],
    }
    if not shutil.which("syft"):
        del cmds["syft scan"]
    os.environ.setdefault("SYFT_CHECK_FOR_APP_UPDATE", "false")
    for cmd in cmds.values():
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = {n: [] for n in cmds}
    for _ in range(args.runs):
        for n, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[n].append(time.perf_counter() - t)
    med = {n: statistics.median(t) for n, t in times.items()}
    print(f"3. image {oci} ({len(blobs)} layers, {size / 2**20:.1f} MiB compressed), "
          f"median of {args.runs}:")
    for n, cmd in cmds.items():
        print(f"   {n:<16} {med[n]:>7.3f} s   peak RSS {peak_rss_mb(cmd):>6.1f} MB")
    ratio = med["seaworthy image"] / med["zcat (floor)"]
    print(f"   seaworthy image = {ratio:.2f}x the zcat floor   (floor: <= 1.5x)")
    if "syft scan" in med:
        print(f"   seaworthy image (inventory + match) vs syft scan (inventory only): "
              f"{med['syft scan'] / med['seaworthy image']:.1f}x faster")
    ok &= ratio <= 1.5

    example = os.path.join(REPO, "target", "release", "examples", "bench_image_rules")
    out = subprocess.run([example, f"oci-dir:{oci}", str(max(args.runs, 9))],
                         capture_output=True, text=True, check=True).stdout.strip()
    print(f"4. {out}   (floor: <= +25%)")
    overhead = float(re.search(r"([+-][0-9.]+)%", out).group(1))
    ok &= overhead <= 25
    print("\nall floors met" if ok else "\nFLOOR MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
