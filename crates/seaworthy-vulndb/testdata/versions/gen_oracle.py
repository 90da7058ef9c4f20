#!/usr/bin/env python3
"""Records (a, b, expected) version pairs for dpkg and rpm, with the real tools as oracle.

Run from this directory: python3 gen_oracle.py  (writes dpkg-pairs.tsv, rpm-pairs.tsv).
Deterministic: random.seed(4)."""
import glob, json, random, re, subprocess, zipfile

CORPUS = "/work/shared/corpus"
random.seed(4)


def pairs_from(entries, n_random):
    """entries: list of (package, version). Adjacent same-package pairs + random pairs."""
    entries = sorted(set(entries))
    out = []
    for (p1, v1), (p2, v2) in zip(entries, entries[1:]):
        if p1 == p2 and v1 != v2:
            out.append((v1, v2))
    if len(out) > 4000:
        out = random.sample(out, 4000)
    versions = sorted({v for _, v in entries})
    for _ in range(n_random):
        out.append((random.choice(versions), random.choice(versions)))
    random.shuffle(out)
    return out


def dpkg():
    entries = []
    files = glob.glob(f"{CORPUS}/pkgdb/dpkg/*") + ["/var/lib/dpkg/status"]
    for f in files:
        pkg = None
        for line in open(f, encoding="utf-8", errors="replace"):
            if line.startswith("Package:"):
                pkg = line.split()[1]
            elif line.startswith("Version:") and pkg:
                entries.append((pkg, line.split()[1]))
    for f in glob.glob(f"{CORPUS}/vulndata/debian-security-tracker-2023-04/data/D*/list"):
        for line in open(f, encoding="utf-8", errors="replace"):
            m = re.match(r"^\s+\[[a-z]+\] - (\S+) (\S+)", line)
            if m and not m.group(2).startswith("<"):
                entries.append((m.group(1), m.group(2)))
    pairs = pairs_from(entries, 2000)
    # edge cases (tilde, epochs, leading zeros, huge digit runs, letters vs non-letters)
    extra = ["1.0~rc1", "1.0", "1.0~", "1.0~~", "1.0+", "1:0.9", "0:1.0", "1.0-0", "1.0-1~bpo1",
             "1.0a", "1.0+a", "1.0.a", "01.0", "1.00", "99999999999999999999999", "1.0-1+b1",
             "1.0-1+deb12u1", "1.0-1ubuntu0.1", "2:1", "10:0", "1.0~beta", "1.0~alpha"]
    for a in extra:
        for b in extra:
            pairs.append((a, b))
    with open("dpkg-pairs.tsv", "w") as out:
        for a, b in pairs:
            if subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0:
                r = "<"
            elif subprocess.run(["dpkg", "--compare-versions", a, "eq", b]).returncode == 0:
                r = "="
            else:
                r = ">"
            out.write(f"{a}\t{b}\t{r}\n")


def rpm():
    entries = []
    for f in glob.glob("/work/main/crates/seaworthy-inventory/testdata/rpm/*/rpm-qa.txt"):
        for line in open(f):
            parts = line.split()
            if len(parts) >= 2:
                evr = parts[1]
                if evr.startswith("(none):"):
                    evr = evr[len("(none):"):]
                entries.append((parts[0], evr))
    with zipfile.ZipFile(f"{CORPUS}/vulndata/osv-AlmaLinux-all.zip") as z:
        for name in sorted(z.namelist())[::4]:
            doc = json.loads(z.read(name))
            for aff in doc.get("affected", []):
                pkg = aff.get("package", {}).get("name", "")
                for rng in aff.get("ranges", []):
                    for ev in rng.get("events", []):
                        v = ev.get("fixed")
                        if v:
                            entries.append((pkg, v))
    pairs = pairs_from(entries, 2000)
    extra = ["1.0~rc1", "1.0", "1.0^", "1.0^git1", "1.0^git2", "1.0~rc1^git1", "1.0.1", "1.0a",
             "1.0.a", "1:0.9", "0:1.0", "1.0-1", "1.0-1~rc", "1.0-1^p", "01.0", "1.00", "1.0_1",
             "1.0+1", "a", "1", "99999999999999999999999", "1.0~", "1.0~~", "2.0a1", "2.0.1a"]
    for a in extra:
        for b in extra:
            pairs.append((a, b))
    # one rpm process evaluates everything via rpm.vercmp (EVR compare, as rpm itself does)
    lua = "".join(f'print(rpm.vercmp("{a}","{b}") .. " ")\n' for a, b in pairs)
    with open("/tmp/vos-rpm.lua", "w") as f:
        f.write(lua)
    res = subprocess.run(["rpm", "--eval", "%{lua: dofile('/tmp/vos-rpm.lua')}"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(res) == len(pairs), (len(res), len(pairs))
    with open("rpm-pairs.tsv", "w") as out:
        for (a, b), r in zip(pairs, res):
            out.write(f"{a}\t{b}\t{ {'-1': '<', '0': '=', '1': '>'}[r] }\n")


rpm()
dpkg()
