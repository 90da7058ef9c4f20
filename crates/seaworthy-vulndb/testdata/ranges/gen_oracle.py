#!/usr/bin/env python3
"""Regenerates the *-oracle.tsv fixtures (see SOURCES.md). Run from this directory.

Each line: expression <TAB> version [<TAB> include_prerelease] <TAB> 1 | 0 | invalid, the real
tool's verdict on whether the version satisfies the expression (invalid: the tool rejects the
expression)."""
import json, os, random, re, subprocess, tarfile

CORPUS = "/work/shared/corpus/vulndata"
rnd = random.Random(7)
NUM = re.compile(r"[0-9]+(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z.-]+)?")


def tar_members(name, pred):
    with tarfile.open(os.path.join(CORPUS, name)) as t:
        for m in t.getmembers():
            if m.isfile() and pred(m.name):
                yield m.name, t.extractfile(m).read()


def rubysec_requirements():
    import yaml  # PyYAML
    out = set()
    for name, data in tar_members("rubysec-ruby-advisory-db.tar.gz",
                                  lambda n: "/gems/" in n and n.endswith(".yml")):
        d = yaml.safe_load(data)
        for k in ("patched_versions", "unaffected_versions"):
            out.update(d.get(k) or [])
    return sorted(out)


def fop_constraints():
    import yaml
    out = set()
    for name, data in tar_members("friendsofphp-security-advisories.tar.gz",
                                  lambda n: n.endswith(".yaml")):
        d = yaml.safe_load(data)
        for b in (d.get("branches") or {}).values():
            out.add(",".join(b["versions"]))
    return sorted(out)


def npm_ranges():
    out = set()
    for name, data in tar_members("nodejs-security-wg-vuln.tar.gz",
                                  lambda n: re.search(r"/vuln/npm/\d+\.json$", n)):
        d = json.loads(data)
        for k in ("vulnerable_versions", "patched_versions"):
            if d.get(k):
                out.add(d[k])
    return sorted(out)


def bump(token, delta):
    parts = token.split(".")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].isdigit():
            n = int(parts[i]) + delta
            if n < 0:
                return None
            parts[i] = str(n)
            return ".".join(parts)
    return None


def candidates(expr, full3, pre_suffixes, extra):
    vs = set(extra)
    for tok in NUM.findall(expr):
        base = tok.split("-")[0]
        forms = [tok, base, bump(base, 1), bump(base, -1)]
        forms += [base + s for s in pre_suffixes]
        for f in forms:
            if f is None:
                continue
            if full3:
                p = f.split("-", 1)
                nums = p[0].split(".")
                if not all(n.isdigit() for n in nums) or len(nums) > 3:
                    continue
                nums += ["0"] * (3 - len(nums))
                f = ".".join(nums) + ("-" + p[1] if len(p) > 1 else "")
            vs.add(f)
    vs = sorted(vs)
    rnd.shuffle(vs)
    return sorted(vs[:8])


def run(cmd, rows):
    p = subprocess.run(cmd, input="".join(json.dumps(r) + "\n" for r in rows),
                       capture_output=True, text=True, check=True)
    return p.stdout.splitlines()


NODE = r"""
const semver = require('/usr/lib/node_modules/npm/node_modules/semver');
const rl = require('readline').createInterface({input: process.stdin});
rl.on('line', l => {
  const [r, v, inc] = JSON.parse(l);
  if (semver.validRange(r, {includePrerelease: inc}) === null) { console.log('invalid'); return; }
  console.log(semver.satisfies(v, r, {includePrerelease: inc}) ? '1' : '0');
});
"""

RUBY = r"""
require 'json'
STDIN.each_line do |l|
  r, v = JSON.parse(l)
  begin
    req = Gem::Requirement.new(*r.split(',').map(&:strip))
    puts(req.satisfied_by?(Gem::Version.new(v)) ? '1' : '0')
  rescue Gem::Requirement::BadRequirementError, ArgumentError
    puts 'invalid'
  end
end
"""

PHP = r"""
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\VersionParser;
use Composer\Semver\Constraint\Constraint;
$p = new VersionParser();
while (($l = fgets(STDIN)) !== false) {
  [$c, $v] = json_decode($l);
  try { $cons = $p->parseConstraints($c); } catch (\Exception $e) { echo "invalid\n"; continue; }
  $ver = new Constraint('==', $p->normalize($v));
  echo ($cons->matches($ver) ? '1' : '0'), "\n";
}
"""


def node_valid(versions):
    js = ("const s=require('/usr/lib/node_modules/npm/node_modules/semver');"
          "require('readline').createInterface({input:process.stdin}).on('line',"
          "l=>console.log(s.valid(JSON.parse(l))?'1':'0'))")
    out = run(["node", "-e", js], versions)
    return [v for v, ok in zip(versions, out) if ok == "1"]


def ruby_valid(versions):
    rb = "require 'json'; STDIN.each_line { |l| puts(Gem::Version.correct?(JSON.parse(l)) ? '1' : '0') }"
    out = run(["ruby", "-e", rb], versions)
    return [v for v, ok in zip(versions, out) if ok == "1"]


def php_valid(versions):
    php = ("require '/usr/share/php/Composer/Semver/autoload.php';"
           "$p=new Composer\\Semver\\VersionParser();"
           "while(($l=fgets(STDIN))!==false){try{$p->normalize(json_decode($l));echo \"1\\n\";}"
           "catch(\\Exception $e){echo \"0\\n\";}}")
    out = run(["php", "-r", php], versions)
    return [v for v, ok in zip(versions, out) if ok == "1"]


def write(name, rows, verdicts):
    with open(name, "w") as f:
        for row, verdict in zip(rows, verdicts):
            f.write("\t".join([*(str(int(x)) if isinstance(x, bool) else x for x in row), verdict]) + "\n")
    print(name, len(rows))


# Generated tricky spellings, each tool's own syntax corners (written for this file).
SYNTH_NPM = [
    "1.2.3 - 2.3.4", "1.2 - 2.3.4", "1.2.3 - 2.3", "1.2.3 - 2", "x - 1.x", "1.0.0 - x",
    "1.2.3-beta.1 - 2.0.0-rc.1", "*", "", "||", "1.x", "1.2.x", "1", "1.2", "1.X", "1.2.*", "x.x.x",
    "~1.2.3", "~1.2", "~1", "~0.2.3", "~0", "~>1.2.3", "~ 1.2", "~1.2.3-beta.2", "^1.2.3", "^0.2.3",
    "^0.0.3", "^1.2.3-beta.2", "^0.0.3-beta", "^1.2.x", "^0.0.x", "^0.0", "^1.x", "^0.x", "^0",
    ">1.2", ">=1.2", "<1.2", "<=1.2", ">1", "<=1", "=1.2", "=v1.2.3", "v1.2.3", ">= 1.2.3 < 2",
    ">=1.2.3 <2.0.0-0", "<1.0.0-alpha", ">1.2.3-alpha.3", ">=0.0.0", "<0.0.0-0", ">*", "<*",
    "1.2.3 || >=2.0.0-rc.1 <2.0.1", "^1.0.0 || ^2.0.0-beta", ">=1.2.3+build <2",
]
SYNTH_GEM = [
    "~> 1.2", "~> 1.2.3", "~> 1", "~> 1.2.3.4", "~> 1.2.0.rc1", "~> 1.2.a", "~> 0.9.0.beta.2",
    "= 1.0", "1.0", "!= 1.2.3", "> 1.2.3.a", ">= 1.0.0-rc.1", "< 2.0.0.pre", "<= 1.2",
    "~> 2.0, != 2.0.1", ">= 1.0, < 2.0, != 1.5", ">=1.0", "~>1.2", "= 1.2.3-1",
]
SYNTH_COMPOSER = [
    ">=1.0", ">=1.0 <2.0", ">=1.0,<1.1 || >=1.2", ">=1.0,<1.1|>=1.2", "1.0 - 2.0", "1.0.0 - 2.1.0",
    "1 - 2", "1.0.* ", "1.*", "*", "v1.*", "~1.2", "~1.2.3", "~1", "~1.2.3.4", "~1.2-beta",
    "^1.2.3", "^0.3", "^0.0.3", "^0", "^1.2.3-RC1", "1.2.3", "=1.2.3", "==1.2.3", "!=1.2.3",
    "<>1.2.3", ">1.2", "<=1.3", "<1.3", ">=1.2-stable", "<1.3-beta", "1.0.*@beta", "@dev",
    ">=1.0@dev", "dev-master", ">=v2.0.0", "<2.0.0-RC1", "<2.0.0-rc1", ">=1.0 , <2.0",
    ">= 1.0 <2.0", "<2.0.24-p1", "<1.2.3.4", ">=2015.01.01", "1.0.0 - 2.1.0-beta",
]


def synth_rows(exprs, valid, pre_suffixes, extra, full3):
    rows = []
    for e in exprs:
        for v in valid(candidates(e, full3, pre_suffixes, extra)):
            rows.append([e, v])
    return rows


def main():
    rows = []
    for r, v in synth_rows(SYNTH_NPM, node_valid, ["-alpha", "-0", "-rc.1", "-beta.3"],
                           ["0.0.1", "100.0.0", "1.2.3-beta.2", "2.0.0-rc.1"], True):
        for inc in (False, True):
            rows.append([r, v, inc])
    for r in npm_ranges():
        vs = node_valid(candidates(r, True, ["-alpha", "-0", "-rc.1"], ["0.0.1", "100.0.0"]))
        for v in vs[:6]:
            rows.append([r, v, rnd.random() < 0.5])
    write("npm-oracle.tsv", rows, run(["node", "-e", NODE], rows))

    reqs = rubysec_requirements()
    rnd.shuffle(reqs)
    rows = synth_rows(SYNTH_GEM, ruby_valid, [".rc1", ".a", "-1", ".beta.2"],
                      ["0.1", "99.0", "1.2.a", "2.0.1"], False)
    for r in sorted(reqs[:700]):
        for v in ruby_valid(candidates(r, False, [".rc1", ".beta.2", "-1", ".a"], ["0.1", "99.0"]))[:6]:
            rows.append([r, v])
    write("gem-oracle.tsv", rows, run(["ruby", "-e", RUBY], rows))

    cons = fop_constraints()
    rnd.shuffle(cons)
    rows = synth_rows(SYNTH_COMPOSER, php_valid, ["-beta1", "-RC1", "-dev", "-p1", ".1", "-stable"],
                      ["0.1", "v1.0.0", "dev-master", "1.2.3-beta", "2015.01.02"], False)
    for c in sorted(cons[:700]):
        for v in php_valid(candidates(c, False, ["-beta1", "-RC1", "-dev", "-p1", ".1"], ["0.1", "v1.0.0"]))[:6]:
            rows.append([c, v])
    write("composer-oracle.tsv", rows, run(["php", "-r", PHP], rows))


if __name__ == "__main__":
    main()
