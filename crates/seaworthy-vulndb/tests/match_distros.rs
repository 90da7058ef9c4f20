//! Distributions matched beyond Debian, Ubuntu, Alpine, AlmaLinux and Rocky: Red Hat and SUSE
//! through their OSV exports, Wolfi and Chainguard through their secdb; and the distributions no
//! loaded advisory covers, named rather than reported clean.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use seaworthy_inventory::{Ecosystem, OsInfo, Package, PackageLocation, SourcePackage};
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, MatchResult, Uncovered, match_packages};
use seaworthy_vulndb::sources::{alpine_secdb, osv};
use seaworthy_vulndb::store::{Builder, Store};
use seaworthy_vulndb::{Advisory, MatchStatus};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(testdata(p)).unwrap()
}

fn store(dir: &Path, advisories: &[Advisory]) -> Store {
    let db = dir.join("d.db");
    let mut b = Builder::create(&db).unwrap();
    for a in advisories {
        b.add(a).unwrap();
    }
    b.finish("2026-12-07T00:00:00Z").unwrap();
    Store::open(&db).unwrap()
}

fn all_fixtures() -> Vec<Advisory> {
    let mut all = alpine_secdb::parse(&read("wolfi/security.json"), "security.json")
        .unwrap()
        .advisories;
    for f in [
        "redhat/RHSA-2099-0001.json",
        "redhat/SUSE-SU-2099-0001.json",
    ] {
        all.push(osv::parse_record(&read(f), f).unwrap());
    }
    all
}

fn pkg(eco: Ecosystem, name: &str, version: &str) -> Package {
    let mut p = Package::new(
        "test",
        eco,
        name,
        version,
        format!("pkg:{eco}/{name}@{version}"),
    );
    p.locations.push(PackageLocation {
        path: "/x".into(),
        layer: 0,
    });
    p
}

fn apk(name: &str, version: &str) -> Package {
    let mut p = pkg(Ecosystem::Apk, name, version);
    p.source = Some(SourcePackage {
        name: name.into(),
        version: version.into(),
    });
    p
}

fn os(id: &str, version: &str) -> OsInfo {
    OsInfo {
        id: id.into(),
        version_id: version.into(),
        ..OsInfo::default()
    }
}

fn run(store: &Store, os: &OsInfo, packages: &[Package]) -> MatchResult {
    let input = MatchInput {
        os: Some(os),
        packages,
        layers: &[],
    };
    match_packages(store, &input, MatchOptions::default()).unwrap()
}

fn ids(r: &MatchResult) -> Vec<&str> {
    r.matches.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn wolfi_and_chainguard_match_their_secdb() {
    let dir = tempfile::tempdir().unwrap();
    let mut advisories = all_fixtures();
    let doc = br#"{"urlprefix": "https://packages.cgr.dev", "reponame": "chainguard",
        "packages": [{"pkg": {"name": "ascan", "secfixes": {"2.7.3-r0": ["CVE-2026-55093"]}}}]}"#;
    advisories.extend(alpine_secdb::parse(doc, "cg.json").unwrap().advisories);
    let s = store(dir.path(), &advisories);

    let wolfi = os("wolfi", "20230201");
    let r = run(
        &s,
        &wolfi,
        &[apk("ascan", "2.7.2-r0"), apk("aactl", "0.4.12-r9")],
    );
    assert!(r.uncovered.is_empty(), "{:?}", r.uncovered);
    assert_eq!(r.packages_matched, 2);
    let found = ids(&r);
    for id in ["CVE-2026-55093", "CVE-2026-55832", "CVE-2024-29902"] {
        assert!(found.contains(&id), "{id} in {found:?}");
    }
    // `0` means never affected; a fixed version at or below the installed one is no match.
    assert!(!found.contains(&"CVE-2023-45283"), "{found:?}");
    assert!(!found.contains(&"CVE-2023-39326"), "{found:?}");
    let m = r.matches.iter().find(|m| m.id == "CVE-2026-55093").unwrap();
    assert_eq!(m.status, MatchStatus::Fixed);
    assert_eq!(m.fixed_version.as_deref(), Some("2.7.2-r1"));
    assert_eq!(m.sources, ["wolfi-secdb"]);
    assert!(ids(&run(&s, &wolfi, &[apk("ascan", "2.7.2-r1")])).is_empty());

    // Chainguard's advisories are Chainguard's only: its own fix version.
    let r = run(
        &s,
        &os("chainguard", "20230214"),
        &[apk("ascan", "2.7.2-r1")],
    );
    assert_eq!(ids(&r), ["CVE-2026-55093"]);
    assert_eq!(r.matches[0].fixed_version.as_deref(), Some("2.7.3-r0"));
    assert_eq!(r.matches[0].sources, ["chainguard-secdb"]);
    // An Alpine image is not matched against Wolfi's advisories.
    let r = run(&s, &os("alpine", "3.20.3"), &[apk("ascan", "2.7.2-r0")]);
    assert!(r.matches.is_empty());
}

#[test]
fn red_hat_and_suse_match_their_osv_records() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), &all_fixtures());
    // UBI 8 / RHEL 8: `rhel:8`, epoch-less installed version against `0:`-epoch fixes.
    let rpm = |name: &str, v: &str| pkg(Ecosystem::Rpm, name, v);
    let r = run(&s, &os("rhel", "8.8"), &[rpm("libuuid", "2.32.1-42.el8_8")]);
    assert_eq!(ids(&r), ["RHSA-2099:0001"]);
    let m = &r.matches[0];
    assert_eq!(m.status, MatchStatus::Fixed);
    assert_eq!(m.fixed_version.as_deref(), Some("0:2.32.1-46.el8"));
    assert!(m.related.contains(&"CVE-2024-28085".to_string()), "{m:?}");
    assert_eq!(m.sources, ["osv"]);
    assert!(
        ids(&run(
            &s,
            &os("rhel", "8.10"),
            &[rpm("libuuid", "2.32.1-46.el8")]
        ))
        .is_empty()
    );
    // RHEL 9's entry is RHEL 9's.
    let r = run(&s, &os("rhel", "9.4"), &[rpm("libuuid", "2.37.4-17.el9")]);
    assert_eq!(
        r.matches[0].fixed_version.as_deref(),
        Some("0:2.37.4-18.el9")
    );

    // SLES 15 SP5 (and SLES for SAP) and openSUSE Leap 15.5.
    for id in ["sles", "sles_sap"] {
        let r = run(
            &s,
            &os(id, "15.5"),
            &[rpm("libuuid1", "2.37.4-150500.9.3.1")],
        );
        assert_eq!(ids(&r), ["SUSE-SU-2099:0001-1"], "{id}");
    }
    let r = run(
        &s,
        &os("opensuse-leap", "15.5"),
        &[rpm("libuuid1", "2.37.4-150500.9.3.1")],
    );
    assert_eq!(ids(&r), ["SUSE-SU-2099:0001-1"]);
    // Products that meet on one key are kept once.
    let suse = osv::parse_record(&read("redhat/SUSE-SU-2099-0001.json"), "s").unwrap();
    let keys: Vec<&str> = suse.affected.iter().map(|a| a.ecosystem.as_str()).collect();
    assert_eq!(keys, ["sles:15.5", "opensuse-leap:15.5"]);
}

#[test]
fn distributions_without_loaded_advisories_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // Only Red Hat's and SUSE's advisories are loaded.
    let advisories: Vec<Advisory> = all_fixtures()
        .into_iter()
        .filter(|a| a.source == "osv")
        .collect();
    let s = store(dir.path(), &advisories);
    let wolfi = os("wolfi", "20230201");
    let packages = [apk("ascan", "2.7.2-r0"), apk("aactl", "0.4.12-r9")];
    let r = run(&s, &wolfi, &packages);
    assert!(r.matches.is_empty());
    assert_eq!(r.packages_matched, 0);
    assert_eq!(
        r.uncovered,
        [Uncovered {
            os: "Wolfi (rolling)".into(),
            ecosystem: Some("wolfi".into()),
            packages: 2,
        }]
    );
    assert_eq!(
        r.uncovered[0].message(),
        "no advisories loaded for Wolfi (rolling): 2 packages not matched"
    );
    // Language packages are not the distribution's: they are looked up as usual.
    let r = run(&s, &wolfi, &[pkg(Ecosystem::Pypi, "py", "1.11.0")]);
    assert!(r.uncovered.is_empty());
    assert_eq!(r.packages_matched, 1);
    // A RHEL release no record names (RHEL 7) is as uncovered as a missing source.
    let r = run(
        &s,
        &os("rhel", "7.9"),
        &[pkg(Ecosystem::Rpm, "libuuid", "2.23.2-65.el7")],
    );
    assert_eq!(r.uncovered[0].os, "Red Hat Enterprise Linux (7)");
    // A distribution seaworthy reads no source for.
    let r = run(
        &s,
        &os("centos", "7.9.2009"),
        &[pkg(Ecosystem::Rpm, "bash", "4.2.46-35.el7_9")],
    );
    assert!(r.not_matched.is_empty(), "{:?}", r.not_matched);
    assert_eq!(
        r.uncovered[0].message(),
        "no advisory source for centos 7.9.2009: 1 package not matched"
    );
}

/// `db import` tells Wolfi's and Chainguard's `security.json` from Alpine's secdb by what the
/// file says of itself.
#[test]
fn import_recognises_wolfi_and_chainguard_secdb() {
    use seaworthy_vulndb::import::{self, FeedKind};
    let dir = tempfile::tempdir().unwrap();
    let wolfi = dir.path().join("wolfi/security.json");
    let cg = dir.path().join("chainguard/security.json");
    let alpine = dir.path().join("v3.10-main.json");
    for p in [&wolfi, &cg] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    }
    std::fs::write(&wolfi, read("wolfi/security.json")).unwrap();
    std::fs::write(
        &cg,
        br#"{"apkurl": "{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
        "archs": ["x86_64"], "reponame": "chainguard", "urlprefix": "https://packages.cgr.dev",
        "packages": []}"#,
    )
    .unwrap();
    std::fs::write(&alpine, read("alpine/v3.10-main-excerpt.json")).unwrap();
    let found = import::discover(&[dir.path().to_path_buf()]).unwrap();
    let kinds: Vec<(String, FeedKind)> = found.iter().map(|f| (f.name.clone(), f.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("chainguard-secdb".to_string(), FeedKind::ChainguardSecdb),
            ("alpine-secdb:v3.10/main".to_string(), FeedKind::AlpineSecdb),
            ("wolfi-secdb".to_string(), FeedKind::WolfiSecdb),
        ]
    );
    let summary = import::build(
        &dir.path().join("x.db"),
        &found,
        "2026-12-07T00:00:00Z",
        &|_, _| {},
    )
    .unwrap();
    assert!(summary.advisories > 0);
    let s = Store::open(&dir.path().join("x.db")).unwrap();
    assert!(s.has_ecosystem("wolfi").unwrap());
    assert!(s.has_ecosystem("alpine:v3.10").unwrap());
}

/// A broken feed never stops the others from importing (issue 18): a truncated Wolfi secdb
/// beside a good Alpine secdb is named in `failed` (its path, never its content) and left out,
/// the Alpine one is imported, as for an unreadable NVD, KEV or EPSS file (`db import` exits 2).
/// Alone, it is an error and the previous database stays.
#[test]
fn a_broken_wolfi_secdb_is_left_out_and_the_rest_imported() {
    use seaworthy_vulndb::import::{self, FeedKind};
    let dir = tempfile::tempdir().unwrap();
    let feeds_dir = dir.path().join("feeds");
    let wolfi = feeds_dir.join("wolfi/security.json");
    std::fs::create_dir_all(wolfi.parent().unwrap()).unwrap();
    let good = read("wolfi/security.json");
    std::fs::write(&wolfi, &good[..good.len() / 2]).unwrap();
    std::fs::write(
        feeds_dir.join("v3.10-main.json"),
        read("alpine/v3.10-main-excerpt.json"),
    )
    .unwrap();
    let feeds = import::discover(std::slice::from_ref(&feeds_dir)).unwrap();
    let kinds: Vec<FeedKind> = feeds.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FeedKind::AlpineSecdb, FeedKind::WolfiSecdb]);
    assert!(FeedKind::WolfiSecdb.is_left_out_when_broken());
    assert!(FeedKind::ChainguardSecdb.is_left_out_when_broken());
    assert!(!FeedKind::AlpineSecdb.is_left_out_when_broken());

    let db = dir.path().join("vuln.db");
    let summary = import::build(&db, &feeds, "2026-12-07T00:00:00Z", &|_, _| {}).unwrap();
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    assert!(
        summary.failed[0].contains("wolfi/security.json"),
        "{:?}",
        summary.failed
    );
    assert!(!summary.failed[0].contains("aactl"), "{:?}", summary.failed);
    let names: Vec<&str> = summary.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["alpine-secdb:v3.10/main"]);
    assert!(summary.advisories > 0);
    let store = Store::open(&db).unwrap();
    assert!(store.has_ecosystem("alpine:v3.10").unwrap());
    assert!(!store.has_ecosystem("wolfi").unwrap());

    // Nothing readable at all: an error naming the file, and the database stays as it was.
    let before = std::fs::read(&db).unwrap();
    let broken: Vec<_> = feeds
        .iter()
        .filter(|f| f.kind == FeedKind::WolfiSecdb)
        .cloned()
        .collect();
    let err = import::build(&db, &broken, "2026-12-08T00:00:00Z", &|_, _| {}).unwrap_err();
    assert!(err.is_input_error());
    assert!(err.to_string().contains("wolfi/security.json"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
