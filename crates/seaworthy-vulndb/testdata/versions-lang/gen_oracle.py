#!/usr/bin/env python3
"""Regenerates the *-pairs.tsv oracle fixtures (see SOURCES.md). Run from this directory.

Each TSV line: a <TAB> b <TAB> -1|0|1, the oracle's ordering of a versus b."""
import json, os, random, re, subprocess, tarfile, zipfile

CORPUS = "/work/shared/corpus/vulndata"
TOKEN = re.compile(r"[0-9][0-9A-Za-z.+_-]*")
rnd = random.Random(4)


def osv_versions(zip_name, limit_files=100000):
    vs = set()
    z = zipfile.ZipFile(os.path.join(CORPUS, zip_name))
    for n in z.namelist()[:limit_files]:
        d = json.loads(z.read(n))
        for a in d.get("affected", []):
            for r in a.get("ranges", []):
                if r.get("type") == "GIT":
                    continue
                for e in r.get("events", []):
                    for k, v in e.items():
                        if k in ("introduced", "fixed", "last_affected") and v != "0":
                            vs.add(v)
            vs.update(a.get("versions", []))
    return sorted(vs)


def tar_tokens(tar_name, suffixes):
    vs = set()
    with tarfile.open(os.path.join(CORPUS, tar_name)) as t:
        for m in t.getmembers():
            if m.isfile() and m.name.endswith(suffixes):
                text = t.extractfile(m).read().decode("utf-8", "replace")
                for line in text.splitlines():
                    if re.search(r"version|[<>=~^]", line, re.I):
                        for tok in re.findall(r"[<>=~^ '\"\[,]([0-9][0-9A-Za-z.+_-]*)", line):
                            vs.add(tok.strip(".,-_"))
    return sorted(v for v in vs if v)


def pairs(versions, n=400):
    """Neighbours (close versions are the interesting ones) plus random pairs."""
    out = set()
    vs = list(versions)
    rnd.shuffle(vs)
    srt = sorted(vs)
    for i in range(len(srt) - 1):
        if srt[i].split(".")[0] == srt[i + 1].split(".")[0]:
            out.add((srt[i], srt[i + 1]))
    out = sorted(out)
    rnd.shuffle(out)
    out = out[: n // 2]
    while len(out) < n and len(vs) > 1:
        a, b = rnd.sample(vs, 2)
        out.append((a, b))
    return out


def run_oracle(cmd, ps, name):
    inp = "".join(f"{a}\t{b}\n" for a, b in ps)
    res = subprocess.run(cmd, input=inp, capture_output=True, text=True, check=True).stdout
    lines = [l for l in res.splitlines() if l.strip()]
    with open(name, "w") as f:
        f.write("".join(l + "\n" for l in lines))
    print(name, len(lines))


def synthetic(alphabet_words, n=400, head=""):
    """Version-like strings built from each scheme's tricky pieces (seeded, reproducible)."""
    vs = set()
    while len(vs) < n:
        parts = [str(rnd.choice([0, 0, 1, 2, 10, 1])), head.replace("N", str(rnd.choice([0, 1, 2, 11])))]
        for _ in range(rnd.randint(0, 4)):
            w = rnd.choice(alphabet_words)
            parts.append(w.replace("N", str(rnd.choice([0, 1, 2, 11]))))
        vs.add("".join(parts))
    return sorted(vs)


SYNTH = {
    "semver": ["-alpha", "-beta.N", "-rc.N", ".N", "-N", "+build.N", "-0N", "-x-y", "-Alpha"],
    "golang": ["-0.2019N", "-pre.N", "+incompatible", "-rc.N", ".N", "-N"],
    "pep440": [".N", ".N", "aN", "bN", "rcN", ".postN", ".devN", "-N", "+local.N", "+N", "!N", "c", "alpha", "preview", "_rev", "r"],
    "maven": [".N", ".N", "-N", "-SNAPSHOT", "-alpha", "aN", "bN", "mN", "-rcN", ".RELEASE", ".Final", "-ga", "-sp", "-spN", "-foo", ".x", ".", "-", "cr", "-0"],
    "gem": [".N", ".N", ".pre", ".rcN", "-N", ".a", ".b", "betaN", ".0", "-beta.N"],
    "composer": [".N", ".N", "-alphaN", "-betaN", "RCN", "-pN", "-plN", "-patchN", "-dev", ".0", "-stable", "bN", "aN"],
}


def main():
    # PEP 440: packaging.version
    from packaging.version import Version, InvalidVersion
    pypi = []
    for v in osv_versions("osv-PyPI-all.zip"):
        try:
            Version(v)
            pypi.append(v)
        except InvalidVersion:
            pass
    with open("pep440-pairs.tsv", "w") as f:
        for a, b in pairs(pypi, 600):
            va, vb = Version(a), Version(b)
            f.write(f"{a}\t{b}\t{(va > vb) - (va < vb)}\n")
    # SemVer: node's semver package (npm's copy)
    semver_vs = osv_versions("osv-crates-all.zip") + tar_tokens("nodejs-security-wg-vuln.tar.gz", (".json",))
    node = """const s=require('/usr/lib/node_modules/npm/node_modules/semver');
let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{for(const l of d.split('\\n')){if(!l)continue;
const [a,b]=l.split('\\t');if(!s.valid(a)||!s.valid(b))continue;console.log(a+'\\t'+b+'\\t'+s.compare(a,b));}});"""
    run_oracle(["node", "-e", node], pairs(sorted(set(semver_vs)), 600), "semver-pairs.tsv")
    # Go: golang.org/x/mod/semver (copied from GOROOT/src/cmd/vendor into /tmp/vl/gosemver)
    go_vs = ["v" + v for v in osv_versions("osv-Go-all.zip")]
    run_oracle(["go", "run", "/tmp/vl/gosemver/main.go", "/tmp/vl/gosemver/semver.go"], pairs(go_vs, 600), "golang-pairs.tsv")
    # RubyGems: Gem::Version
    ruby = "STDIN.each_line{|l| a,b=l.chomp.split(\"\\t\"); next unless Gem::Version.correct?(a) && Gem::Version.correct?(b); puts [a,b,Gem::Version.new(a)<=>Gem::Version.new(b)].join(\"\\t\")}"
    run_oracle(["ruby", "-e", ruby], pairs(tar_tokens("rubysec-ruby-advisory-db.tar.gz", (".yml",)), 600), "gem-pairs.tsv")
    # Composer: VersionParser::normalize + version_compare (Comparator::compare)
    php = r"""require '/usr/share/php/Composer/Semver/autoload.php'; $p=new Composer\Semver\VersionParser();
while(($l=fgets(STDIN))!==false){[$a,$b]=explode("\t",rtrim($l,"\n"));
try{$na=$p->normalize($a);$nb=$p->normalize($b);}catch(Exception $e){continue;}
echo "$a\t$b\t".version_compare($na,$nb)."\n";}"""
    run_oracle(["php", "-r", php], pairs(tar_tokens("friendsofphp-security-advisories.tar.gz", (".yaml",)), 600), "composer-pairs.tsv")
    # Maven: ComparableVersion main prints consecutive comparisons
    mvn = sorted({os.path.basename(r) for r, _, fs in os.walk("/usr/share/maven-repo") if any(f.endswith(".pom") for f in fs)})
    with open("maven-extra.txt") as f:
        mvn += [l.strip() for l in f if l.strip() and not l.startswith("#")]
    maven_oracle(pairs(sorted(set(mvn)), 600), "maven-pairs.tsv")

    # Synthetic tricky strings, after the corpus files so those stay reproducible.
    syn = {k: synthetic(v, head=".N.N" if k in ("semver", "golang") else "") for k, v in SYNTH.items()}
    sp = {k: pairs(v, 800) for k, v in syn.items()}
    pep440_oracle(sp["pep440"], "pep440-synthetic.tsv")
    run_oracle(["node", "-e", node], sp["semver"], "semver-synthetic.tsv")
    run_oracle(["go", "run", "/tmp/vl/gosemver/main.go", "/tmp/vl/gosemver/semver.go"],
               [("v" + a, "v" + b) for a, b in sp["golang"]], "golang-synthetic.tsv")
    run_oracle(["ruby", "-e", ruby], sp["gem"], "gem-synthetic.tsv")
    run_oracle(["php", "-r", php], sp["composer"], "composer-synthetic.tsv")
    maven_oracle(sp["maven"], "maven-synthetic.tsv")

    # Validity of every synthetic string (<string> TAB 1|0), per the same oracles.
    from packaging.version import Version, InvalidVersion
    def pep_ok(v):
        try:
            Version(v)
            return 1
        except InvalidVersion:
            return 0
    with open("pep440-validity.tsv", "w") as f:
        f.write("".join(f"{v}\t{pep_ok(v)}\n" for v in syn["pep440"]))
    validity = {
        "semver": (["node", "-e", "const s=require('/usr/lib/node_modules/npm/node_modules/semver');"
                    "let d='';process.stdin.on('data',c=>d+=c).on('end',()=>{for(const l of d.split('\\n')){"
                    "if(l)console.log(l+'\\t'+(s.valid(l)?1:0));}});"], syn["semver"]),
        "golang": (["go", "run", "/tmp/vl/gosemver/main.go", "/tmp/vl/gosemver/semver.go", "-valid"],
                   ["v" + v for v in syn["golang"]]),
        "gem": (["ruby", "-e", "STDIN.each_line{|l| v=l.chomp; puts [v, Gem::Version.correct?(v) ? 1 : 0].join(\"\\t\")}"], syn["gem"]),
        "composer": (["php", "-r", "require '/usr/share/php/Composer/Semver/autoload.php'; $p=new Composer\\Semver\\VersionParser();"
                      "while(($l=fgets(STDIN))!==false){$v=rtrim($l,\"\\n\");try{$p->normalize($v);$ok=1;}catch(Exception $e){$ok=0;}echo \"$v\\t$ok\\n\";}"],
                     syn["composer"]),
    }
    for k, (cmd, vs) in validity.items():
        out = subprocess.run(cmd, input="".join(v + "\n" for v in vs), capture_output=True, text=True, check=True).stdout
        with open(f"{k}-validity.tsv", "w") as f:
            f.write(out)
        print(f"{k}-validity.tsv", len(out.splitlines()))


def pep440_oracle(ps, name):
    from packaging.version import Version, InvalidVersion
    with open(name, "w") as f:
        for a, b in ps:
            try:
                va, vb = Version(a), Version(b)
            except InvalidVersion:
                continue
            f.write(f"{a}\t{b}\t{(va > vb) - (va < vb)}\n")


def maven_oracle(ps, name):
    flat = [v for p in ps for v in p]
    out = subprocess.run(["java", "-cp", "/usr/share/java/maven3-artifact.jar",
                          "org.apache.maven.artifact.versioning.ComparableVersion", *flat],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for l in out.splitlines():
        m = re.match(r"^   (\S+) (<|==|>) (\S+)$", l)
        if m:
            rows.append(f"{m[1]}\t{m[3]}\t{ {'<': -1, '==': 0, '>': 1}[m[2]] }")
    with open(name, "w") as f:
        f.write("".join(r + "\n" for r in rows))
    print(name, len(rows))


if __name__ == "__main__":
    main()
