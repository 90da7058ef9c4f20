//! The real bookworm minbase dpkg status against real Debian security tracker entries, with the
//! findings derived by hand from the data (see testdata/bookworm/SOURCES.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use seaworthy_core::Severity;
use seaworthy_inventory::{Inventory, all_catalogers};
use seaworthy_oci::FsView;
use seaworthy_vulndb::MatchStatus;
use seaworthy_vulndb::import;
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, match_packages};
use seaworthy_vulndb::store::Store;

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn bookworm() -> Inventory {
    let files = vec![
        (
            "etc/os-release".to_string(),
            std::fs::read(testdata("bookworm/os-release")).unwrap(),
        ),
        (
            "var/lib/dpkg/status".to_string(),
            std::fs::read(testdata("bookworm/status")).unwrap(),
        ),
    ];
    all_catalogers().catalog(&FsView::from_files(files))
}

fn tracker_db(dir: &Path) -> Store {
    let feeds = import::discover(&[testdata("debian"), testdata("bookworm/DSA.list")]).unwrap();
    // tracker JSON, CVE list, DSA/DLA/DTSA excerpts, 2023-04 DSA/DLA excerpts, bookworm DSA.list
    assert_eq!(feeds.len(), 8, "{feeds:#?}");
    let db = dir.join("vuln.db");
    import::build(&db, &feeds, "2026-11-29T00:00:00Z", &|_, _| {}).unwrap();
    Store::open(&db).unwrap()
}

#[test]
fn bookworm_minbase_findings_derived_by_hand() {
    let inventory = bookworm();
    let os = inventory.os.as_ref().unwrap();
    assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
    // `dpkg-query --admindir … -W | wc -l` on the status file.
    assert_eq!(inventory.packages.len(), 88);
    let dir = tempfile::tempdir().unwrap();
    let store = tracker_db(dir.path());
    let input = MatchInput {
        os: inventory.os.as_ref(),
        packages: &inventory.packages,
        layers: &[],
    };
    let result = match_packages(&store, &input, MatchOptions::default()).unwrap();
    assert_eq!(result.packages_matched, 88);
    assert!(result.range_errors.is_empty());

    // Derivation, entry by entry, against the source packages of the status file:
    // - CVE/list CVE-2026-27171: `- zlib <unfixed>` (unstable) and `[bookworm] - zlib <no-dsa>
    //   (Minor issue)`. zlib1g's `Source: zlib`, version 1:1.2.13.dfsg-1 → bookworm's own line
    //   wins over unstable's: vulnerable, no-DSA, no fixed version, no urgency given (unrated).
    // - CVE/list entries for wordpress, flask, anubis, linux, mysql-8.0, mariadb*, dokuwiki,
    //   python-pip, python-virtualenv: none of these source packages is installed.
    // - DSA-5990-1 (libxml2, bookworm): libxml2 is not in minbase.
    // - DSA-5218-1 / DSA-5111-1 (zlib) and DSA-4942-1 (systemd) name only bullseye/buster: no
    //   line for bookworm, and DSA lists carry no unstable line to fall back to → nothing.
    // - DLA-179-1 (tzdata, squeeze only) → nothing for bookworm's tzdata 2026b-0+deb12u1.
    // - tracker JSON sample (prototypejs, txt2man, backupninja, chromium, sope): not installed.
    assert_eq!(result.matches.len(), 1, "{:#?}", result.matches);
    let m = &result.matches[0];
    assert_eq!(m.id, "CVE-2026-27171");
    assert_eq!(m.package.name, "zlib1g");
    assert_eq!(m.package.version, "1:1.2.13.dfsg-1");
    // Looked up as its source package.
    assert_eq!(
        m.package.matched_as,
        Some(("zlib".to_string(), "1:1.2.13.dfsg-1".to_string()))
    );
    assert_eq!(m.status, MatchStatus::NoDsa);
    assert_eq!(m.fixed_version, None);
    assert_eq!(m.sources, vec!["debian-cve-list"]);
    assert_eq!(m.notes, vec!["no-dsa: Minor issue"]);
    // Nothing rates it: unknown, never relabelled.
    assert_eq!(m.severity, Severity::Unknown);
    assert_eq!(m.severity_source, "unrated");
    assert_eq!(m.package.path, "/var/lib/dpkg/status");

    // --ignore-unfixed hides it (no fixed version), and counts it.
    let hidden = match_packages(
        &store,
        &input,
        MatchOptions {
            ignore_unfixed: true,
            ..MatchOptions::default()
        },
    )
    .unwrap();
    assert!(hidden.matches.is_empty());
    assert_eq!(hidden.ignored_unfixed, 1);
}
