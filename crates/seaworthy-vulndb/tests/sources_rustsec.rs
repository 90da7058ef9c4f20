//! RustSec advisory-db native format (fixtures in testdata/rustsec, see its SOURCES.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use seaworthy_vulndb::sources::rustsec;
use seaworthy_vulndb::{Advisory, Range, Rating, RatingKind, ReqSyntax, Status};

const FIXTURES: &[&str] = &[
    "crates/tokio-rustls/RUSTSEC-2020-0019.md",
    "crates/dirs/RUSTSEC-2020-0053.md",
    "crates/tower-http/RUSTSEC-2021-0135.md",
    "crates/libcrux-psq/RUSTSEC-2026-0024.md",
    "crates/juniper/RUSTSEC-2022-0038.md",
];

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/rustsec")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn advisory(name: &str) -> Advisory {
    rustsec::parse_advisory(&fixture(name), name)
        .unwrap()
        .expect("a vulnerability")
}

fn requirements(a: &Advisory) -> (ReqSyntax, Vec<String>, Vec<String>) {
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].ranges.len(), 1);
    match &a.affected[0].ranges[0] {
        Range::Requirements {
            syntax,
            affected,
            unaffected,
        } => (*syntax, affected.clone(), unaffected.clone()),
        other => panic!("not requirements: {other:?}"),
    }
}

/// A tar.gz of `(path, text)` members under `advisory-db-main/`, as GitHub serves the repository.
fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (path, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("advisory-db-main/{path}"), *data)
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn fixture_archive() -> Vec<u8> {
    let texts: Vec<(String, String)> = FIXTURES
        .iter()
        .map(|p| (p.to_string(), fixture(p)))
        .collect();
    let mut members: Vec<(&str, &[u8])> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_bytes()))
        .collect();
    members.push(("README.md", b"# RustSec Advisory Database\n"));
    members.push((
        "crates/broken/RUSTSEC-2099-0001.md",
        b"# no front matter here\n",
    ));
    tar_gz(&members)
}

#[test]
fn patched_and_unaffected_become_cargo_requirements() {
    let a = advisory("crates/tokio-rustls/RUSTSEC-2020-0019.md");
    assert_eq!(a.id, "RUSTSEC-2020-0019");
    assert_eq!(a.source, "rustsec");
    assert_eq!(a.aliases, ["CVE-2020-35875", "GHSA-2jfv-g3fh-xq3v"]);
    assert_eq!(
        a.summary.as_deref(),
        Some("tokio-rustls reads may cause excessive memory usage")
    );
    assert_eq!(a.published.as_deref(), Some("2020-05-19"));
    assert_eq!(a.withdrawn, None);
    assert_eq!(
        a.ratings,
        [Rating {
            kind: RatingKind::CvssV3,
            value: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
            by: None,
        }]
    );
    assert_eq!(a.references, ["https://github.com/tokio-rs/tls/pull/14"]);
    let affected = &a.affected[0];
    assert_eq!(
        (affected.ecosystem.as_str(), affected.package.as_str()),
        ("crates.io", "tokio-rustls")
    );
    assert_eq!(affected.status, Status::Affected);
    assert_eq!(affected.note, None);
    assert_eq!(
        requirements(&a),
        (
            ReqSyntax::Cargo,
            vec![],
            vec![
                ">= 0.12.3, < 0.13.0".to_string(),
                ">= 0.13.1".to_string(),
                "< 0.12".to_string()
            ]
        )
    );
}

#[test]
fn informational_advisories_are_not_vulnerabilities() {
    let name = "crates/dirs/RUSTSEC-2020-0053.md";
    assert_eq!(rustsec::parse_advisory(&fixture(name), name).unwrap(), None);
}

#[test]
fn withdrawn_advisory_with_platform_note() {
    let a = advisory("crates/tower-http/RUSTSEC-2021-0135.md");
    // `withdrawn = "2022-08-14" # comment` in the TOML.
    assert_eq!(a.withdrawn.as_deref(), Some("2022-08-14"));
    assert_eq!(a.published.as_deref(), Some("2021-01-21"));
    assert_eq!(a.aliases, ["GHSA-wwh2-r387-g5rm"]);
    assert!(a.ratings.is_empty());
    assert_eq!(
        a.summary.as_deref(),
        Some("Improper validation of Windows paths could lead to directory traversal attack")
    );
    assert_eq!(a.affected[0].note.as_deref(), Some("only on os: windows"));
    assert_eq!(requirements(&a).2, [">= 0.2.1", ">= 0.1.3, < 0.2.0"]);
}

#[test]
fn cvss_v4_vector_and_sorted_aliases() {
    let a = advisory("crates/libcrux-psq/RUSTSEC-2026-0024.md");
    assert_eq!(
        a.ratings,
        [Rating {
            kind: RatingKind::CvssV4,
            value: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N".into(),
            by: None,
        }]
    );
    assert_eq!(
        a.summary.as_deref(),
        Some("Incorrect X25519 clamping check rejects all secrets on import")
    );

    let b = advisory("crates/juniper/RUSTSEC-2022-0038.md");
    assert_eq!(b.aliases, ["CVE-2022-31173", "GHSA-4rx6-g5vg-5f3j"]);
    assert_eq!(
        b.references,
        ["https://github.com/graphql-rust/juniper/security/advisories/GHSA-4rx6-g5vg-5f3j"]
    );
    assert_eq!(requirements(&b).2, [">= 0.15.10"]);
}

#[test]
fn malformed_advisories_are_errors_naming_the_file_and_line() {
    let text = fixture("crates/tokio-rustls/RUSTSEC-2020-0019.md")
        .replace("date = \"2020-05-19\"", "date = ");
    let e = rustsec::parse_advisory(&text, "crates/tokio-rustls/RUSTSEC-2020-0019.md").unwrap_err();
    let message = e.to_string();
    assert!(
        message.starts_with("crates/tokio-rustls/RUSTSEC-2020-0019.md: front matter line 8:"),
        "{message}"
    );

    let unclosed = "```toml\n[advisory]\nid = \"RUSTSEC-2020-0019\"\n";
    assert!(rustsec::parse_advisory(unclosed, "a.md").is_err());
    assert!(rustsec::parse_advisory("", "a.md").is_err());
    let no_package = "```toml\n[advisory]\nid = \"RUSTSEC-1\"\n```\n# T\n";
    assert!(rustsec::parse_advisory(no_package, "a.md").is_err());

    // Deep nesting in hostile TOML: an error (or a value), never a stack overflow.
    for open in ["[", "{a="] {
        let deep = format!(
            "```toml\n[advisory]\nid = \"R\"\npackage = \"p\"\nx = {}\n```\n",
            open.repeat(50_000)
        );
        let _ = rustsec::parse_advisory(&deep, "deep.md");
    }
}

#[test]
fn tar_gz_of_advisory_db() {
    let parsed = rustsec::parse_tar_gz(&fixture_archive(), "advisory-db.tar.gz").unwrap();
    let ids: Vec<&str> = parsed.advisories.iter().map(|a| a.id.as_str()).collect();
    // In archive order; the informational dirs advisory is left out and not counted.
    assert_eq!(
        ids,
        [
            "RUSTSEC-2020-0019",
            "RUSTSEC-2021-0135",
            "RUSTSEC-2026-0024",
            "RUSTSEC-2022-0038"
        ]
    );
    assert_eq!(parsed.skipped, 1);
    assert!(
        parsed.problems[0].starts_with("crates/broken/RUSTSEC-2099-0001.md: no ```toml"),
        "{:?}",
        parsed.problems
    );
    assert_eq!(
        parsed.advisories[0],
        advisory("crates/tokio-rustls/RUSTSEC-2020-0019.md")
    );
}

#[test]
fn truncated_or_damaged_tar_gz_is_an_error_for_the_file() {
    let archive = fixture_archive();
    // Cut anywhere, including inside the gzip trailer after the tar end blocks.
    for cut in [archive.len() - 1, archive.len() - 6, archive.len() / 2, 5] {
        let e = rustsec::parse_tar_gz(&archive[..cut], "db.tar.gz").unwrap_err();
        assert!(e.to_string().starts_with("db.tar.gz: "), "{e}");
    }
    let mut flipped = archive.clone();
    let crc_at = flipped.len() - 8;
    flipped[crc_at] ^= 0xff;
    assert!(rustsec::parse_tar_gz(&flipped, "db.tar.gz").is_err());
    assert!(rustsec::parse_tar_gz(b"not gzip at all", "db.tar.gz").is_err());
}

#[test]
fn oversized_members_are_skipped_and_other_paths_ignored() {
    let big = vec![b'a'; rustsec::MAX_ADVISORY_BYTES as usize + 1];
    let text = fixture("crates/juniper/RUSTSEC-2022-0038.md");
    let archive = tar_gz(&[
        ("crates/big/RUSTSEC-2099-0002.md", &big),
        ("rust/std/RUSTSEC-2099-0003.md", text.as_bytes()),
        ("crates/juniper/notes.md", text.as_bytes()),
        ("crates/juniper/RUSTSEC-2022-0038.md", text.as_bytes()),
    ]);
    let parsed = rustsec::parse_tar_gz(&archive, "db.tar.gz").unwrap();
    assert_eq!(parsed.advisories.len(), 1);
    assert_eq!(parsed.skipped, 1);
    assert!(parsed.problems[0].starts_with("crates/big/RUSTSEC-2099-0002.md: larger than"));
}
