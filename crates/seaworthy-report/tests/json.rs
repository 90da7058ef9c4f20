#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{doc_json_example, render_fixture, report, report_schema, schema_errors};
use seaworthy_core::{REPORT_SCHEMA_VERSION, Report};
use seaworthy_report::Format;
use serde_json::Value;

#[test]
fn json() {
    insta::assert_snapshot!(render_fixture(Format::Json));
}

#[test]
fn round_trips() {
    let back: Report = serde_json::from_str(&render_fixture(Format::Json)).expect("valid JSON");
    assert_eq!(back, report());
}

#[test]
fn matches_the_documented_schema() {
    let value: Value = serde_json::from_str(&render_fixture(Format::Json)).expect("valid JSON");
    assert_eq!(value["schema_version"], REPORT_SCHEMA_VERSION);
    let errors = schema_errors(&report_schema(), &value);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn schema_is_strict() {
    let good: Value = serde_json::from_str(&render_fixture(Format::Json)).expect("valid JSON");
    let mut cases = Vec::new();
    let mut v = good.clone();
    v["findings"][0]["severity"] = "urgent".into();
    cases.push(("unknown severity", v));
    let mut v = good.clone();
    v["findings"][0]["colour"] = "red".into();
    cases.push(("unknown field", v));
    let mut v = good.clone();
    v["schema_version"] = "2.0.0".into();
    cases.push(("other major", v));
    let mut v = good.clone();
    v["findings"][0]["location"]["span"]["start"]["line"] = 0.into();
    cases.push(("line 0", v));
    for (what, v) in cases {
        assert!(
            !schema_errors(&report_schema(), &v).is_empty(),
            "{what} accepted"
        );
    }
}

#[test]
fn documented_example_is_valid() {
    let example = doc_json_example("report-format.md");
    let errors = schema_errors(&report_schema(), &example);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(example["schema_version"], REPORT_SCHEMA_VERSION);
    let _: Report = serde_json::from_value(example).expect("example parses as a Report");
}
