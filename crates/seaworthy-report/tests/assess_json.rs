//! The assess JSON: the model as is, valid against the `assessment` definition of
//! `docs/report-schema.json`, which rejects broken documents.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{crate_dir, doc_json_example, report_schema, schema_errors};
use seaworthy_report::assess::{ASSESS_SCHEMA_VERSION, Assessment, render_json};
use serde_json::Value;

fn fixture_json() -> Value {
    serde_json::from_str(&render_json(&common::assess::assessment())).expect("valid JSON")
}

#[test]
fn json_snapshot() {
    let out = render_json(&common::assess::assessment());
    assert!(out.ends_with("}\n"));
    insta::assert_snapshot!(out);
}

#[test]
fn round_trips() {
    let a = common::assess::assessment();
    let back: Assessment = serde_json::from_str(&render_json(&a)).expect("parses");
    assert_eq!(back, a);
}

#[test]
fn matches_the_documented_schema() {
    let v = fixture_json();
    assert_eq!(v["schema_version"], ASSESS_SCHEMA_VERSION);
    assert_eq!(v["kind"], "assessment");
    let errors = schema_errors(&report_schema(), &v);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn schema_rejects_broken_assessments() {
    let good = fixture_json();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("areas");
    cases.push(("missing areas", v));
    let mut v = good.clone();
    v["areas"][0]["status"] = "failed".into();
    cases.push(("wrong status", v));
    let mut v = good.clone();
    v["kind"] = "report".into();
    cases.push(("other kind", v));
    let mut v = good.clone();
    v["areas"][1]["items"][0]["colour"] = "red".into();
    cases.push(("unknown item field", v));
    let mut v = good.clone();
    v["areas"][1]["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    cases.push(("item without fingerprint", v));
    let mut v = good.clone();
    v["areas"][1]["items"][0]["kind"] = "advisory".into();
    cases.push(("unknown item kind", v));
    let mut v = good.clone();
    v["areas"][3]["checks"][0]["status"] = "fail".into();
    cases.push(("unknown check status", v));
    let mut v = good.clone();
    v["summary"]["gating"] = (-1).into();
    cases.push(("negative count", v));
    let mut v = good.clone();
    v["waivers"]["expired"][0]["expires"] = "soon".into();
    cases.push(("bad expiry date", v));
    let mut v = good.clone();
    v["areas"][1]["items"][0]["origin"]["dockerfile"]["line"] = 0.into();
    cases.push(("Dockerfile line 0", v));
    let mut v = good.clone();
    v["schema_version"] = "2.0.0".into();
    cases.push(("other major", v));
    for (what, v) in cases {
        assert!(
            !schema_errors(&report_schema(), &v).is_empty(),
            "{what} accepted"
        );
    }
}

#[test]
fn documented_example_is_valid() {
    let example = doc_json_example("assess-report-format.md");
    let errors = schema_errors(&report_schema(), &example);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(example["schema_version"], ASSESS_SCHEMA_VERSION);
    let _: Assessment = serde_json::from_value(example).expect("example parses as an Assessment");
}

#[test]
fn every_model_field_is_in_the_schema_and_the_docs() {
    // Each key the fixture writes is a property of some schema definition and is named in the
    // format documentation, so neither can fall behind the model.
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(report_schema()).expect("schema"))
            .expect("schema is JSON");
    let doc = std::fs::read_to_string(crate_dir().join("../../docs/assess-report-format.md"))
        .expect("docs");
    let mut described = std::collections::BTreeSet::new();
    collect_properties(&schema, &mut described);
    let mut keys = std::collections::BTreeSet::new();
    collect_keys(&fixture_json(), &mut keys);
    for k in keys {
        assert!(described.contains(&k), "`{k}` not in the schema");
        assert!(doc.contains(&format!("`{k}`")), "`{k}` not in the docs");
    }
}

fn collect_properties(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_properties(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_properties(v, out)),
        _ => {}
    }
}

fn collect_keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            out.extend(map.keys().cloned());
            map.values().for_each(|v| collect_keys(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, out)),
        _ => {}
    }
}
