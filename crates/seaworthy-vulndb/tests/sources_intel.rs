//! The advisory-intelligence feeds on real excerpts (testdata/intel, see its SOURCES.md): NVD
//! CVE 2.0 feeds, CISA's KEV catalogue and FIRST's EPSS scores; hostile and broken inputs; and
//! a database built from them read back through `Store::cve_intel`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use seaworthy_vulndb::RatingKind;
use seaworthy_vulndb::import::{self, FeedKind};
use seaworthy_vulndb::sources::{epss, kev, nvd};
use seaworthy_vulndb::store::Store;

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/intel")
        .join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(testdata(p)).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn nvd_records_keep_ratings_with_their_source_cwes_and_description() {
    let plain = nvd::parse(&read("nvdcve-2.0-sample.json"), "nvdcve-2.0-sample.json").unwrap();
    let gz = nvd::parse(
        &gzip(&read("nvdcve-2.0-sample.json")),
        "nvdcve-2.0-sample.json.gz",
    )
    .unwrap();
    assert_eq!(plain.intel.nvd, gz.intel.nvd);
    assert_eq!(plain.skipped, 0, "{:?}", plain.problems);
    let ids: Vec<&str> = plain.intel.nvd.iter().map(|r| r.cve.as_str()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2018-16487",
            "CVE-2020-1747",
            "CVE-2023-24540",
            "CVE-2023-45284"
        ]
    );
    let lodash = &plain.intel.nvd[0];
    assert_eq!(lodash.published.as_deref(), Some("2019-02-01T18:29:00.943"));
    assert_eq!(
        lodash.last_modified.as_deref(),
        Some("2026-06-17T01:44:22.880")
    );
    assert_eq!(lodash.ratings.len(), 2);
    assert_eq!(lodash.ratings[0].kind, RatingKind::CvssV3);
    assert_eq!(lodash.ratings[0].version, "3.1");
    assert_eq!(
        lodash.ratings[0].vector,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L"
    );
    assert_eq!(lodash.ratings[0].source, "nvd");
    assert!(lodash.ratings[0].primary);
    assert_eq!(lodash.ratings[1].kind, RatingKind::CvssV2);
    assert_eq!(lodash.ratings[1].version, "2.0");
    assert_eq!(lodash.ratings[1].vector, "AV:N/AC:M/Au:N/C:P/I:P/A:P");
    // NVD-CWE-noinfo is no CWE id.
    assert_eq!(lodash.cwes, ["CWE-400"]);
    assert!(
        lodash
            .description
            .as_deref()
            .unwrap()
            .starts_with("A prototype pollution vulnerability was found in lodash")
    );

    // Red Hat's secondary rating and NVD's primary one, in the record's order.
    let pyyaml = &plain.intel.nvd[1];
    let who: Vec<(&str, bool, &str)> = pyyaml
        .ratings
        .iter()
        .map(|r| (r.source.as_str(), r.primary, r.version.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("secalert@redhat.com", false, "3.1"),
            ("nvd", true, "3.1"),
            ("nvd", true, "2.0")
        ]
    );
    assert_eq!(pyyaml.cwes, ["CWE-20"], "duplicates are kept once");

    // A CNA known by its UUID.
    let go = &plain.intel.nvd[2];
    assert!(
        go.ratings
            .iter()
            .any(|r| r.source == "134c704f-9b21-4f2e-91b3-4a467353bcc0" && !r.primary)
    );
    assert_eq!(go.cwes, ["CWE-77"]);

    // Not analysed yet: kept, without a rating.
    let received = &plain.intel.nvd[3];
    assert!(received.ratings.is_empty());
    assert!(received.description.is_some());
}

#[test]
fn nvd_malformed_records_are_skipped_and_broken_files_named() {
    let long = "x".repeat(10_000);
    let doc = serde_json::json!({
        "format": "NVD_CVE",
        "vulnerabilities": [
            {"cve": {"id": "CVE-2024-0001", "descriptions": [{"lang": "en", "value": long}],
                     "metrics": {"cvssMetricV31": [
                         {"source": "nvd@nist.gov", "type": "Primary",
                          "cvssData": {"version": "3.1", "vectorString": "not a vector"}},
                         {"source": "x", "type": "Secondary", "cvssData": 7},
                         {"source": "cna@example.org", "type": "Secondary",
                          "cvssData": {"version": "3.1",
                                       "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}
                     ], "cvssMetricV40": {"not": "a list"}},
                     "weaknesses": "none", "configurations": [{"nodes": []}]}},
            {"cve": {"id": 42}},
            {"cve": "CVE-2024-0002"},
            7,
            {"cve": {"id": "cve-2024-0003", "id": "CVE-2024-0004", "unknown": {"deep": [[[]]]}}},
        ],
        "extra": true
    });
    let parsed = nvd::parse(doc.to_string().as_bytes(), "f.json").unwrap();
    assert_eq!(parsed.skipped, 3, "{:?}", parsed.problems);
    assert!(parsed.problems[0].starts_with("vulnerabilities[1]: "));
    let r = &parsed.intel.nvd[0];
    assert_eq!(r.cve, "CVE-2024-0001");
    assert!(r.description.as_ref().unwrap().len() <= 1024 + 3);
    assert_eq!(r.ratings.len(), 1, "{:?}", r.ratings);
    assert_eq!(r.ratings[0].source, "cna@example.org");
    assert!(r.cwes.is_empty());
    // A repeated key: the last one counts.
    assert_eq!(parsed.intel.nvd[1].cve, "CVE-2024-0004");

    let sample = gzip(&read("nvdcve-2.0-sample.json"));
    for (bytes, what) in [
        (
            &b"{\"format\": \"NVD_CVE\", \"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-"[..],
            "ends early",
        ),
        (&b"[1, 2]"[..], "unexpected shape"),
        (
            &b"{\"format\": \"NVD_CVE\"}"[..],
            "no `vulnerabilities` array",
        ),
        (
            &b"{\"vulnerabilities\": {\"secret-token\": 1}}"[..],
            "unexpected shape",
        ),
        (&sample[..sample.len() / 2], "gzip"),
        (&b"{} trailing secret-token"[..], "not valid JSON"),
    ] {
        let err = nvd::parse(bytes, "nvdcve-2.0-2024.json.gz").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("nvdcve-2.0-2024.json.gz: "), "{text}");
        assert!(text.contains(what), "{text}");
        assert!(!text.contains("secret-token"), "quotes the file: {text}");
    }
}

#[test]
fn kev_entries_keep_dates_ransomware_and_name() {
    let parsed = kev::parse(
        &read("known_exploited_vulnerabilities.json"),
        "known_exploited_vulnerabilities.json",
    )
    .unwrap();
    assert_eq!(parsed.skipped, 0);
    assert_eq!(parsed.intel.kev.len(), 4);
    let log4shell = parsed
        .intel
        .kev
        .iter()
        .find(|(cve, _)| cve == "CVE-2021-44228")
        .map(|(_, e)| e)
        .unwrap();
    assert_eq!(log4shell.date_added, "2021-12-10");
    assert_eq!(log4shell.due_date, "2021-12-24");
    assert_eq!(
        log4shell.name.as_deref(),
        Some("Apache Log4j2 Remote Code Execution Vulnerability")
    );
    let ransomware: Vec<&str> = parsed
        .intel
        .kev
        .iter()
        .filter(|(_, e)| e.ransomware)
        .map(|(cve, _)| cve.as_str())
        .collect();
    assert_eq!(ransomware, ["CVE-2021-44228", "CVE-2025-49704"]);
    assert!(
        parsed
            .intel
            .meta
            .contains(&("kev_catalog_version".into(), "2025.08.25".into()))
    );

    let doc = serde_json::json!({"catalogVersion": "1", "vulnerabilities": [
        {"cveID": "CVE-2024-1111", "dateAdded": "2024-01-01", "dueDate": "2024-01-22",
         "knownRansomwareCampaignUse": "Unknown"},
        {"cveID": "not-a-cve", "dateAdded": "2024-01-01", "dueDate": "2024-01-22"},
        {"cveID": "CVE-2024-2222"},
        "text"
    ]});
    let parsed = kev::parse(doc.to_string().as_bytes(), "kev.json").unwrap();
    assert_eq!(parsed.intel.kev.len(), 1);
    assert!(!parsed.intel.kev[0].1.ransomware);
    assert_eq!(parsed.skipped, 3);
    for bad in [
        &b"{\"vulnerabilities\": 1}"[..],
        b"[]",
        b"{\"catalogVersion\": \"1\"",
    ] {
        let err = kev::parse(bad, "kev.json").unwrap_err().to_string();
        assert!(err.starts_with("kev.json: "), "{err}");
    }
}

#[test]
fn epss_scores_and_their_date_gzip_or_plain() {
    let plain = epss::parse(&read("epss_scores-sample.csv"), "epss.csv").unwrap();
    let gz = epss::parse(&gzip(&read("epss_scores-sample.csv")), "epss.csv.gz").unwrap();
    assert_eq!(plain.intel.epss, gz.intel.epss);
    assert_eq!(plain.skipped, 0, "{:?}", plain.problems);
    assert_eq!(plain.intel.epss.len(), 6);
    let (cve, score) = &plain.intel.epss[5];
    assert_eq!(cve, "CVE-2024-3400");
    assert_eq!(score.score, 0.95732);
    assert_eq!(score.percentile, 0.99721);
    assert_eq!(
        plain.intel.meta,
        [
            ("epss_model_version".to_string(), "v2025.03.14".to_string()),
            (
                "epss_score_date".to_string(),
                "2026-05-18T00:00:00Z".to_string()
            ),
        ]
    );

    let long = "9".repeat(5000);
    let text = format!(
        "#model_version:v1,score_date:2025-01-01T00:00:00Z\ncve,epss,percentile\r\n\
         CVE-2021-44228,0.94358,0.99956\r\n\
         CVE-2021-0001,1.5,0.5\nCVE-2021-0002,NaN,0.5\nCVE-2021-0003,inf,0.5\n\
         CVE-2021-0004,0.1,-0.1\nCVE-2021-0005,0.1\nCVE-2021-0006,0.1,0.2,0.3\n\
         secret-token,0.1,0.1\nCVE-2021-0007,{long}\nNOT-UTF8\n\nCVE-2021-0008,0,1"
    );
    let bytes = text.replace("NOT-UTF8", "\u{1}").into_bytes();
    let bytes: Vec<u8> = bytes
        .into_iter()
        .map(|b| if b == 1 { 0xff } else { b })
        .collect();
    let parsed = epss::parse(&bytes, "epss.csv").unwrap();
    let kept: Vec<&str> = parsed.intel.epss.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(kept, ["CVE-2021-44228", "CVE-2021-0008"]);
    assert_eq!(parsed.skipped, 9, "{:?}", parsed.problems);
    assert!(parsed.problems.iter().all(|p| !p.contains("secret-token")));
    assert!(parsed.problems.iter().any(|p| p.contains("longer than")));

    let sample = gzip(&read("epss_scores-sample.csv"));
    for (bytes, what) in [
        (&b"cve,score\nCVE-2021-44228,0.9"[..], "header"),
        (&b""[..], "no `cve,epss,percentile` header"),
        (
            &b"#model_version:v1\n"[..],
            "no `cve,epss,percentile` header",
        ),
        (&sample[..sample.len() - 12], "truncated or corrupt gzip"),
    ] {
        let err = epss::parse(bytes, "epss.csv.gz").unwrap_err().to_string();
        assert!(err.starts_with("epss.csv.gz: "), "{err}");
        assert!(err.contains(what), "{err}");
    }
}

#[test]
fn feeds_are_recognised_by_content() {
    let tmp = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases = [
        (
            put("nvdcve-2.0-2024.json.gz", &gzip(&read("nvdcve-2.0-sample.json"))),
            Some(FeedKind::Nvd),
            "nvd:2024",
        ),
        (
            put("nvdcve-2.0-modified.json", &read("nvdcve-2.0-sample.json")),
            Some(FeedKind::Nvd),
            "nvd:modified",
        ),
        (
            put(
                "known_exploited_vulnerabilities.json",
                &read("known_exploited_vulnerabilities.json"),
            ),
            Some(FeedKind::Kev),
            "cisa-kev",
        ),
        (
            put(
                "epss_scores-current.csv.gz",
                &gzip(&read("epss_scores-sample.csv")),
            ),
            Some(FeedKind::Epss),
            "epss",
        ),
        (
            put("scores.csv", &read("epss_scores-sample.csv")),
            Some(FeedKind::Epss),
            "epss",
        ),
        // KEV's JSON schema names the same properties: not a feed.
        (
            put(
                "known_exploited_vulnerabilities_schema.json",
                br#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"catalogVersion": {"type": "string"}, "vulnerabilities": {"type": "array"}}}"#,
            ),
            None,
            "",
        ),
    ];
    for (path, kind, name) in cases {
        let found = import::detect(&path).unwrap();
        assert_eq!(found, kind, "{}", path.display());
        if let Some(kind) = found {
            assert_eq!(import::source_name(kind, &path), name);
        }
    }
}

#[test]
fn cve_intel_reads_back_ratings_kev_and_epss() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("feeds");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("nvdcve-2.0-2024.json.gz"),
        gzip(&read("nvdcve-2.0-sample.json")),
    )
    .unwrap();
    // The modified feed holds a newer record of one CVE, and an older one of another.
    let mut modified: serde_json::Value =
        serde_json::from_slice(&read("nvdcve-2.0-sample.json")).unwrap();
    let records = modified["vulnerabilities"].as_array_mut().unwrap();
    records[0]["cve"]["lastModified"] = "2030-01-01T00:00:00.000".into();
    records[0]["cve"]["descriptions"][0]["value"] = "newer".into();
    records[1]["cve"]["lastModified"] = "2000-01-01T00:00:00.000".into();
    records[1]["cve"]["descriptions"][0]["value"] = "older".into();
    std::fs::write(dir.join("nvdcve-2.0-modified.json"), modified.to_string()).unwrap();
    std::fs::copy(
        testdata("known_exploited_vulnerabilities.json"),
        dir.join("known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    // EPSS for a CVE NVD knows: a line added to the real excerpt.
    let mut csv = read("epss_scores-sample.csv");
    csv.extend_from_slice(b"CVE-2020-1747,0.01,0.5\n");
    std::fs::write(dir.join("epss_scores-current.csv.gz"), gzip(&csv)).unwrap();

    let db = tmp.path().join("vuln.db");
    let feeds = import::discover(&[dir]).unwrap();
    assert_eq!(feeds.len(), 4);
    let summary = import::build(&db, &feeds, "2026-12-07T00:00:00Z", &|_, _| {}).unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!((summary.nvd, summary.kev, summary.epss), (8, 4, 7));
    assert_eq!(summary.advisories, 0);

    let store = Store::open(&db).unwrap();
    let status = store.status().unwrap();
    assert_eq!((status.nvd, status.kev, status.epss), (4, 4, 7));
    assert_eq!(
        status.epss_score_date.as_deref(),
        Some("2026-05-18T00:00:00Z")
    );
    assert_eq!(status.epss_model_version.as_deref(), Some("v2025.03.14"));
    assert_eq!(status.kev_catalog_version.as_deref(), Some("2025.08.25"));
    let names: Vec<&str> = status.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["cisa-kev", "epss", "nvd:2024", "nvd:modified"]);

    let lodash = store.cve_intel("cve-2018-16487").unwrap().unwrap();
    assert_eq!(lodash.description.as_deref(), Some("newer"));
    assert_eq!(lodash.nvd.len(), 2);
    assert_eq!(lodash.nvd[0].source, "nvd");
    assert!(lodash.nvd[0].primary);
    assert_eq!(lodash.cwes, ["CWE-400"]);
    assert!(lodash.kev.is_none() && lodash.epss.is_none());

    let pyyaml = store.cve_intel("CVE-2020-1747").unwrap().unwrap();
    assert_ne!(pyyaml.description.as_deref(), Some("older"));
    assert!(
        pyyaml
            .nvd
            .iter()
            .any(|r| r.source == "secalert@redhat.com" && !r.primary)
    );
    let epss = pyyaml.epss.unwrap();
    assert_eq!((epss.score, epss.percentile), (0.01, 0.5));

    let log4shell = store.cve_intel("CVE-2021-44228").unwrap().unwrap();
    assert!(log4shell.nvd.is_empty());
    let kev = log4shell.kev.unwrap();
    assert_eq!(
        (kev.date_added.as_str(), kev.ransomware),
        ("2021-12-10", true)
    );
    assert!(
        !store
            .cve_intel("CVE-2023-4911")
            .unwrap()
            .unwrap()
            .kev
            .unwrap()
            .ransomware
    );
    assert!(
        store
            .cve_intel("CVE-2025-49704")
            .unwrap()
            .unwrap()
            .kev
            .unwrap()
            .ransomware
    );
    let pan = store.cve_intel("CVE-2024-3400").unwrap().unwrap();
    assert_eq!(pan.epss.unwrap().score, 0.95732);

    assert!(store.cve_intel("CVE-1900-0001").unwrap().is_none());
    assert!(store.cve_intel("GHSA-xxxx-yyyy-zzzz").unwrap().is_none());
}

#[test]
fn a_broken_intel_feed_is_left_out_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("feeds");
    std::fs::create_dir(&dir).unwrap();
    let sample = gzip(&read("nvdcve-2.0-sample.json"));
    std::fs::write(
        dir.join("nvdcve-2.0-2023.json.gz"),
        &sample[..sample.len() / 2],
    )
    .unwrap();
    std::fs::write(dir.join("nvdcve-2.0-2024.json.gz"), &sample).unwrap();
    std::fs::copy(
        testdata("known_exploited_vulnerabilities.json"),
        dir.join("known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    let db = tmp.path().join("vuln.db");
    let feeds = import::discover(&[dir]).unwrap();
    let summary = import::build(&db, &feeds, "2026-12-07T00:00:00Z", &|_, _| {}).unwrap();
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    assert!(summary.failed[0].contains("nvdcve-2.0-2023.json.gz"));
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!((status.nvd, status.kev), (4, 4));

    // Nothing readable at all: an error, and the database stays as it was.
    let before = std::fs::read(&db).unwrap();
    let broken: Vec<_> = feeds
        .iter()
        .filter(|f| f.name == "nvd:2023")
        .cloned()
        .collect();
    let err = import::build(&db, &broken, "2026-12-08T00:00:00Z", &|_, _| {}).unwrap_err();
    assert!(err.is_input_error());
    assert!(err.to_string().contains("nvdcve-2.0-2023.json.gz"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
