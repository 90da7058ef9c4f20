#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{crate_dir, render_fixture, render_with, report, schema_errors};
use seaworthy_core::{Location, Report, Severity};
use seaworthy_report::Format;
use serde_json::Value;

fn sarif(report: &Report) -> Value {
    serde_json::from_str(&render_with(report, Format::Sarif, false)).expect("valid JSON")
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(render_fixture(Format::Sarif));
}

#[test]
fn validates_against_the_sarif_2_1_0_schema() {
    let schema = crate_dir().join("testdata/sarif-schema-2.1.0.json");
    let errors = schema_errors(&schema, &sarif(&report()));
    assert!(errors.is_empty(), "{errors:#?}");
    let problems = seaworthy_report::sarif_upload::github_upload_problems(&sarif(&report()));
    assert!(problems.is_empty(), "{problems:#?}");
    // The validation has teeth.
    let mut bad = sarif(&report());
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    bad["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert_eq!(schema_errors(&schema, &bad).len(), 2);
    // An empty run is valid too.
    let empty = Report::new("0.1.0", Severity::High, vec![], vec![], vec![]);
    let errors = schema_errors(&schema, &sarif(&empty));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn rule_indexes_point_at_their_rules() {
    let log = sarif(&report());
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rules sorted by id, each once");
    for result in run["results"].as_array().expect("results") {
        match result["ruleIndex"].as_u64() {
            Some(i) => assert_eq!(rules[i as usize]["id"], result["ruleId"]),
            None => assert!(!ids.contains(&result["ruleId"].as_str().unwrap_or_default())),
        }
    }
}

#[test]
fn fingerprints_survive_line_moves() {
    let fingerprints = |r: &Report| -> Vec<Value> {
        sarif(r)["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let before = report();
    let mut moved = before.clone();
    for f in &mut moved.findings {
        let Location::File { span, .. } = &mut f.location else {
            continue;
        };
        span.start.line += 3;
        span.end.line += 3;
    }
    assert_eq!(fingerprints(&before), fingerprints(&moved));
    let all = fingerprints(&before);
    let mut unique = all.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(all.len(), unique.len(), "fingerprints are unique: {all:#?}");
}
