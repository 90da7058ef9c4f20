#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{render_fixture, render_with};
use seaworthy_core::{Report, Severity};
use seaworthy_report::Format;

#[test]
fn junit() {
    insta::assert_snapshot!(render_fixture(Format::Junit));
}

#[test]
fn deterministic_and_parseable() {
    let xml = render_fixture(Format::Junit);
    assert_eq!(xml, render_fixture(Format::Junit));
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!(parsed.failures, 2);
    assert_eq!(parsed.errors, 2);
}

#[test]
fn clean_run_is_one_passing_case_per_input() {
    let report = Report::new(
        "0.1.0",
        Severity::High,
        vec!["b/Dockerfile".into(), "a/Dockerfile".into()],
        vec![],
        vec![],
    );
    insta::assert_snapshot!(render_with(&report, Format::Junit, false));
}
