//! OSV records and export zips (fixtures in testdata/osv, see its SOURCES.md), and CVSS scoring.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;

use seaworthy_core::Severity;
use seaworthy_vulndb::cvss;
use seaworthy_vulndb::sources::osv;
use seaworthy_vulndb::{Advisory, Event, Range, Rating, RatingKind, Status};

/// Fixture files and the names they have in the real exports (AlmaLinux ids contain `:`).
const FIXTURES: &[(&str, &str)] = &[
    ("GO-2023-1840.json", "GO-2023-1840.json"),
    ("GO-2024-2442.json", "GO-2024-2442.json"),
    ("GO-2025-3428.json", "GO-2025-3428.json"),
    ("PYSEC-2022-15.json", "PYSEC-2022-15.json"),
    ("PYSEC-2022-42969.json", "PYSEC-2022-42969.json"),
    ("PYSEC-2023-236.json", "PYSEC-2023-236.json"),
    ("RUSTSEC-2016-0001.json", "RUSTSEC-2016-0001.json"),
    ("RUSTSEC-2020-0053.json", "RUSTSEC-2020-0053.json"),
    ("RUSTSEC-2021-0135.json", "RUSTSEC-2021-0135.json"),
    ("RUSTSEC-2024-0445.json", "RUSTSEC-2024-0445.json"),
    ("ALSA-2026-0067.json", "ALSA-2026:0067.json"),
    ("ALBA-2020-5502.json", "ALBA-2020:5502.json"),
    ("GHSA-274c-rx2j-2v3x.json", "GHSA-274c-rx2j-2v3x.json"),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/osv")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn record(name: &str) -> Advisory {
    osv::parse_record(&fixture(name), name).unwrap()
}

fn events(range: &Range) -> (bool, Vec<Event>) {
    match range {
        Range::Events { semver, events } => (*semver, events.clone()),
        other => panic!("not an events range: {other:?}"),
    }
}

fn intro(v: &str) -> Event {
    Event::Introduced(v.into())
}
fn fixed(v: &str) -> Event {
    Event::Fixed(v.into())
}

fn rating(kind: RatingKind, value: &str) -> Rating {
    Rating {
        kind,
        value: value.into(),
        by: None,
    }
}

/// A zip of `entries` (name, bytes), deflated or stored.
fn zip_of(entries: &[(String, Vec<u8>)], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn fixture_entries() -> Vec<(String, Vec<u8>)> {
    FIXTURES
        .iter()
        .map(|(file, name)| (name.to_string(), fixture(file)))
        .collect()
}

#[test]
fn go_stdlib_semver_ranges_in_source_order() {
    let a = record("GO-2023-1840.json");
    assert_eq!(a.id, "GO-2023-1840");
    assert_eq!(a.source, "osv");
    assert_eq!(a.aliases, ["CVE-2023-29403"]);
    assert_eq!(
        a.summary.as_deref(),
        Some("Unsafe behavior in setuid/setgid binaries in runtime")
    );
    assert_eq!(a.published.as_deref(), Some("0001-01-01T00:00:00Z"));
    assert_eq!(a.withdrawn, None);
    assert!(a.ratings.is_empty());
    assert_eq!(
        a.references,
        [
            "https://go.dev/issue/60272",
            "https://go.dev/cl/501223",
            "https://groups.google.com/g/golang-announce/c/q5135a9d924/m/j0ZoAJOHAwAJ",
        ]
    );
    assert_eq!(a.affected.len(), 1);
    let affected = &a.affected[0];
    assert_eq!(
        (affected.ecosystem.as_str(), affected.package.as_str()),
        ("Go", "stdlib")
    );
    assert_eq!(affected.status, Status::Affected);
    assert_eq!(affected.note, None);
    assert_eq!(affected.ranges.len(), 1);
    assert_eq!(
        events(&affected.ranges[0]),
        (
            true,
            vec![
                intro("0"),
                fixed("1.19.10"),
                intro("1.20.0-0"),
                fixed("1.20.5")
            ]
        )
    );
}

#[test]
fn go_toolchain_package_with_prerelease_versions() {
    let a = record("GO-2025-3428.json");
    assert_eq!(a.affected[0].package, "toolchain");
    assert_eq!(
        events(&a.affected[0].ranges[0]),
        (true, vec![intro("1.24.0-rc.2"), fixed("1.24.0-rc.3")])
    );
}

#[test]
fn withdrawn_records_keep_their_withdrawal_date() {
    let go = record("GO-2024-2442.json");
    assert_eq!(go.withdrawn.as_deref(), Some("2024-01-23T12:50:23Z"));
    assert_eq!(go.aliases, ["GHSA-76cc-p55w-63g3"]);
    assert_eq!(go.affected[0].package, "github.com/gravitational/teleport");
    // `ecosystem_specific.custom_ranges` is not a range of the record.
    assert_eq!(events(&go.affected[0].ranges[0]), (true, vec![intro("0")]));

    let crates = record("RUSTSEC-2021-0135.json");
    assert_eq!(crates.withdrawn.as_deref(), Some("2022-08-14T12:00:00Z"));

    // Withdrawn, and its affected package has neither ranges nor versions: kept, matches nothing.
    let pypi = record("PYSEC-2022-15.json");
    assert_eq!(pypi.withdrawn.as_deref(), Some("2022-02-22T16:15:07Z"));
    assert_eq!(pypi.aliases, ["CVE-2022-0329", "GHSA-cvp7-c586-cmf4"]);
    assert_eq!(
        pypi.summary.as_deref(),
        Some("This CVE has been rejected as it was incorrectly assigned.")
    );
    assert_eq!(pypi.affected.len(), 1);
    assert_eq!(pypi.affected[0].package, "loguru");
    assert!(pypi.affected[0].ranges.is_empty());
    assert!(pypi.affected[0].versions.is_empty());
}

#[test]
fn pypi_last_affected_and_versions_list() {
    let a = record("PYSEC-2022-42969.json");
    assert_eq!(a.aliases, ["CVE-2022-42969", "GHSA-w596-4wvx-j9j6"]);
    // No `summary`: the first line of `details`.
    assert!(
        a.summary
            .as_deref()
            .unwrap()
            .starts_with("The py library through 1.11.0 for Python allows remote attackers")
    );
    assert_eq!(a.modified.as_deref(), Some("2022-11-04T11:00:00Z"));
    let affected = &a.affected[0];
    assert_eq!(
        (affected.ecosystem.as_str(), affected.package.as_str()),
        ("PyPI", "py")
    );
    assert_eq!(
        events(&affected.ranges[0]),
        (
            false,
            vec![intro("0"), Event::LastAffected("1.11.0".into())]
        )
    );
    assert_eq!(affected.versions.len(), 65);
    assert_eq!(affected.versions[0], "0.8.0-alpha2");
    assert_eq!(affected.versions[64], "1.11.0");
}

#[test]
fn git_ranges_are_dropped_with_a_note_and_cvss_v3_kept() {
    let a = record("PYSEC-2023-236.json");
    assert_eq!(
        a.ratings,
        [rating(
            RatingKind::CvssV3,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
        )]
    );
    let affected = &a.affected[0];
    assert_eq!(affected.package, "remarshal");
    assert_eq!(affected.note.as_deref(), Some(osv::GIT_NOTE));
    assert_eq!(affected.ranges.len(), 1);
    assert_eq!(
        events(&affected.ranges[0]),
        (false, vec![intro("0"), fixed("0.17.1")])
    );
    assert_eq!(affected.versions.len(), 15);
}

#[test]
fn rustsec_osv_records_semver_and_cvss_v3_v4() {
    let a = record("RUSTSEC-2016-0001.json");
    assert_eq!(a.aliases, ["CVE-2016-10931", "GHSA-34p9-f4q3-c4r7"]);
    assert_eq!(
        a.ratings,
        [rating(
            RatingKind::CvssV3,
            "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
        )]
    );
    assert_eq!(
        (
            a.affected[0].ecosystem.as_str(),
            a.affected[0].package.as_str()
        ),
        ("crates.io", "openssl")
    );
    assert_eq!(
        events(&a.affected[0].ranges[0]),
        (true, vec![intro("0.0.0-0"), fixed("0.9.0")])
    );
    assert!(!osv::is_informational(&fixture("RUSTSEC-2016-0001.json")));

    let v4 = record("RUSTSEC-2024-0445.json");
    assert_eq!(
        v4.ratings,
        [rating(
            RatingKind::CvssV4,
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N"
        )]
    );
}

#[test]
fn rustsec_informational_notice_is_recognised() {
    let bytes = fixture("RUSTSEC-2020-0053.json");
    assert!(osv::is_informational(&bytes));
    let a = osv::parse_record(&bytes, "RUSTSEC-2020-0053.json").unwrap();
    assert_eq!(a.affected[0].package, "dirs");
}

#[test]
fn almalinux_label_from_summary_and_epoch_versions() {
    let a = record("ALSA-2026-0067.json");
    assert_eq!(a.id, "ALSA-2026:0067");
    assert_eq!(a.summary.as_deref(), Some("Moderate: tar security update"));
    assert_eq!(a.ratings, [rating(RatingKind::Label, "Moderate")]);
    // The CVE is in `related`, not `aliases`: an ALSA fixes CVEs, it is not one of them.
    assert!(a.aliases.is_empty());
    assert_eq!(a.references.len(), 4);
    let affected = &a.affected[0];
    assert_eq!(
        (affected.ecosystem.as_str(), affected.package.as_str()),
        ("almalinux:9", "tar")
    );
    assert_eq!(
        events(&affected.ranges[0]),
        (false, vec![intro("0"), fixed("2:1.34-9.el9_7")])
    );

    let bugfix = record("ALBA-2020-5502.json");
    assert!(bugfix.ratings.is_empty());
    assert!(bugfix.references.is_empty());
    assert_eq!(bugfix.affected[0].ecosystem, "almalinux:8");
}

#[test]
fn ghsa_database_specific_severity_is_a_label() {
    let a = record("GHSA-274c-rx2j-2v3x.json");
    assert_eq!(a.aliases, ["CVE-2022-47950"]);
    assert_eq!(
        a.ratings,
        [
            rating(
                RatingKind::CvssV3,
                "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"
            ),
            rating(RatingKind::Label, "MODERATE"),
        ]
    );
    assert_eq!(a.references.len(), 13);
    assert_eq!(a.affected.len(), 3);
    assert!(a.affected.iter().all(|x| x.package == "swift"));
    assert_eq!(
        events(&a.affected[1].ranges[0]),
        (false, vec![intro("2.29.0"), fixed("2.29.2")])
    );
    assert!(a.affected[1].versions.is_empty());
    assert_eq!(a.affected[2].versions, ["2.30.0"]);
}

#[test]
fn names_normalize_unknown_ecosystems_drop_references_cap() {
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture("GHSA-274c-rx2j-2v3x.json")).unwrap();
    value["affected"][0]["package"]["name"] = "Swift_Client".into();
    value["affected"][1]["package"]["ecosystem"] = "Hackage".into();
    value["aliases"] =
        serde_json::json!(["CVE-2022-47950", "GHSA-274c-rx2j-2v3x", "CVE-2022-47950"]);
    let refs: Vec<serde_json::Value> = (0..30)
        .map(|i| serde_json::json!({"type": "WEB", "url": format!("https://example.org/{i}")}))
        .collect();
    value["references"] = refs.into();
    value["summary"] = "x".repeat(1000).into();
    let a = osv::parse_record(&serde_json::to_vec(&value).unwrap(), "t.json").unwrap();
    assert_eq!(a.affected.len(), 2);
    assert_eq!(a.affected[0].package, "swift-client");
    assert_eq!(a.aliases, ["CVE-2022-47950"]);
    assert_eq!(a.references.len(), osv::MAX_REFERENCES);
    assert_eq!(
        a.summary.as_deref().unwrap().chars().count(),
        osv::MAX_SUMMARY_CHARS + 1
    );
}

#[test]
fn bad_records_are_errors_naming_the_file() {
    let e = osv::parse_record(b"{\"id\": \"GO-1\", \"affected\": 7}", "GO-1.json").unwrap_err();
    assert!(
        e.to_string().starts_with("GO-1.json: not an OSV record"),
        "{e}"
    );
    let e = osv::parse_record(b"{\"summary\": \"no id\"}", "x.json").unwrap_err();
    assert_eq!(e.to_string(), "x.json: record without an id");
    assert!(osv::parse_record(b"", "e.json").is_err());
    // Deep nesting: serde_json's recursion limit makes it an error where a value is built, and
    // unknown fields are skipped without recursion; never a stack overflow.
    let nest = |field: &str| {
        format!(
            "{{\"id\":\"A\",{field}{}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
    };
    let in_value = nest("\"database_specific\":{\"severity\":");
    assert!(osv::parse_record(in_value.as_bytes(), "deep.json").is_err());
    let unknown = nest("\"x\":{\"y\":");
    assert_eq!(
        osv::parse_record(unknown.as_bytes(), "deep.json")
            .unwrap()
            .id,
        "A"
    );
}

#[test]
fn zip_export_parses_every_record_and_skips_bad_ones() {
    let mut entries = fixture_entries();
    let cut = fixture("GO-2023-1840.json")[..300].to_vec();
    entries.push(("CUT-1.json".into(), cut));
    entries.push(("README.txt".into(), b"not a record".to_vec()));
    let zip = zip_of(&entries, zip::CompressionMethod::Deflated);
    let parsed = osv::parse_zip(&zip, "all.zip").unwrap();
    let ids: Vec<&str> = parsed.advisories.iter().map(|a| a.id.as_str()).collect();
    // In entry order; the informational RUSTSEC-2020-0053 is left out, uncounted.
    assert_eq!(
        ids,
        [
            "GO-2023-1840",
            "GO-2024-2442",
            "GO-2025-3428",
            "PYSEC-2022-15",
            "PYSEC-2022-42969",
            "PYSEC-2023-236",
            "RUSTSEC-2016-0001",
            "RUSTSEC-2021-0135",
            "RUSTSEC-2024-0445",
            "ALSA-2026:0067",
            "ALBA-2020:5502",
            "GHSA-274c-rx2j-2v3x",
        ]
    );
    assert_eq!(parsed.skipped, 1);
    assert!(
        parsed.problems[0].starts_with("CUT-1.json: not an OSV record"),
        "{:?}",
        parsed.problems
    );
    assert_eq!(parsed.advisories[4], record("PYSEC-2022-42969.json"));
}

#[test]
fn zip_export_in_parallel_chunks_keeps_entry_order() {
    let base = fixture_entries();
    let entries: Vec<(String, Vec<u8>)> = (0..700)
        .map(|i| {
            let (name, data) = &base[i % base.len()];
            (format!("{i:04}-{name}"), data.clone())
        })
        .collect();
    let parsed = osv::parse_zip(
        &zip_of(&entries, zip::CompressionMethod::Deflated),
        "all.zip",
    )
    .unwrap();
    // Every 13th entry (index 7 of the fixtures) is the informational notice.
    let expected: Vec<String> = (0..700)
        .filter(|i| i % base.len() != 7)
        .map(|i| {
            base[i % base.len()]
                .0
                .trim_end_matches(".json")
                .replace("ALSA-2026-", "ALSA-2026:")
        })
        .collect();
    let ids: Vec<String> = parsed.advisories.iter().map(|a| a.id.clone()).collect();
    assert_eq!(parsed.skipped, 0);
    assert_eq!(ids, expected);
}

#[test]
fn oversized_record_is_skipped() {
    let mut entries = fixture_entries()[..1].to_vec();
    let big = vec![b' '; osv::MAX_RECORD_BYTES as usize + 10];
    entries.push(("BIG-1.json".into(), big));
    let parsed = osv::parse_zip(
        &zip_of(&entries, zip::CompressionMethod::Deflated),
        "all.zip",
    )
    .unwrap();
    assert_eq!(parsed.advisories.len(), 1);
    assert_eq!(parsed.skipped, 1);
    assert!(parsed.problems[0].starts_with("BIG-1.json: larger than"));
}

#[test]
fn truncated_or_corrupt_zip_is_an_error_for_the_file() {
    let zip = zip_of(&fixture_entries(), zip::CompressionMethod::Deflated);
    for cut in [zip.len() / 2, zip.len() - 10, 30, 0] {
        let e = osv::parse_zip(&zip[..cut], "osv/Go/all.zip").unwrap_err();
        assert!(e.to_string().starts_with("osv/Go/all.zip: "), "{e}");
    }
    assert!(osv::parse_zip(b"PK\x05\x06 not a zip", "x.zip").is_err());

    // A changed byte inside a stored record: its CRC no longer matches.
    let mut stored = zip_of(&fixture_entries(), zip::CompressionMethod::Stored);
    let at = stored
        .windows(14)
        .position(|w| w == b"CVE-2023-29403")
        .unwrap();
    stored[at + 4] = b'9';
    let e = osv::parse_zip(&stored, "all.zip").unwrap_err();
    assert!(e.to_string().contains("GO-2023-1840.json"), "{e}");

    // A damaged deflate stream.
    let mut deflated = zip.clone();
    let middle = 200;
    for b in &mut deflated[middle..middle + 40] {
        *b ^= 0x5a;
    }
    assert!(osv::parse_zip(&deflated, "all.zip").is_err());
}

#[test]
fn cvss_scores_of_known_vectors() {
    let s = cvss::score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
    assert_eq!(
        (s.version.as_str(), s.score, s.severity),
        ("3.1", 9.8, Severity::Critical)
    );
    // RUSTSEC-2016-0001's vector (NVD: 8.1 high for CVE-2016-10931).
    let s = cvss::score("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
    assert_eq!(
        (s.version.as_str(), s.score, s.severity),
        ("3.0", 8.1, Severity::High)
    );
    let s = cvss::score("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N").unwrap();
    assert_eq!((s.score, s.severity), (3.1, Severity::Low));
    let s = cvss::score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N").unwrap();
    assert_eq!((s.score, s.severity), (0.0, Severity::Info));

    // FIRST's v4.0 calculator: 9.3 for the all-high network vector.
    let s = cvss::score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").unwrap();
    assert_eq!(
        (s.version.as_str(), s.score, s.severity),
        ("4.0", 9.3, Severity::Critical)
    );
    // CVE-2025-47273 (the cvss crate's own regression vector): 7.7.
    let s =
        cvss::score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N/E:P").unwrap();
    assert_eq!((s.score, s.severity), (7.7, Severity::High));

    // v2 (NVD): 7.5 and 10.0, both high; v2 has no critical band.
    let s = cvss::score("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap();
    assert_eq!(
        (s.version.as_str(), s.score, s.severity),
        ("2.0", 7.5, Severity::High)
    );
    for v in [
        "AV:N/AC:L/Au:N/C:C/I:C/A:C",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C",
        "(AV:N/AC:L/Au:N/C:C/I:C/A:C)",
    ] {
        let s = cvss::score(v).unwrap();
        assert_eq!(
            (s.version.as_str(), s.score, s.severity),
            ("2.0", 10.0, Severity::High),
            "{v}"
        );
    }
    let s = cvss::score("AV:L/AC:H/Au:M/C:N/I:P/A:N").unwrap();
    assert_eq!(s.severity, Severity::Low);
}

#[test]
fn cvss_garbage_is_none() {
    for v in [
        "",
        "   ",
        "CVSS:3.1",
        "CVSS:3.1/",
        "CVSS:3.1/AV:N",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:9.9/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N",
        "AV:N",
        "HIGH",
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:2.0/",
        "(",
        "()",
        "/",
        ":",
        "CVSS:/",
        "CVSS:3./AV:N",
    ] {
        assert_eq!(cvss::score(v), None, "{v:?}");
    }
    assert_eq!(cvss::score(&"CVSS:3.1/AV:N".repeat(200)), None);
}

mod props {
    use proptest::prelude::*;
    use seaworthy_vulndb::cvss;

    const VALID: &[&str] = &[
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:H",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H",
    ];

    proptest! {
        #[test]
        fn any_string_scores_without_panic(s in "\\PC{0,80}") {
            let _ = cvss::score(&s);
        }

        #[test]
        fn edited_vectors_score_in_range(
            which in 0..VALID.len(),
            cut in 0usize..120,
            insert in "[A-Za-z:/.0-9]{0,6}",
            at in 0usize..120,
        ) {
            let v = VALID[which];
            let cut = cut.min(v.len());
            let at = at.min(cut);
            let edited = format!("{}{}{}", &v[..at], insert, &v[at..cut]);
            if let Some(s) = cvss::score(&edited) {
                prop_assert!((0.0..=10.0).contains(&s.score));
            }
        }
    }
}
