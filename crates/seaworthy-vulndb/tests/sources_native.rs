//! Native advisory repositories shipped as `.tar.gz`: ruby-advisory-db, FriendsOfPHP
//! security-advisories and the Node.js security WG's `vuln/`. The archives are packed in the
//! test from the real records under `testdata/{rubysec,friendsofphp,nodejs-wg}` (see their
//! SOURCES.md), with and without a GitHub-style top-level directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use seaworthy_vulndb::ranges::{check_requirement, lowest_fix, requirements_affect};
use seaworthy_vulndb::sources::{Parsed, friendsofphp, nodejs_wg, rubysec};
use seaworthy_vulndb::{Advisory, Range, RatingKind, ReqSyntax, Status};

fn fixture_dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn files(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{rel}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            files(&e.path(), &format!("{name}/"), out);
        } else {
            out.push((name, std::fs::read(e.path()).unwrap()));
        }
    }
}

/// Packs `testdata/<name>` (plus `extra` members) under `top/` into a `.tar.gz`.
fn targz(name: &str, top: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut members = Vec::new();
    files(&fixture_dir(name), "", &mut members);
    members.extend(extra.iter().map(|(p, d)| (p.to_string(), d.to_vec())));
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for (path, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, format!("{top}{path}"), data.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn find<'a>(parsed: &'a Parsed, id: &str) -> &'a Advisory {
    parsed
        .advisories
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id} missing from {:?}", ids(parsed)))
}

fn ids(parsed: &Parsed) -> Vec<&str> {
    parsed.advisories.iter().map(|a| a.id.as_str()).collect()
}

fn requirements(adv: &Advisory, i: usize) -> (ReqSyntax, Vec<String>, Vec<String>) {
    match adv.affected[i].ranges.as_slice() {
        [
            Range::Requirements {
                syntax,
                affected,
                unaffected,
            },
        ] => (*syntax, affected.clone(), unaffected.clone()),
        other => panic!("{}: unexpected ranges {other:?}", adv.id),
    }
}

/// Every requirement expression of every parsed advisory is valid in its syntax.
fn assert_all_ranges_parse(parsed: &Parsed) {
    let mut n = 0;
    for adv in &parsed.advisories {
        for aff in &adv.affected {
            for range in &aff.ranges {
                let Range::Requirements {
                    syntax,
                    affected,
                    unaffected,
                } = range
                else {
                    panic!("{}: not a Requirements range", adv.id)
                };
                for expr in affected.iter().chain(unaffected) {
                    check_requirement(*syntax, expr).unwrap_or_else(|e| panic!("{}: {e}", adv.id));
                    n += 1;
                }
            }
        }
    }
    assert!(n > 5, "only {n} expressions");
}

// ---------------------------------------------------------------------------------------------
// rubysec

#[test]
fn rubysec_fixtures_parse_to_advisories() {
    let bytes = targz("rubysec", "ruby-advisory-db-8cfcc07caea7/", &[]);
    let parsed = rubysec::parse_tar_gz(&bytes, "ruby-advisory-db.tar.gz").unwrap();
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    // 8 gem files, two of them one CVE (gollum, gollum-lib); rubies/ passed over
    assert_eq!(
        ids(&parsed),
        [
            "CVE-2013-3221",
            "CVE-2014-2322",
            "CVE-2014-9489",
            "CVE-2020-8164",
            "CVE-2026-55518",
            "GHSA-mpwp-4h2m-765c",
            "OSVDB-95376",
        ]
    );
    assert_all_ranges_parse(&parsed);

    let a = find(&parsed, "CVE-2020-8164");
    assert_eq!(a.aliases, ["GHSA-8727-m6gj-mc37"]);
    assert_eq!(a.source, "rubysec");
    assert_eq!(
        a.summary.as_deref(),
        Some("Possible Strong Parameters Bypass in ActionPack")
    );
    assert_eq!(a.published.as_deref(), Some("2020-05-18"));
    assert_eq!(a.ratings.len(), 1);
    assert_eq!(a.ratings[0].kind, RatingKind::Label);
    assert_eq!(a.ratings[0].value, "cvss_v3:7.5");
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].ecosystem, "RubyGems");
    assert_eq!(a.affected[0].package, "actionpack");
    assert_eq!(a.affected[0].status, Status::Affected);
    let (syntax, affected, unaffected) = requirements(a, 0);
    assert_eq!(syntax, ReqSyntax::Gem);
    assert!(affected.is_empty());
    assert_eq!(
        unaffected,
        ["~> 5.2.4, >= 5.2.4.3", ">= 6.0.3.1", "< 4.0.0"]
    );
    assert!(requirements_affect(syntax, &affected, &unaffected, "5.2.4.2").unwrap());
    assert!(!requirements_affect(syntax, &affected, &unaffected, "5.2.4.3").unwrap());
    assert!(!requirements_affect(syntax, &affected, &unaffected, "3.2.0").unwrap());
    assert_eq!(
        lowest_fix(syntax, &unaffected, "6.0.0").as_deref(),
        Some("6.0.3.1")
    );

    let job = find(&parsed, "GHSA-mpwp-4h2m-765c");
    assert_eq!(job.aliases, ["OSVDB-112347"]);
    assert_eq!(job.ratings[0].value, "cvss_v4:6.6");
    let (_, _, unaffected) = requirements(job, 0);
    assert_eq!(unaffected, [">= 4.2.0.beta2"]);
    assert!(requirements_affect(ReqSyntax::Gem, &[], &unaffected, "4.2.0.beta1").unwrap());

    let oracle = find(&parsed, "OSVDB-95376");
    assert!(oracle.aliases.is_empty());
    assert!(oracle.ratings.is_empty());
    assert_eq!(
        oracle.affected[0].package,
        "activerecord-oracle_enhanced-adapter"
    );

    let ar = find(&parsed, "CVE-2013-3221");
    let ratings: Vec<&str> = ar.ratings.iter().map(|r| r.value.as_str()).collect();
    assert_eq!(ratings, ["cvss_v2:6.4", "cvss_v4:9.3"]);
    assert_eq!(
        ar.references.first().map(String::as_str),
        Some("https://nvd.nist.gov/vuln/detail/CVE-2013-3221")
    );
    assert_eq!(ar.references.len(), 11, "url + related.url, deduplicated");

    // no patched_versions: every version is affected
    let prawn = find(&parsed, "CVE-2014-2322");
    assert_eq!(prawn.aliases, ["GHSA-hgmw-x865-hf9x", "OSVDB-104365"]);
    assert_eq!(prawn.affected[0].package, "Arabic-Prawn");
    assert_eq!(
        prawn.summary.as_deref(),
        Some(
            "Arabic Prawn Gem for Ruby lib/string_utf_support.rb User Input Handling Remote Command Injection"
        )
    );
    let (syntax, affected, unaffected) = requirements(prawn, 0);
    assert!(unaffected.is_empty());
    assert!(requirements_affect(syntax, &affected, &unaffected, "999.0").unwrap());

    let gollum = find(&parsed, "CVE-2014-9489");
    let packages: Vec<&str> = gollum.affected.iter().map(|a| a.package.as_str()).collect();
    assert_eq!(packages, ["gollum", "gollum-lib"]);

    let avo = find(&parsed, "CVE-2026-55518");
    let (_, _, unaffected) = requirements(avo, 0);
    assert_eq!(unaffected, ["~> 3.32.1", ">= 4.0.0.beta.51"]);
    assert!(requirements_affect(ReqSyntax::Gem, &[], &unaffected, "3.31.0").unwrap());
    assert!(!requirements_affect(ReqSyntax::Gem, &[], &unaffected, "3.32.5").unwrap());
    assert!(requirements_affect(ReqSyntax::Gem, &[], &unaffected, "4.0.0.beta.50").unwrap());
    assert_eq!(
        lowest_fix(ReqSyntax::Gem, &unaffected, "3.33.0").as_deref(),
        Some("4.0.0.beta.51")
    );
}

#[test]
fn rubysec_without_top_directory() {
    let bytes = targz("rubysec", "", &[]);
    let parsed = rubysec::parse_tar_gz(&bytes, "db.tar.gz").unwrap();
    assert_eq!(parsed.advisories.len(), 7);
}

#[test]
fn rubysec_bad_records_are_skipped() {
    let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ngem: x\n";
    let big = vec![b'#'; 2 << 20];
    let extra: &[(&str, &[u8])] = &[
        ("gems/broken/CVE-2000-0001.yml", b"gem: [unclosed\n"),
        ("gems/nogem/CVE-2000-0002.yml", b"cve: 2000-0002\n"),
        (
            "gems/badreq/CVE-2000-0003.yml",
            b"gem: badreq\ncve: 2000-0003\npatched_versions:\n  - '>= 1.0 || 2.0'\n",
        ),
        ("gems/bomb/CVE-2000-0004.yml", bomb.as_bytes()),
        ("gems/big/CVE-2000-0005.yml", &big),
        ("gems/bin/CVE-2000-0006.yml", &[0xff, 0xfe, 0x00]),
        ("gems/README.md", b"not an advisory"),
    ];
    let bytes = targz("rubysec", "db/", extra);
    let parsed = rubysec::parse_tar_gz(&bytes, "db.tar.gz").unwrap();
    assert_eq!(parsed.advisories.len(), 7);
    assert_eq!(parsed.skipped, 6, "{:?}", parsed.problems);
    let problems = parsed.problems.join("\n");
    for what in [
        "broken/CVE-2000-0001.yml: invalid YAML",
        "no `gem`",
        "badreq",
        "bomb",
        "larger than",
        "not UTF-8",
    ] {
        assert!(problems.contains(what), "{what} in {problems}");
    }
}

#[test]
fn truncated_and_corrupt_archives_are_feed_errors() {
    let bytes = targz("rubysec", "db/", &[]);
    for cut in [10, bytes.len() / 3, bytes.len() - 12] {
        let err = rubysec::parse_tar_gz(&bytes[..cut], "ruby-advisory-db.tar.gz").unwrap_err();
        assert_eq!(err.file, "ruby-advisory-db.tar.gz");
        assert!(err.to_string().contains("broken .tar.gz"), "{err}");
    }
    let mut corrupt = bytes.clone();
    let n = corrupt.len();
    corrupt[n - 6] ^= 0xff; // the gzip CRC32
    assert!(rubysec::parse_tar_gz(&corrupt, "x.tar.gz").is_err());
    assert!(friendsofphp::parse_tar_gz(b"not gzip", "fop.tar.gz").is_err());
    assert!(nodejs_wg::parse_tar_gz(&[], "wg.tar.gz").is_err());
}

// ---------------------------------------------------------------------------------------------
// FriendsOfPHP

#[test]
fn friendsofphp_fixtures_parse_to_advisories() {
    let bytes = targz("friendsofphp", "security-advisories-73745a61e343/", &[]);
    let parsed = friendsofphp::parse_tar_gz(&bytes, "security-advisories.tar.gz").unwrap();
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    assert_eq!(
        ids(&parsed),
        [
            "CVE-2019-10909",
            "CVE-2023-46735",
            "FOP-cart2quote/module-quotation/2017-02-01"
        ]
    );
    assert_all_ranges_parse(&parsed);

    let a = find(&parsed, "CVE-2019-10909");
    assert_eq!(a.source, "friendsofphp");
    assert_eq!(
        a.summary.as_deref(),
        Some("CVE-2019-10909: Escape validation messages in the PHP templating engine")
    );
    assert_eq!(a.references, ["https://symfony.com/cve-2019-10909"]);
    assert_eq!(a.published.as_deref(), Some("2019-04-16"));
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].ecosystem, "Packagist");
    assert_eq!(a.affected[0].package, "symfony/symfony");
    let (syntax, affected, unaffected) = requirements(a, 0);
    assert_eq!(syntax, ReqSyntax::Composer);
    assert!(unaffected.is_empty());
    assert_eq!(affected.len(), 10);
    assert_eq!(affected[0], ">=2.7.0,<2.7.51");
    assert!(affected.contains(&">=4.2.0,<4.2.7".to_string()));
    for (v, want) in [
        ("2.7.50", true),
        ("v3.4.25", true),
        ("3.4.26", false),
        ("4.2.7", false),
        ("2.6.0", false),
    ] {
        assert_eq!(
            requirements_affect(syntax, &affected, &unaffected, v).unwrap(),
            want,
            "{v}"
        );
    }

    // one CVE filed for symfony/symfony and symfony/webhook
    let webhook = find(&parsed, "CVE-2023-46735");
    let packages: Vec<&str> = webhook
        .affected
        .iter()
        .map(|a| a.package.as_str())
        .collect();
    assert_eq!(packages, ["symfony/symfony", "symfony/webhook"]);
    assert_eq!(requirements(webhook, 1).1, [">=6.3.0,<6.3.8"]);

    let quote = find(&parsed, "FOP-cart2quote/module-quotation/2017-02-01");
    assert_eq!(quote.affected[0].package, "cart2quote/module-quotation");
    assert_eq!(
        requirements(quote, 0).1,
        [">=4.1.6,<4.4.6", ">=5.0.0,<5.4.4"]
    );
    assert_eq!(quote.published.as_deref(), Some("2017-02-01"));
}

#[test]
fn friendsofphp_bad_records_are_skipped() {
    let extra: &[(&str, &[u8])] = &[
        ("acme/lib/2020-01-01.yaml", b"title: x\nbranches: {}\nreference: composer://acme/lib\n"),
        ("acme/lib/2020-01-02.yaml", b"title: x\nbranches:\n  1.x:\n    time: ~\n    versions: ['>=1.0', 'foo bar']\n"),
        ("acme/lib/2020-01-03.yaml", b"branches: [1, 2\n"),
        (".github/workflows/ci.yaml", b"on: push\n"),
        ("acme/Lib/2020-01-04.yaml", b"cve: ~\nbranches:\n  master:\n    time: 2020-01-04\n    versions: ['<1.2.3']\nreference: composer://Acme/Lib\n"),
    ];
    let bytes = targz("friendsofphp", "sa/", extra);
    let parsed = friendsofphp::parse_tar_gz(&bytes, "sa.tar.gz").unwrap();
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
    assert_eq!(parsed.advisories.len(), 4);
    // package names are lowercased the way Packagist compares them; the id keeps the path
    let acme = find(&parsed, "FOP-acme/Lib/2020-01-04");
    assert_eq!(acme.affected[0].package, "acme/lib");
}

// ---------------------------------------------------------------------------------------------
// Node.js security WG

#[test]
fn nodejs_wg_fixtures_parse_to_advisories() {
    let bytes = targz("nodejs-wg", "security-wg-f1288d0d6723/", &[]);
    let parsed = nodejs_wg::parse_tar_gz(&bytes, "security-wg.tar.gz").unwrap();
    assert_eq!(parsed.skipped, 0, "{:?}", parsed.problems);
    assert_eq!(
        ids(&parsed),
        [
            "CVE-2013-4939",
            "CVE-2013-7451",
            "CVE-2014-7205",
            "NSWG-ECO-358",
            "NSWG-ECO-49"
        ]
    );
    assert_all_ranges_parse(&parsed);

    let a = find(&parsed, "CVE-2014-7205");
    assert_eq!(a.aliases, ["NSWG-ECO-1"]);
    assert_eq!(a.source, "nodejs-security-wg");
    assert_eq!(a.summary.as_deref(), Some("Arbitrary JavaScript Execution"));
    assert_eq!(a.published.as_deref(), Some("2014-09-27"));
    assert_eq!(a.modified.as_deref(), Some("2016-04-28"));
    assert_eq!(a.ratings.len(), 1);
    assert_eq!(a.ratings[0].kind, RatingKind::CvssV3);
    assert_eq!(
        a.ratings[0].value,
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N"
    );
    assert_eq!(a.affected[0].ecosystem, "npm");
    assert_eq!(a.affected[0].package, "bassmaster");
    let (syntax, affected, unaffected) = requirements(a, 0);
    assert_eq!(syntax, ReqSyntax::Npm);
    assert_eq!(affected, ["<=1.5.1"]);
    assert_eq!(unaffected, [">=1.5.2"]);
    assert!(requirements_affect(syntax, &affected, &unaffected, "1.5.1").unwrap());
    assert!(!requirements_affect(syntax, &affected, &unaffected, "1.5.2").unwrap());
    assert_eq!(
        lowest_fix(syntax, &unaffected, "1.0.0").as_deref(),
        Some("1.5.2")
    );

    let validator = find(&parsed, "CVE-2013-7451");
    assert_eq!(
        validator.aliases,
        [
            "CVE-2013-7452",
            "CVE-2013-7453",
            "CVE-2013-7454",
            "NSWG-ECO-41"
        ]
    );

    let mapbox = find(&parsed, "NSWG-ECO-49");
    assert!(mapbox.aliases.is_empty());
    assert_eq!(mapbox.affected[0].package, "mapbox.js");
    let (syntax, affected, unaffected) = requirements(mapbox, 0);
    assert_eq!(affected, ["<1.6.5 || < 2.1.7 > 2.0.0"]);
    assert_eq!(unaffected, [">=1.6.5 <2.0.0 || >= 2.1.7"]);
    for (v, want) in [
        ("1.6.4", true),
        ("2.1.6", true),
        ("2.1.7", false),
        ("1.9.0", false),
        ("2.1.7-rc.1", true),
    ] {
        assert_eq!(
            requirements_affect(syntax, &affected, &unaffected, v).unwrap(),
            want,
            "{v}"
        );
    }

    let yui = find(&parsed, "CVE-2013-4939");
    let (syntax, affected, unaffected) = requirements(yui, 0);
    assert!(requirements_affect(syntax, &affected, &unaffected, "3.10.2").unwrap());
    assert!(!requirements_affect(syntax, &affected, &unaffected, "3.10.1").unwrap());

    // no patched versions, no vector and a score of -1: no rating at all
    let book = find(&parsed, "NSWG-ECO-358");
    assert!(book.ratings.is_empty());
    let (_, affected, unaffected) = requirements(book, 0);
    assert_eq!(affected, ["<=0.0.32"]);
    assert!(unaffected.is_empty());
}

#[test]
fn nodejs_wg_bad_records_are_skipped() {
    let extra: &[(&str, &[u8])] = &[
        ("vuln/npm/900.json", b"{\"id\": 900, \"module_name\": \"x\""),
        (
            "vuln/npm/901.json",
            b"{\"id\": 901, \"module_name\": \"x\", \"vulnerable_versions\": \">= 1 <<2\"}",
        ),
        (
            "vuln/npm/902.json",
            b"{\"id\": 902, \"vulnerable_versions\": \"*\"}",
        ),
        ("vuln/npm/index.json", b"{\"1\": {}}"),
        ("vuln/core/index.json", b"[]"),
    ];
    let bytes = targz("nodejs-wg", "", extra);
    let parsed = nodejs_wg::parse_tar_gz(&bytes, "wg.tar.gz").unwrap();
    assert_eq!(parsed.advisories.len(), 5);
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
    assert!(
        parsed
            .problems
            .iter()
            .any(|p| p.starts_with("vuln/npm/900.json: invalid JSON")),
        "{:?}",
        parsed.problems
    );
}

#[test]
fn record_functions_parse_single_files() {
    let text =
        std::fs::read(fixture_dir("rubysec").join("gems/actionpack/CVE-2020-8164.yml")).unwrap();
    assert_eq!(
        rubysec::parse_record("CVE-2020-8164.yml", &text)
            .unwrap()
            .id,
        "CVE-2020-8164"
    );
    let text = std::fs::read(fixture_dir("nodejs-wg").join("vuln/npm/49.json")).unwrap();
    assert_eq!(nodejs_wg::parse_record(&text).unwrap().id, "NSWG-ECO-49");
    let text = std::fs::read(
        fixture_dir("friendsofphp").join("cart2quote/module-quotation/2017-02-01.yaml"),
    )
    .unwrap();
    let adv =
        friendsofphp::parse_record("cart2quote", "module-quotation", "2017-02-01.yaml", &text)
            .unwrap();
    assert_eq!(adv.id, "FOP-cart2quote/module-quotation/2017-02-01");
    // the file name is the id of a record without any
    let adv = rubysec::parse_record("OSVDB-1.yml", b"gem: g\n").unwrap();
    assert_eq!(adv.id, "OSVDB-1");
}

#[test]
fn archives_without_advisories_are_feed_errors() {
    let wg = targz("nodejs-wg", "wg/", &[]);
    let err = rubysec::parse_tar_gz(&wg, "ruby.tar.gz").unwrap_err();
    assert!(
        err.to_string().starts_with("ruby.tar.gz: no gems/"),
        "{err}"
    );
    assert!(friendsofphp::parse_tar_gz(&targz("nodejs-wg", "", &[]), "f.tar.gz").is_err());
    assert!(nodejs_wg::parse_tar_gz(&targz("rubysec", "", &[]), "n.tar.gz").is_err());
}

// ---------------------------------------------------------------------------------------------
// Hostile input: no panics on arbitrary bytes, damaged archives or arbitrary records.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_panic_on_arbitrary_archives(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = rubysec::parse_tar_gz(&bytes, "x");
        let _ = friendsofphp::parse_tar_gz(&bytes, "x");
        let _ = nodejs_wg::parse_tar_gz(&bytes, "x");
    }

    #[test]
    fn no_panic_on_damaged_archives(at in 0usize..100_000, xor in 1u8..=255, cut in 0usize..100_000) {
        for (name, dir) in [("rubysec", "rubysec"), ("fop", "friendsofphp"), ("wg", "nodejs-wg")] {
            let mut bytes = targz(dir, "top/", &[]);
            let n = bytes.len();
            bytes[at % n] ^= xor;
            bytes.truncate(n - cut % n);
            let _ = rubysec::parse_tar_gz(&bytes, name);
            let _ = friendsofphp::parse_tar_gz(&bytes, name);
            let _ = nodejs_wg::parse_tar_gz(&bytes, name);
        }
    }

    #[test]
    fn no_panic_on_arbitrary_records(text in "(gem|cve|ghsa|osvdb|patched_versions|branches|versions|time|id|module_name|vulnerable_versions|[-:{}\\[\\]&*!|>~ \"',\n0-9a-z.])*") {
        let _ = rubysec::parse_record("x.yml", text.as_bytes());
        let _ = friendsofphp::parse_record("v", "p", "x.yaml", text.as_bytes());
        let _ = nodejs_wg::parse_record(text.as_bytes());
    }
}
