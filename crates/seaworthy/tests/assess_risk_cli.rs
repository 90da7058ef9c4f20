//! `seaworthy assess` with `[image] fail-on-kev`, `fail-on-epss` and `unknown-severity`: the
//! image area gates as `seaworthy image` does. The database holds the vulndb fixtures' real
//! advisories (neither match is rated: both are `unknown`), a KEV catalogue listing one of them
//! and EPSS scores for the other.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/bookworm_py.rs"]
mod bookworm_py;
#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use bookworm_py::image;
use cli_util::{BIN, code, stderr, vulndb_testdata};
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// CVE-2026-27171 (zlib1g, base layer) is in KEV; CVE-2022-42969 (py, app layer) scores 0.7.
const KEV: &str = r#"{
  "title": "CISA Catalog of Known Exploited Vulnerabilities",
  "catalogVersion": "2026.01.01",
  "dateReleased": "2026-01-01T00:00:00.000Z",
  "count": 1,
  "vulnerabilities": [
    {
      "cveID": "CVE-2026-27171",
      "vendorProject": "zlib",
      "product": "zlib",
      "vulnerabilityName": "zlib Test Vulnerability",
      "dateAdded": "2026-01-01",
      "shortDescription": "test entry",
      "requiredAction": "Apply updates.",
      "dueDate": "2026-01-22",
      "knownRansomwareCampaignUse": "Known",
      "notes": "",
      "cwes": []
    }
  ]
}
"#;
const EPSS: &str = "#model_version:v2025.03.14,score_date:2026-01-01T00:00:00Z\n\
                    cve,epss,percentile\nCVE-2022-42969,0.7,0.99\n";

fn run(args: &[&str], home: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("NO_COLOR");
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .env("CI", "true")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(home);
    cmd.output().expect("run seaworthy")
}

fn import(home: &Path) -> String {
    let db = home.join("vuln.db");
    let kev = home.join("known_exploited_vulnerabilities.json");
    let epss = home.join("epss_scores-current.csv");
    std::fs::write(&kev, KEV).unwrap();
    std::fs::write(&epss, EPSS).unwrap();
    let cve = vulndb_testdata("debian/excerpts/CVE.list");
    let py = vulndb_testdata("osv/PYSEC-2022-42969.json");
    let out = run(
        &[
            "db",
            "import",
            cve.to_str().unwrap(),
            py.to_str().unwrap(),
            kev.to_str().unwrap(),
            epss.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    db.to_str().unwrap().to_string()
}

/// Runs `assess` with `[image]` holding the image, vulnerabilities only, and `extra` keys.
fn assess(home: &Path, db: &str, img: &str, extra: &str) -> (i32, Value) {
    assess_with(home, db, img, extra, &[])
}

/// [`assess`] with command-line `flags` too.
fn assess_with(home: &Path, db: &str, img: &str, extra: &str, flags: &[&str]) -> (i32, Value) {
    std::fs::write(
        home.join("seaworthy.toml"),
        format!("[image]\ntargets = [{img:?}]\nscanners = [\"vuln\"]\nfail-on = \"high\"\n{extra}"),
    )
    .unwrap();
    let out = run(
        &[&["assess", "--db", db, "-f", "json"][..], flags].concat(),
        home,
    );
    let code = code(&out);
    assert!(code == 0 || code == 1, "{code}: {}", stderr(&out));
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (code, doc)
}

fn image_area(doc: &Value) -> &Value {
    doc["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == "image")
        .expect("image area")
}

fn gating(doc: &Value) -> Vec<&str> {
    let mut ids: Vec<&str> = image_area(doc)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["gating"] == true)
        .map(|i| i["rule_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn image_risk_settings_gate_in_assess_as_in_image() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let db = import(home);
    let img = image(home);

    // Neither match is rated: both `unknown`, counted, with their KEV and EPSS facts; nothing
    // gates by default.
    let (code, doc) = assess(home, &db, &img, "");
    assert_eq!(code, 0, "{doc:#}");
    let area = image_area(&doc);
    assert_eq!(area["summary"]["unknown"], 2, "{doc:#}");
    assert_eq!(doc["summary"]["unknown"], 2);
    assert!(area.get("fail_on_kev").is_none());
    let items = area["items"].as_array().unwrap();
    let item = |id: &str| {
        items
            .iter()
            .find(|i| i["rule_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {doc:#}"))
    };
    let zlib = item("CVE-2026-27171");
    assert_eq!(zlib["severity"], "unknown");
    assert_eq!(zlib["vulnerability"]["severity_source"], "unrated");
    assert_eq!(zlib["vulnerability"]["kev"]["date_added"], "2026-01-01");
    assert_eq!(zlib["vulnerability"]["kev"]["ransomware"], true);
    let py = item("CVE-2022-42969");
    assert_eq!(py["vulnerability"]["epss"]["score"], 0.7);
    assert!(py["vulnerability"].get("kev").is_none());

    // fail-on-kev: the KEV match gates whatever its severity.
    let (code, doc) = assess(home, &db, &img, "fail-on-kev = true\n");
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(gating(&doc), ["CVE-2026-27171"]);
    assert_eq!(image_area(&doc)["fail_on_kev"], true);

    // fail-on-epss: at or above the threshold only.
    let (code, doc) = assess(home, &db, &img, "fail-on-epss = 0.71\n");
    assert_eq!(code, 0, "{doc:#}");
    let (code, doc) = assess(home, &db, &img, "fail-on-epss = 0.7\n");
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(gating(&doc), ["CVE-2022-42969"]);
    assert_eq!(image_area(&doc)["fail_on_epss"], 0.7);

    // unknown-severity: unrated matches count as that at the threshold.
    let (code, _) = assess(home, &db, &img, "unknown-severity = \"medium\"\n");
    assert_eq!(code, 0);
    let (code, doc) = assess(home, &db, &img, "unknown-severity = \"high\"\n");
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(gating(&doc), ["CVE-2022-42969", "CVE-2026-27171"]);
    assert_eq!(image_area(&doc)["unknown_severity"], "high");
    assert_eq!(image_area(&doc)["summary"]["unknown"], 2, "still unknown");

    // The same from the command line, over the configuration.
    let (code, doc) = assess_with(home, &db, &img, "", &["--fail-on-kev"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(gating(&doc), ["CVE-2026-27171"]);
    let (code, doc) = assess_with(
        home,
        &db,
        &img,
        "fail-on-epss = 0.9\n",
        &["--fail-on-epss", "0.7"],
    );
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(gating(&doc), ["CVE-2022-42969"]);
    let (code, doc) = assess_with(
        home,
        &db,
        &img,
        "unknown-severity = \"low\"\n",
        &["--unknown-severity", "critical"],
    );
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(image_area(&doc)["unknown_severity"], "critical");

    // Report mode: shown and warned about, never gating.
    let (code, doc) = assess(
        home,
        &db,
        &img,
        "fail-on-kev = true\nunknown-severity = \"critical\"\nmode = \"report\"\n",
    );
    assert_eq!(code, 0, "{doc:#}");
    assert!(gating(&doc).is_empty());
    assert_eq!(image_area(&doc)["status"], "warn");

    // The table marks the KEV match and says why it gates.
    std::fs::write(
        home.join("seaworthy.toml"),
        format!(
            "[image]\ntargets = [{img:?}]\nscanners = [\"vuln\"]\nfail-on = \"high\"\n\
             fail-on-kev = true\n"
        ),
    )
    .unwrap();
    let out = run(&["assess", "--db", &db], home);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("unknown KEV CVE-2026-27171") && table.contains("GATING (KEV)"),
        "{table}"
    );
    assert!(table.contains("fail-on high, fail-on-kev)"), "{table}");
}
