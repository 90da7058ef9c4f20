//! `seaworthy assess` end to end on the real daemon: a fixture repository (Dockerfile, compose
//! file, seaworthy.toml with a valid and an expired waiver), its image built by `docker build`,
//! a running container, the host. One run writes every format; the expired waiver fails it
//! (exit 1), renewing it passes (exit 0), and a run against the first report as baseline finds
//! nothing new. The areas run in parallel: the whole run takes about as long as its slowest area.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

#[path = "support/assess_project.rs"]
mod assess_project;
#[path = "../../seaworthy-oci/tests/support/daemon_util.rs"]
mod daemon_util;

use std::path::Path;

use assess_project::{Project, WAIVER_RENEWED, stderr};
use serde_json::Value;

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema_errors(schema: &Path, doc: &Value) -> Vec<String> {
    let schema: Value = read_json(schema);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn area<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == name)
        .unwrap_or_else(|| panic!("no {name} area in {report:#}"))
}

fn gating_items(report: &Value) -> Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["items"].as_array().unwrap())
        .filter(|i| i["gating"] == true)
        .map(|i| serde_json::json!([i["rule_id"], i["message"], i["location"]]))
        .collect()
}

const ALL_FORMATS: &[&str] = &[
    "-o",
    "json=out/report.json",
    "-o",
    "sarif=out/report.sarif",
    "-o",
    "junit=out/junit.xml",
    "-o",
    "markdown=out/summary.md",
    "-o",
    "html=out/report.html",
    "-o",
    "table=out/report.txt",
];

#[test]
fn assess_gates_on_the_expired_waiver_then_passes_and_the_baseline_has_nothing_new() {
    let test = "assess_e2e";
    if !daemon_util::docker_ready(test) {
        return;
    }
    let project = Project::new("assess-e2e");
    let out_dir = project.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();

    // 1. The expired waiver fails the run, and says which one.
    let first = project.seaworthy(&[&["assess"][..], ALL_FORMATS].concat());
    let err = stderr(&first);
    assert_eq!(first.status.code(), Some(1), "{err}");
    assert!(
        err.contains("waiver for SW-CTR-5.{2,5} at seaworthy.toml:")
            && err.contains("expired on 2026-01-31"),
        "{err}"
    );
    assert!(
        err.contains("seaworthy: image: done"),
        "plain progress lines in CI: {err}"
    );

    let report = read_json(&out_dir.join("report.json"));
    let errors = schema_errors(&repo_file("docs/report-schema.json"), &report);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(report["kind"], "assessment");
    assert_eq!(report["passed"], false);
    let names: Vec<&str> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dockerfile", "image", "container", "host"]);
    assert_eq!(report["waivers"]["expired"][0]["id"], "SW-CTR-5.{2,5}");
    assert!(
        report["waivers"]["unused"].as_array().unwrap().is_empty(),
        "{:#}",
        report["waivers"]
    );

    // The image: linked to its Dockerfile, base-image vulnerabilities shown apart, the valid
    // waiver holds.
    let image = area(&report, "image");
    let items = image["items"].as_array().unwrap();
    let vulns: Vec<&Value> = items
        .iter()
        .filter(|i| i["kind"] == "vulnerability")
        .collect();
    assert!(
        !vulns.is_empty(),
        "the bookworm status has known vulnerabilities"
    );
    assert!(
        vulns.iter().all(|v| v["from_base"] == true
            && v["gating"] == false
            && v["origin"]["dockerfile"]["instruction"] == "FROM"),
        "{vulns:#?}"
    );
    let root = items
        .iter()
        .find(|i| i["rule_id"] == "SW-IMG-001")
        .expect("root user finding");
    assert_eq!(root["suppressed"]["kind"], "waiver");
    assert!(
        root["suppressed"]["source"]
            .as_str()
            .unwrap()
            .starts_with("seaworthy.toml:")
    );
    assert_eq!(image["status"], "pass", "{image:#}");
    assert!(image["layers"].as_array().unwrap().len() >= 2);

    // The container area: the compose file and the running container; the expired waiver's
    // finding is active again and gates.
    let container = area(&report, "container");
    let targets = container["targets"].as_array().unwrap();
    assert!(targets.iter().any(|t| t == "compose.yaml"), "{targets:?}");
    assert_eq!(
        targets.len(),
        2,
        "the compose file and the labelled container: {targets:?}"
    );
    let privileged = container["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule_id"] == "SW-CTR-5.5")
        .expect("privileged service");
    assert_eq!(privileged["location"]["path"], "compose.yaml");
    // The running container's packages are matched on the image area's scan of its image.
    let container_cves: Vec<&Value> = container["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["location"]["kind"] == "container"
                && i["rule_id"].as_str().unwrap().starts_with("CVE-")
        })
        .collect();
    let image_cves: std::collections::BTreeSet<&str> = vulns
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap())
        .collect();
    let seen: std::collections::BTreeSet<&str> = container_cves
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(seen, image_cves, "{container_cves:#?}");
    assert!(
        container_cves
            .iter()
            .all(|v| v["kind"] == "vulnerability" && v["vulnerability"]["package"].is_string()),
        "{container_cves:#?}"
    );
    assert!(privileged.get("suppressed").is_none());
    assert_eq!(privileged["gating"], true);
    assert_eq!(container["status"], "fail");
    // The host reports, it does not gate.
    let host = area(&report, "host");
    assert_eq!(host["mode"], "report");
    assert!(host["checks"].as_array().unwrap().len() >= 30);
    assert!(
        host["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["gating"] == false)
    );

    // Every other format, from the same run.
    let sarif = read_json(&out_dir.join("report.sarif"));
    let errors = schema_errors(
        &repo_file("crates/seaworthy-report/testdata/sarif-schema-2.1.0.json"),
        &sarif,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        sarif["runs"].as_array().unwrap().len(),
        4,
        "one run per area"
    );
    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), 4, "{junit}");
    let gating: u64 = report["summary"]["gating"].as_u64().unwrap();
    assert_eq!(junit.matches("<failure").count() as u64, gating, "{junit}");
    let markdown = std::fs::read_to_string(out_dir.join("summary.md")).unwrap();
    assert!(markdown.contains("SW-CTR-5.5"), "{markdown}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && !html.contains("<script src"),
        "self-contained HTML"
    );
    let table = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(
        table.contains("SW-CTR-5.5") && table.contains("expired"),
        "{table}"
    );
    std::fs::copy(
        out_dir.join("report.json"),
        project.path().join("baseline.json"),
    )
    .unwrap();

    // 2. Renewed, the waiver holds again: exit 0.
    project.write_config(WAIVER_RENEWED);
    let second = project.seaworthy(&["assess", "-f", "json", "-o", "out/second.json"]);
    let report2 = read_json(&out_dir.join("second.json"));
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}\ngating: {:#}",
        stderr(&second),
        gating_items(&report2)
    );
    assert_eq!(report2["passed"], true);
    assert!(report2["waivers"]["expired"].as_array().unwrap().is_empty());

    // 3. Against the first report: nothing new, nothing resolved, and every item has a change.
    let third = project.seaworthy(&[
        "assess",
        "--baseline",
        "baseline.json",
        "--fail-on-new",
        "-f",
        "json",
        "-o",
        "out/third.json",
    ]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    let report3 = read_json(&out_dir.join("third.json"));
    assert_eq!(report3["baseline"]["new"], 0, "{:#}", report3["baseline"]);
    assert_eq!(report3["summary"]["new"], 0);
    assert!(
        report3["baseline"]["resolved"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for a in report3["areas"].as_array().unwrap() {
        for i in a["items"].as_array().unwrap() {
            assert!(
                i.get("suppressed").is_some() || i["change"] == "unchanged",
                "{i:#}"
            );
        }
    }

    // 4. The base named by reference instead of through the Dockerfile: the same layers are
    // the base, found by comparing diff_ids.
    let config = std::fs::read_to_string(project.path().join("seaworthy.toml")).unwrap();
    // Without `ignore-base`: naming the base is enough for its items not to gate.
    let by_ref = config
        .replace(
            "dockerfile = \"Dockerfile\"",
            &format!("base-image = \"docker:{}\"", project.base.name),
        )
        .replace("ignore-base = true\n", "");
    assert_ne!(by_ref, config);
    std::fs::write(project.path().join("seaworthy.toml"), by_ref).unwrap();
    // `--fail-on low`: the base's vulnerabilities are above the threshold, so only the base
    // rule keeps them from gating.
    let fourth = project.seaworthy(&[
        "assess",
        "--skip",
        "dockerfile,container,host",
        "--fail-on",
        "low",
        "-f",
        "json",
    ]);
    assert!(
        matches!(fourth.status.code(), Some(0 | 1)),
        "{}",
        stderr(&fourth)
    );
    let report4: Value = serde_json::from_slice(&fourth.stdout).unwrap();
    let image4 = area(&report4, "image");
    let layers = image4["layers"].as_array().unwrap();
    assert_eq!(layers[0]["from_base"], true, "{layers:#?}");
    assert!(
        layers[1..].iter().all(|l| l["from_base"].is_null()),
        "{layers:#?}"
    );
    let vulns4: Vec<&Value> = image4["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "vulnerability")
        .collect();
    assert_eq!(vulns4.len(), vulns.len());
    assert!(
        vulns4.iter().any(|v| v["severity"] != "info"),
        "{vulns4:#?}"
    );
    assert!(
        vulns4
            .iter()
            .all(|v| v["from_base"] == true && v["gating"] == false)
    );

    // The areas ran side by side: the run took no longer than its slowest area plus 20%
    // (and a little for loading the config and writing the report).
    let slowest = report3["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["duration_ms"].as_u64().unwrap())
        .max()
        .unwrap();
    let total = report3["duration_ms"].as_u64().unwrap();
    eprintln!("{test}: assess {total} ms, slowest area {slowest} ms");
    assert!(
        total as f64 <= slowest as f64 * 1.2 + 100.0,
        "assess took {total} ms, slowest area {slowest} ms"
    );
}
