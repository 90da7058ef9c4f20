//! The assess SARIF: one run per area, valid against the official 2.1.0 schema and GitHub's
//! upload rules; every result at a physical location, images, hosts and containers also at
//! logical ones.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{crate_dir, schema_errors};
use seaworthy_report::assess::{AreaKind, Assessment, SourceLine, render_sarif};
use seaworthy_report::sarif_upload::github_upload_problems;
use serde_json::Value;

fn sarif(a: &Assessment) -> Value {
    serde_json::from_str(&render_sarif(a)).expect("valid JSON")
}

fn schema() -> std::path::PathBuf {
    crate_dir().join("testdata/sarif-schema-2.1.0.json")
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(render_sarif(&common::assess::assessment()));
}

#[test]
fn validates_against_the_sarif_2_1_0_schema() {
    let a = common::assess::assessment();
    let errors = schema_errors(&schema(), &sarif(&a));
    assert!(errors.is_empty(), "{errors:#?}");
    // The validation has teeth.
    let mut bad = sarif(&a);
    bad["runs"][1]["results"][0]["baselineState"] = "changed".into();
    assert_eq!(schema_errors(&schema(), &bad).len(), 1);
    // An assessment of no area is a valid log with no runs.
    let mut empty = a.clone();
    empty.areas.clear();
    empty.finish();
    let errors = schema_errors(&schema(), &sarif(&empty));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn one_run_per_area_with_its_automation_id() {
    let a = common::assess::assessment();
    let log = sarif(&a);
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), a.areas.len());
    for (run, area) in runs.iter().zip(&a.areas) {
        let id = format!("seaworthy/{}/", area.area.as_str());
        assert_eq!(run["automationDetails"]["id"], id.as_str());
        assert_eq!(run["tool"]["driver"]["name"], "seaworthy");
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), area.items.len(), "{id}");
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for (r, item) in results.iter().zip(&area.items) {
            let rule = &rules[r["ruleIndex"].as_u64().expect("index") as usize];
            assert_eq!(rule["id"], r["ruleId"]);
            assert_eq!(
                r["partialFingerprints"]["seaworthy/assess/v1"],
                item.fingerprint.as_str()
            );
            let score: f64 = rule["properties"]["security-severity"]
                .as_str()
                .expect("a score")
                .parse()
                .expect("a number");
            assert!((0.0..=10.0).contains(&score));
            assert_eq!(r["suppressions"].is_array(), item.is_waived(), "{r:#}");
            assert!(r["baselineState"].is_string());
        }
    }
}

/// Issue 19 item 6: every result has a repository-relative physical location (GitHub code
/// scanning rejects results without one); image, host and container items keep a logical one.
#[test]
fn every_result_is_physical_and_other_targets_also_logical() {
    let mut a = common::assess::assessment();
    let host_line = SourceLine {
        path: "seaworthy.toml".to_string(),
        line: Some(14),
    };
    let image_line = SourceLine {
        path: "seaworthy.toml".to_string(),
        line: Some(5),
    };
    for area in &mut a.areas {
        match area.area {
            AreaKind::Host => area.declared_at = Some(host_line.clone()),
            AreaKind::Image => {
                area.target_declared_at.insert(
                    "registry.example.com/shop/api:1.4.2".to_string(),
                    image_line.clone(),
                );
            }
            _ => {}
        }
    }
    let log = sarif(&a);
    let problems = github_upload_problems(&log);
    assert!(problems.is_empty(), "{problems:#?}");
    for (run, area) in log["runs"].as_array().expect("runs").iter().zip(&a.areas) {
        for (r, item) in run["results"]
            .as_array()
            .expect("results")
            .iter()
            .zip(&area.items)
        {
            let loc = &r["locations"][0];
            let physical = &loc["physicalLocation"];
            match &item.finding.location {
                seaworthy_core::Location::File { span, .. } => {
                    let region = &physical["region"];
                    assert_eq!(region["startLine"], span.start.line);
                    assert_eq!(region["startColumn"], span.start.column);
                    assert!(region["endLine"].is_u64() && region["endColumn"].is_u64());
                    assert!(loc["logicalLocations"].is_null());
                }
                seaworthy_core::Location::Image { .. } => {
                    assert!(
                        loc["logicalLocations"][0]["fullyQualifiedName"]
                            .as_str()
                            .expect("a name")
                            .starts_with("registry.example.com/shop/api:1.4.2")
                    );
                    // The Dockerfile line when known, else the config line naming the image.
                    let known = item
                        .finding
                        .origin
                        .as_ref()
                        .and_then(|o| o.dockerfile.as_ref());
                    match known {
                        Some(d) => assert_eq!(physical["region"]["startLine"], d.line),
                        None => {
                            assert_eq!(physical["artifactLocation"]["uri"], "seaworthy.toml");
                            assert_eq!(physical["region"]["startLine"], 5);
                        }
                    }
                }
                seaworthy_core::Location::Host { .. } => {
                    assert_eq!(physical["artifactLocation"]["uri"], "seaworthy.toml");
                    assert_eq!(physical["region"]["startLine"], 14);
                    assert!(loc["logicalLocations"][0]["fullyQualifiedName"].is_string());
                }
                seaworthy_core::Location::Container { container, .. } => {
                    // No configuration line in the fixture: a stand-in path.
                    assert_eq!(
                        physical["artifactLocation"]["uri"],
                        format!("containers/{container}")
                    );
                    assert!(loc["logicalLocations"][0]["fullyQualifiedName"].is_string());
                }
            }
        }
    }
    // Without any declaration the fixture still uploads (stand-ins).
    let plain = sarif(&common::assess::assessment());
    let problems = github_upload_problems(&plain);
    assert!(problems.is_empty(), "{problems:#?}");
    // The compose finding points into compose.yaml.
    let container = &log["runs"][2];
    assert_eq!(
        container["automationDetails"]["id"],
        format!("seaworthy/{}/", AreaKind::Container.as_str())
    );
    assert_eq!(
        container["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "compose.yaml"
    );
}

#[test]
fn waivers_and_baseline_state() {
    let log = sarif(&common::assess::assessment());
    let image = &log["runs"][1]["results"];
    let waived: Vec<&Value> = image
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(waived.len(), 2);
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        waived[0]["suppressions"][0]["justification"],
        "only affects -fstack-protector on AArch64 (seaworthy.toml:14)"
    );
    assert_eq!(image[0]["baselineState"], "new");
    assert_eq!(image[0]["level"], "error");
    let notes = &log["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(notes[1]["level"], "note");
    assert!(log["runs"][1]["invocations"][0]["toolConfigurationNotifications"].is_null());
    assert_eq!(
        log["runs"][1]["properties"]["resolved"][0]["rule_id"],
        "CVE-2023-31484"
    );
}
