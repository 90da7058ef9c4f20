//! Matching with real advisories from the fixtures: every status and every range kind, Debian's
//! unstable fallback, withdrawn advisories, and aliases merged across sources.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use seaworthy_inventory::{Ecosystem, OsInfo, Package, PackageLocation, SourcePackage};
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, match_packages};
use seaworthy_vulndb::sources::{
    alpine_secdb, debian_list, debian_tracker, friendsofphp, nodejs_wg, osv, rubysec, rustsec,
};
use seaworthy_vulndb::store::{Builder, Store};
use seaworthy_vulndb::{Advisory, MatchStatus, VulnMatch};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(testdata(p)).unwrap()
}

fn text(p: &str) -> String {
    String::from_utf8(read(p)).unwrap()
}

/// Every fixture advisory in one database.
fn store(dir: &Path) -> Store {
    let mut all: Vec<Advisory> = Vec::new();
    all.extend(
        debian_tracker::parse(&read("debian/tracker-sample.json"), "t")
            .unwrap()
            .advisories,
    );
    all.extend(
        debian_list::parse_cve_list(&text("debian/excerpts/CVE.list"), "c")
            .unwrap()
            .advisories,
    );
    all.extend(
        alpine_secdb::parse(&read("alpine/v3.10-main-excerpt.json"), "a")
            .unwrap()
            .advisories,
    );
    for f in std::fs::read_dir(testdata("osv")).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            all.push(osv::parse_record(&std::fs::read(&p).unwrap(), "o").unwrap());
        }
    }
    for md in [
        "rustsec/crates/tower-http/RUSTSEC-2021-0135.md",
        "rustsec/crates/dirs/RUSTSEC-2020-0053.md",
    ] {
        all.extend(rustsec::parse_advisory(&text(md), md).unwrap());
    }
    all.push(
        rubysec::parse_record(
            "CVE-2020-8164.yml",
            &read("rubysec/gems/actionpack/CVE-2020-8164.yml"),
        )
        .unwrap(),
    );
    all.push(nodejs_wg::parse_record(&read("nodejs-wg/vuln/npm/41.json")).unwrap());
    all.push(
        friendsofphp::parse_record(
            "symfony",
            "symfony",
            "CVE-2019-10909.yaml",
            &read("friendsofphp/symfony/symfony/CVE-2019-10909.yaml"),
        )
        .unwrap(),
    );
    let db = dir.join("m.db");
    let mut b = Builder::create(&db).unwrap();
    for a in &all {
        b.add(a).unwrap();
    }
    b.finish("2026-11-29T00:00:00Z").unwrap();
    Store::open(&db).unwrap()
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

fn deb(name: &str, source: &str, version: &str) -> Package {
    let mut p = pkg(Ecosystem::Deb, name, version);
    p.source = Some(SourcePackage {
        name: source.into(),
        version: version.into(),
    });
    p
}

fn os(id: &str, version: &str, codename: Option<&str>) -> OsInfo {
    OsInfo {
        id: id.into(),
        version_id: version.into(),
        version_codename: codename.map(str::to_string),
        ..OsInfo::default()
    }
}

fn run(store: &Store, os: Option<&OsInfo>, packages: &[Package]) -> Vec<VulnMatch> {
    let input = MatchInput {
        os,
        packages,
        layers: &[],
    };
    let r = match_packages(store, &input, MatchOptions::default()).unwrap();
    assert!(r.range_errors.is_empty(), "{:?}", r.range_errors);
    r.matches
}

fn only<'a>(ms: &'a [VulnMatch], id: &str) -> &'a VulnMatch {
    let found: Vec<_> = ms.iter().filter(|m| m.id == id).collect();
    assert_eq!(found.len(), 1, "{id} in {ms:#?}");
    found[0]
}

#[test]
fn debian_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let bookworm = os("debian", "12", Some("bookworm"));
    let bullseye = os("debian", "11", Some("bullseye"));
    let buster = os("debian", "10", Some("buster"));
    let trixie = os("debian", "13", Some("trixie"));

    // Tracker JSON: chromium CVE-2022-0456 bookworm resolved 98.0.4758.80-1 → fixed.
    let m = run(
        &s,
        Some(&bookworm),
        &[deb("chromium", "chromium", "97.0.4692.99-1")],
    );
    let c = only(&m, "CVE-2022-0456");
    assert_eq!(
        (c.status, c.fixed_version.as_deref()),
        (MatchStatus::Fixed, Some("98.0.4758.80-1"))
    );
    assert!(
        run(
            &s,
            Some(&bookworm),
            &[deb("chromium", "chromium", "98.0.4758.80-1")]
        )
        .is_empty()
    );
    // ... buster: `open` with urgency end-of-life.
    let m = run(
        &s,
        Some(&buster),
        &[deb("chromium", "chromium", "90.0.4430.212-1~deb10u1")],
    );
    assert_eq!(only(&m, "CVE-2022-0456").status, MatchStatus::EndOfLife);
    // prototypejs CVE-2007-2383: fixed_version 0 = never affected; CVE-2008-7220 fixed 1.6.0.2-1.
    let m = run(
        &s,
        Some(&buster),
        &[deb("libjs-prototype", "prototypejs", "1.7.1-3")],
    );
    assert!(m.is_empty(), "{m:#?}");
    let m = run(
        &s,
        Some(&buster),
        &[deb("libjs-prototype", "prototypejs", "1.6.0.1-1")],
    );
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].id, "CVE-2008-7220");
    assert_eq!(m[0].severity_source, "debian-tracker urgency"); // high** → high
    assert_eq!(m[0].severity, seaworthy_core::Severity::High);

    // CVE list: flask CVE-2026-27205 — bookworm no-dsa, bullseye postponed, sid fixed 3.1.3-1.
    let flask = |v: &str| deb("python3-flask", "flask", v);
    let m = run(&s, Some(&bookworm), &[flask("2.2.2-3")]);
    assert_eq!(only(&m, "CVE-2026-27205").status, MatchStatus::NoDsa);
    let m = run(&s, Some(&bullseye), &[flask("1.1.2-2")]);
    assert_eq!(only(&m, "CVE-2026-27205").status, MatchStatus::Postponed);
    // mariadb CVE-2024-21096: bookworm has its own fix; trixie has no line → unstable's
    // 1:10.11.8-1 decides: older is still open in trixie, newer is fine.
    let maria = |v: &str| deb("mariadb-server", "mariadb", v);
    let m = run(&s, Some(&bookworm), &[maria("1:10.11.6-0+deb12u1")]);
    let c = only(&m, "CVE-2024-21096");
    assert_eq!(
        (c.status, c.fixed_version.as_deref()),
        (MatchStatus::Fixed, Some("1:10.11.11-0+deb12u1"))
    );
    assert!(run(&s, Some(&bookworm), &[maria("1:10.11.11-0+deb12u1")]).is_empty());
    let m = run(&s, Some(&trixie), &[maria("1:10.11.6-1")]);
    let c = only(&m, "CVE-2024-21096");
    assert_eq!(c.status, MatchStatus::Unfixed);
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("fixed in unstable (1:10.11.8-1)")),
        "{:?}",
        c.notes
    );
    assert!(run(&s, Some(&trixie), &[maria("1:10.11.9-1")]).is_empty());
    // dokuwiki <undetermined> in unstable only → open everywhere; linux <not-affected> in bookworm.
    let m = run(
        &s,
        Some(&bookworm),
        &[deb("dokuwiki", "dokuwiki", "0.0.20220731.1-1")],
    );
    assert_eq!(only(&m, "CVE-2019-25338").status, MatchStatus::Unfixed);
    let m = run(
        &s,
        Some(&bookworm),
        &[deb("linux-image-amd64", "linux", "6.1.99-1")],
    );
    assert!(m.iter().all(|x| x.id != "CVE-2024-42141"), "{m:#?}");
}

#[test]
fn binnmu_is_matched_by_source_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let bookworm = os("debian", "12", Some("bookworm"));
    // A binNMU of chromium 97 (`+b1`): the source version decides.
    let mut p = deb("chromium", "chromium", "97.0.4692.99-1+b1");
    p.source = Some(SourcePackage {
        name: "chromium".into(),
        version: "97.0.4692.99-1".into(),
    });
    let m = run(&s, Some(&bookworm), &[p]);
    let c = only(&m, "CVE-2022-0456");
    assert_eq!(
        c.package.matched_as,
        Some(("chromium".into(), "97.0.4692.99-1".into()))
    );
}

#[test]
fn alpine_by_origin_and_branch() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let alpine = os("alpine", "3.10.9", None);
    let mut p = pkg(Ecosystem::Apk, "tcpdump", "4.9.2-r4");
    p.source = Some(SourcePackage {
        name: "tcpdump".into(),
        version: "4.9.2-r4".into(),
    });
    let m = run(&s, Some(&alpine), std::slice::from_ref(&p));
    let c = only(&m, "CVE-2017-16808");
    assert_eq!(
        (c.status, c.fixed_version.as_deref()),
        (MatchStatus::Fixed, Some("4.9.3-r0"))
    );
    // Another branch has no data in the fixture: nothing.
    assert!(run(&s, Some(&os("alpine", "3.11.2", None)), &[p]).is_empty());
}

#[test]
fn osv_range_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    // SEMVER ranges with two segments (Go stdlib), inventory versions without `v`.
    let m = run(&s, None, &[pkg(Ecosystem::Golang, "stdlib", "1.20.4")]);
    assert_eq!(
        only(&m, "CVE-2023-29403").fixed_version.as_deref(),
        Some("1.20.5")
    );
    assert!(
        only(&m, "CVE-2023-29403")
            .aliases
            .contains(&"GO-2023-1840".to_string())
    );
    let m = run(&s, None, &[pkg(Ecosystem::Golang, "stdlib", "1.19.10")]);
    assert!(m.iter().all(|x| x.id != "CVE-2023-29403"));
    // ECOSYSTEM ranges, one affected entry per branch (PyPI swift).
    let swift = |v: &str| run(&s, None, &[pkg(Ecosystem::Pypi, "swift", v)]);
    assert_eq!(
        only(&swift("2.29.1"), "CVE-2022-47950")
            .fixed_version
            .as_deref(),
        Some("2.29.2")
    );
    assert!(swift("2.29.2").is_empty());
    assert!(swift("2.28.1").is_empty());
    let c = swift("2.27.0");
    let c = only(&c, "CVE-2022-47950");
    assert_eq!(c.fixed_version.as_deref(), Some("2.28.1"));
    assert_eq!(c.severity_source, "cvss 3.1 (osv)");
    assert_eq!(c.cvss[0].score, 6.5);
    // last_affected: py ≤ 1.11.0 affected, no fix known.
    let m = run(&s, None, &[pkg(Ecosystem::Pypi, "py", "1.11.0")]);
    let c = only(&m, "CVE-2022-42969");
    assert_eq!(
        (c.status, c.fixed_version.as_deref()),
        (MatchStatus::Affected, None)
    );
    assert!(run(&s, None, &[pkg(Ecosystem::Pypi, "py", "1.11.1")]).is_empty());
    // PyPI names compare normalized (PEP 503).
    assert_eq!(
        run(&s, None, &[pkg(Ecosystem::Pypi, "ReMarshal", "0.17.0")]).len(),
        1
    );
    // Withdrawn advisories never match (RUSTSEC-2020-0053 in both OSV and native form).
    assert!(run(&s, None, &[pkg(Ecosystem::Cargo, "dirs", "1.0.5")]).is_empty());
    // rpm: epoch-aware comparison, AlmaLinux by release.
    let alma = os("almalinux", "9.4", None);
    let m = run(
        &s,
        Some(&alma),
        &[pkg(Ecosystem::Rpm, "tar", "2:1.34-7.el9")],
    );
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(m[0].fixed_version.as_deref(), Some("2:1.34-9.el9_7"));
    assert_eq!(m[0].severity_source, "osv rating"); // "Moderate:" summary prefix
    assert!(
        run(
            &s,
            Some(&alma),
            &[pkg(Ecosystem::Rpm, "tar", "2:1.34-9.el9_7")]
        )
        .is_empty()
    );
}

#[test]
fn requirement_ranges_of_each_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    // RubyGems: unaffected < 4.0.0, patched ~> 5.2.4, >= 5.2.4.3 and >= 6.0.3.1.
    let rails = |v: &str| run(&s, None, &[pkg(Ecosystem::Gem, "actionpack", v)]);
    assert!(rails("3.2.22").is_empty());
    assert_eq!(
        only(&rails("5.2.4.2"), "CVE-2020-8164")
            .fixed_version
            .as_deref(),
        Some("5.2.4.3")
    );
    assert!(rails("5.2.4.3").is_empty());
    assert_eq!(rails("6.0.3").len(), 1);
    assert!(rails("6.0.3.1").is_empty());
    // npm (node-semver): validator <1.1.0.
    let m = run(&s, None, &[pkg(Ecosystem::Npm, "validator", "1.0.9")]);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].fixed_version.as_deref(), Some("1.1.0"));
    assert!(run(&s, None, &[pkg(Ecosystem::Npm, "validator", "1.1.0")]).is_empty());
    // Composer: symfony/symfony >=2.7.0,<2.7.51 | >=2.8.0,<2.8.50 | …
    let sf = |v: &str| run(&s, None, &[pkg(Ecosystem::Composer, "symfony/symfony", v)]);
    assert_eq!(
        only(&sf("2.7.50"), "CVE-2019-10909").status,
        MatchStatus::Affected
    );
    assert!(sf("2.7.51").is_empty());
    // Cargo: tower-http (withdrawn upstream): no match even inside the range.
    assert!(run(&s, None, &[pkg(Ecosystem::Cargo, "tower-http", "0.2.0")]).is_empty());
}

#[test]
fn aliases_merge_sources_into_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    // cap-primitives: RUSTSEC-2024-0445 (OSV) aka CVE-2024-51756 / GHSA-hxf5-99xg-86hw.
    let m = run(
        &s,
        None,
        &[pkg(Ecosystem::Cargo, "cap-primitives", "3.4.0")],
    );
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(m[0].id, "CVE-2024-51756");
    assert_eq!(
        m[0].aliases,
        vec!["GHSA-hxf5-99xg-86hw", "RUSTSEC-2024-0445"]
    );
    assert_eq!(m[0].cvss[0].version, "4.0");
}

/// validator 1.0.9 in an image's `app/package-lock.json` and installed beside it in
/// `app/node_modules` is one package found twice: its advisory (nodejs-wg 41) is listed once,
/// at the installed manifest.
#[test]
fn a_package_seen_in_lockfile_and_node_modules_is_matched_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let lock = serde_json::json!({
        "name": "app",
        "lockfileVersion": 3,
        "requires": true,
        "packages": {
            "": { "name": "app", "dependencies": { "validator": "1.0.9" } },
            "node_modules/validator": {
                "version": "1.0.9",
                "resolved": "https://registry.npmjs.org/validator/-/validator-1.0.9.tgz"
            }
        }
    });
    let manifest = serde_json::json!({ "name": "validator", "version": "1.0.9" });
    let fs = seaworthy_oci::FsView::from_files([
        (
            "app/package-lock.json".to_string(),
            serde_json::to_vec(&lock).unwrap(),
        ),
        (
            "app/node_modules/validator/package.json".to_string(),
            serde_json::to_vec(&manifest).unwrap(),
        ),
    ]);
    let inv =
        seaworthy_inventory::CatalogerSet::new(seaworthy_inventory::catalogers::npm::catalogers())
            .catalog(&fs);
    assert_eq!(inv.packages.len(), 1, "{:#?}", inv.packages);
    let m = run(&s, None, &inv.packages);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(
        m[0].package.path,
        "/app/node_modules/validator/package.json"
    );
    assert_eq!(m[0].fixed_version.as_deref(), Some("1.1.0"));
}

/// A Go module built from a working tree (`(devel)`) has no version to compare: it is not
/// matched, even by an advisory whose range starts at 0, and is counted as not looked up.
#[test]
fn go_devel_version_is_unknown_not_matched() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let stdlib = |v: &str| pkg(Ecosystem::Golang, "stdlib", v);
    assert_eq!(
        only(&run(&s, None, &[stdlib("1.19.9")]), "CVE-2023-29403")
            .fixed_version
            .as_deref(),
        Some("1.19.10")
    );
    let input = MatchInput {
        os: None,
        packages: &[stdlib("(devel)")],
        layers: &[],
    };
    let r = match_packages(&s, &input, MatchOptions::default()).unwrap();
    assert!(r.matches.is_empty(), "{:#?}", r.matches);
    assert_eq!(r.packages_matched, 0);
    assert_eq!(r.not_matched.len(), 1, "{:?}", r.not_matched);
    assert!(
        r.not_matched[0].0.contains("(devel)"),
        "{:?}",
        r.not_matched
    );
}

/// A language package owned by an OS package (Debian's `python3-py` ships `py`'s metadata) is
/// left to the distribution's advisories and counted, unless `match_os_owned`.
#[test]
fn os_owned_language_package_is_left_to_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let mut py = pkg(Ecosystem::Pypi, "py", "1.11.0");
    py.owned_by = Some("pkg:deb/debian/python3-py@1.11.0-1?arch=all".into());
    let packages = [py];
    let input = MatchInput {
        os: None,
        packages: &packages,
        layers: &[],
    };
    let left = match_packages(&s, &input, MatchOptions::default()).unwrap();
    assert!(left.matches.is_empty(), "{:#?}", left.matches);
    assert_eq!((left.os_owned_skipped, left.packages_matched), (1, 0));
    let matched = match_packages(
        &s,
        &input,
        MatchOptions {
            match_os_owned: true,
            ..MatchOptions::default()
        },
    )
    .unwrap();
    assert_eq!(matched.os_owned_skipped, 0);
    only(&matched.matches, "CVE-2022-42969");
}

/// remarshal 0.17.0 pinned in an image's `app/requirements.txt` and installed from it into
/// `app/.venv` is one package found twice: its advisory (PYSEC-2023-236) is listed once, at the
/// installed metadata.
#[test]
fn a_package_seen_in_requirements_and_virtualenv_is_matched_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let fs = seaworthy_oci::FsView::from_files([
        (
            "app/requirements.txt".to_string(),
            b"remarshal==0.17.0 \\\n    --hash=sha256:0123\n".to_vec(),
        ),
        (
            "app/.venv/lib/python3.11/site-packages/remarshal-0.17.0.dist-info/METADATA"
                .to_string(),
            b"Metadata-Version: 2.1\nName: remarshal\nVersion: 0.17.0\n\n".to_vec(),
        ),
    ]);
    let mut catalogers = vec![seaworthy_inventory::catalogers::python::cataloger()];
    catalogers.extend(seaworthy_inventory::catalogers::python_lock::catalogers());
    let inv = seaworthy_inventory::CatalogerSet::new(catalogers).catalog(&fs);
    assert_eq!(inv.packages.len(), 1, "{:#?}", inv.packages);
    assert_eq!(inv.packages[0].locations.len(), 2);
    let m = run(&s, None, &inv.packages);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(
        m[0].package.path,
        "/app/.venv/lib/python3.11/site-packages/remarshal-0.17.0.dist-info/METADATA"
    );
    assert_eq!(m[0].fixed_version.as_deref(), Some("0.17.1"));
}
