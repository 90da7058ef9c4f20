//! `seaworthy db` and `seaworthy image` end to end: a database imported from the vulndb fixtures
//! (real advisories), an image the test builds, exit codes and formats.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/bookworm_py.rs"]
mod bookworm_py;
#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use bookworm_py::{image, import};
use cli_util::{code, run, stderr};
use std::path::Path;

#[test]
fn without_a_database_it_says_how_to_get_one() {
    let home = tempfile::tempdir().unwrap();
    let img = image(home.path());
    let out = run(&["image", &img], home.path());
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("seaworthy db update") && err.contains("db import"),
        "{err}"
    );
}

#[test]
fn image_findings_with_layers_statuses_and_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path());

    let out = run(&["image", &img, "--db", &db, "-f", "json"], home.path());
    // No vulnerability reaches high, but the image runs as root (SW-IMG-001, high).
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"SW-IMG-001") && rules.contains(&"SW-IMG-002"),
        "{rules:?}"
    );
    let matches = doc["matches"].as_array().unwrap();
    let ids: Vec<&str> = matches.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["CVE-2022-42969", "CVE-2026-27171"], "{doc:#}");
    let py = &matches[0];
    assert_eq!(py["package"]["name"], "py");
    assert_eq!(py["status"], "affected");
    assert_eq!(py["package"]["layer"]["index"], 1);
    assert!(
        py["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "PYSEC-2022-42969")
    );
    let zlib = &matches[1];
    assert_eq!(zlib["package"]["name"], "zlib1g");
    assert_eq!(zlib["status"], "no_dsa");
    assert_eq!(zlib["package"]["layer"]["index"], 0);
    assert_eq!(zlib["package"]["path"], "/var/lib/dpkg/status");

    // Gating: nothing rates either, so they are `unknown` and pass any threshold...
    let vulns_only = ["image", &img, "--db", &db, "--scanners", "vuln"];
    let out = run(
        &[&vulns_only[..], &["--fail-on", "info"]].concat(),
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("2 vulnerabilities of unknown severity (no source rates them)"),
        "{table}"
    );
    // ...unless the team says what they count as.
    let out = run(
        &[
            &vulns_only[..],
            &["--fail-on", "medium", "--unknown-severity", "medium"],
        ]
        .concat(),
        home.path(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("CVE-2026-27171") && table.contains("zlib1g"),
        "{table}"
    );
    assert!(table.contains("counted as medium at the gate"), "{table}");
    let out = run(
        &[&vulns_only[..], &["--unknown-severity", "unknown"]].concat(),
        home.path(),
    );
    assert_eq!(code(&out), 2, "unknown is no threshold: {}", stderr(&out));
    assert!(!table.contains('\u{1b}'), "no color into a pipe");
    // --ignore-unfixed: neither has a fixed version.
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "--fail-on",
            "medium",
            "--ignore-unfixed",
            "-f",
            "json",
        ],
        home.path(),
    );
    assert_eq!(code(&out), 1, "the root user still fails: {}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["matches"].as_array().unwrap().is_empty());
    assert_eq!(doc["summary"]["ignored_unfixed"], 2);
    // SARIF parses and holds both vulnerabilities and the image findings.
    let out = run(&["image", &img, "--db", &db, "-f", "sarif"], home.path());
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rule_ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rule_ids.iter().filter(|id| id.starts_with("CVE-")).count(),
        2,
        "{rule_ids:?}"
    );
    assert!(rule_ids.contains(&"SW-IMG-001"), "{rule_ids:?}");
}

#[test]
fn db_status_search_export_and_reimport() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let out = run(&["db", "status", "--db", &db, "-f", "json"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["schema_version"], 4);
    assert_eq!(status["advisories"], 10); // 9 CVE-list entries with packages + 1 OSV record

    let out = run(
        &["db", "search", "GHSA-w596-4wvx-j9j6", "--db", &db],
        home.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("PYSEC-2022-42969") && text.contains("last affected 1.11.0"),
        "{text}"
    );
    let out = run(&["db", "search", "zlib", "--db", &db], home.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("CVE-2026-27171"));

    let exported = home.path().join("portable.db");
    let out = run(
        &["db", "export", exported.to_str().unwrap(), "--db", &db],
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Import into the default location (XDG cache), then scan without --db.
    let out = run(&["db", "import", exported.to_str().unwrap()], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(home.path().join("cache/seaworthy/vuln.db").is_file());
    let out = run(&["db", "status"], home.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("debian-cve-list"));

    // Not a feed: exit 2, the database stays.
    let junk = home.path().join("junk.txt");
    std::fs::write(&junk, "hello").unwrap();
    let out = run(
        &["db", "import", junk.to_str().unwrap(), "--db", &db],
        home.path(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(Path::new(&db).is_file());
}

#[test]
fn waivers_vex_and_trivyignore_take_matches_out_of_the_gate() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path());
    // py: waived by its PYSEC alias with a glob; the root user (SW-IMG-001) by rule id; zlib1g:
    // an OpenVEX statement for its package URL, written by a security team.
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "vex = [\"zlib.vex.json\"]\n\n[[waiver]]\nid = \"PYSEC-2022-*\"\npackage = \"py\"\nreason = \"py is only a test dependency\"\nexpires = 2099-12-31\n\n\
         [[waiver]]\nid = \"SW-IMG-001\"\nreason = \"the entrypoint drops privileges\"\nexpires = \"2099-12-31\"\n\n\
         [[waiver]]\nid = \"CVE-1999-0001\"\nreason = \"stale\"\nexpires = 2099-12-31\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join("zlib.vex.json"),
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.invalid/vex/1",
            "author": "Example Security", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2026-27171"},
              "products": [{"@id": "pkg:deb/debian/zlib1g"}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "-f",
            "json",
            "--fail-on",
            "medium",
        ],
        home.path(),
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert!(doc["matches"].as_array().unwrap().is_empty(), "{doc:#}");
    let waived: Vec<(&str, &str, &str)> = doc["waived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["id"].as_str().unwrap(),
                w["waived"]["kind"].as_str().unwrap(),
                w["waived"]["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waived,
        [
            ("CVE-2022-42969", "waiver", "py is only a test dependency"),
            (
                "CVE-2026-27171",
                "vex",
                "vulnerable_code_not_in_execute_path"
            ),
        ]
    );
    assert_eq!(doc["summary"]["waived"], 2);
    let root = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "SW-IMG-001")
        .unwrap();
    assert_eq!(root["suppressed"]["kind"], "waiver");
    assert_eq!(root["suppressed"]["expires"], "2099-12-31");
    assert!(
        root["suppressed"]["source"]
            .as_str()
            .unwrap()
            .ends_with("seaworthy.toml:9"),
        "{root:#}"
    );
    assert_eq!(doc["summary"]["passed"], true, "{doc:#}");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // SARIF keeps waived results, marked as suppressed (code scanning closes them).
    let out = run(&["image", &img, "--db", &db, "-f", "sarif"], home.path());
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suppressed = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"][0]["kind"] == "external")
        .count();
    assert_eq!(suppressed, 3, "two matches and SW-IMG-001");

    // `seaworthy vex` turns the waived matches into OpenVEX that reads back as such.
    let out = run(
        &["vex", &img, "--db", &db, "-o", "out.vex.json"],
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let vex: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("out.vex.json")).unwrap()).unwrap();
    assert_eq!(vex["@context"], "https://openvex.dev/ns/v0.2.0");
    let statements: Vec<(&str, &str, &str)> = vex["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["vulnerability"]["name"].as_str().unwrap(),
                s["products"][0]["@id"].as_str().unwrap(),
                s["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statements.len(), 2, "{vex:#}");
    assert_eq!(statements[0].0, "CVE-2022-42969");
    assert!(statements[0].1.starts_with("pkg:pypi/py@1.11.0"), "{vex:#}");
    assert_eq!(
        vex["statements"][1]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(
        vex["statements"][0]["impact_statement"],
        "py is only a test dependency"
    );
    std::fs::remove_file(home.path().join("seaworthy.toml")).unwrap();
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "-f",
            "json",
            "--vex",
            "out.vex.json",
        ],
        home.path(),
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert!(doc["matches"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["summary"]["waived"], 2);

    // An expired waiver no longer waives and, over a finding that gates (SW-IMG-001 is high),
    // fails the run, naming itself.
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "[[waiver]]\nid = \"SW-IMG-001\"\nreason = \"the entrypoint drops privileges\"\nexpires = 2020-01-31\n",
    )
    .unwrap();
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "-f",
            "json",
            "--fail-on",
            "high",
        ],
        home.path(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("waiver for SW-IMG-001 at ")
            && stderr(&out).contains("seaworthy.toml:1 expired on 2020-01-31"),
        "{}",
        stderr(&out)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    assert_eq!(
        doc["summary"]["expired_waivers"].as_array().unwrap().len(),
        1
    );
    assert_eq!(doc["summary"]["passed"], false);

    // .trivyignore in the working directory works as it does for Trivy, exp: dates included.
    std::fs::remove_file(home.path().join("seaworthy.toml")).unwrap();
    std::fs::write(
        home.path().join(".trivyignore"),
        "# no fix upstream yet\nCVE-2026-27171 exp:2099-01-01\nCVE-2022-42969 exp:2020-01-01\n",
    )
    .unwrap();
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "-f",
            "json",
            "--fail-on",
            "critical",
        ],
        home.path(),
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    let active: Vec<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        active,
        ["CVE-2022-42969"],
        "the expired entry does not waive"
    );
    assert_eq!(doc["waived"][0]["waived"]["reason"], "no fix upstream yet");
    // Issue 19 item 3: the match it covered is below the threshold, so the expired entry is a
    // warning with its file:line, not a failure.
    assert_eq!(
        code(&out),
        0,
        "the expired .trivyignore entry over a match below the threshold: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("warning: waiver for CVE-2022-42969 at .trivyignore:3 expired"),
        "{}",
        stderr(&out)
    );
    assert_eq!(doc["summary"]["passed"], true);
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "-f",
            "json",
            "--fail-on",
            "info",
            "--unknown-severity",
            "info",
        ],
        home.path(),
    );
    assert_eq!(
        code(&out),
        1,
        "the expired .trivyignore entry over a match that gates fails the run: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("policy failed: waiver for CVE-2022-42969 at .trivyignore:3"),
        "{}",
        stderr(&out)
    );

    // A waiver without a reason is a configuration error (exit 2), named with its line.
    std::fs::remove_file(home.path().join(".trivyignore")).unwrap();
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "[[waiver]]\nid = \"CVE-2026-27171\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let out = run(&["image", &img, "--db", &db], home.path());
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("seaworthy.toml:1: waiver for CVE-2026-27171 has no reason"),
        "{}",
        stderr(&out)
    );
}

/// Issue 19 item 1: `--fail-on none` reports only, and the standalone command honours
/// `[image] mode = "report"` (the command line still wins).
#[test]
fn fail_on_none_and_image_mode_report_only() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path());
    let scan = |extra: &[&str]| {
        let mut args = vec!["image", img.as_str(), "--db", db.as_str(), "-f", "json"];
        args.extend_from_slice(extra);
        run(&args, home.path())
    };
    let out = scan(&["--fail-on", "info"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = scan(&["--fail-on", "none"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !doc["matches"].as_array().unwrap().is_empty(),
        "still reported"
    );
    assert_eq!(doc["summary"]["passed"], true);

    std::fs::write(
        home.path().join("seaworthy.toml"),
        "fail-on = \"info\"\n\n[image]\nmode = \"report\"\n",
    )
    .unwrap();
    let out = scan(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = scan(&["--fail-on", "info"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

/// Issue 19 item 2: `--scanners vuln` gates on vulnerabilities alone (the root user no longer
/// fails a run gated at high), `--scanners config` needs no database, and per-scanner
/// thresholds in `[image.scanner-fail-on]` gate each scanner apart.
#[test]
fn scanners_select_what_runs_and_each_has_its_own_threshold() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path());
    let scan = |extra: &[&str]| {
        let mut args = vec!["image", img.as_str(), "--db", db.as_str(), "-f", "json"];
        args.extend_from_slice(extra);
        let out = run(&args, home.path());
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        (code(&out), doc, stderr(&out))
    };
    // All scanners: the high root-user finding fails the run.
    let (code_all, doc, _) = scan(&[]);
    assert_eq!(code_all, 1);
    assert_eq!(
        doc["summary"]["scanners"],
        serde_json::json!(["vuln", "config", "secret", "trust"])
    );
    // Vulnerabilities only: two medium matches, nothing at high, exit 0; no image finding.
    let (c, doc, err) = scan(&["--scanners", "vuln"]);
    assert_eq!(c, 0, "{err}");
    assert_eq!(doc["matches"].as_array().unwrap().len(), 2);
    assert!(doc["findings"].as_array().unwrap().is_empty(), "{doc:#}");
    assert!(
        err.contains("not scanned for: config, secret, trust"),
        "{err}"
    );
    // Configuration only, without any database: the root user is found and gates.
    let out = run(
        &[
            "image",
            &img,
            "--db",
            "/nonexistent/vuln.db",
            "--scanners",
            "config",
        ],
        home.path(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("SW-IMG-001"), "{table}");
    assert!(table.contains("Vulnerabilities not looked for"), "{table}");
    // An unknown scanner is a usage error naming it.
    let out = run(&["image", &img, "--scanners", "sbom"], home.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown scanner `sbom`"),
        "{}",
        stderr(&out)
    );

    // Per-scanner thresholds: configuration reports only, vulnerabilities gate at medium.
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "[image]\nscanners = [\"vuln\", \"config\"]\nunknown-severity = \"medium\"\n\n[image.scanner-fail-on]\nconfig = \"none\"\nvuln = \"medium\"\n",
    )
    .unwrap();
    let (c, doc, _) = scan(&[]);
    assert_eq!(c, 1);
    assert_eq!(
        doc["summary"]["failing"], 2,
        "the two unrated matches, counted as medium, only"
    );
    assert_eq!(
        doc["summary"]["scanner_fail_on"]["config"],
        serde_json::Value::Null
    );
    assert_eq!(
        doc["summary"]["scanners"],
        serde_json::json!(["vuln", "config"])
    );
    // The command line's --fail-on decides for every scanner.
    let (c, doc, _) = scan(&["--fail-on", "high"]);
    assert_eq!(c, 1, "the root user gates again at high");
    assert!(doc["summary"].get("scanner_fail_on").is_none());
    let (c, _, _) = scan(&["--fail-on", "critical"]);
    assert_eq!(c, 0);
    // A bad threshold in the file is a usage error naming the scanner.
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "[image.scanner-fail-on]\nvuln = \"urgent\"\n",
    )
    .unwrap();
    let out = run(&["image", &img, "--db", &db], home.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`vuln`: unknown threshold"),
        "{}",
        stderr(&out)
    );
}
