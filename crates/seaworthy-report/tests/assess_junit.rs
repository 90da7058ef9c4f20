//! The assess JUnit XML: a suite per area, a case per check and item, failures = gating items.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use seaworthy_report::assess::{AreaKind, render_junit};

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render_junit(&common::assess::assessment()));
}

#[test]
fn parses_back_with_a_suite_per_area_and_failures_equal_gating() {
    let a = common::assess::assessment();
    let xml = render_junit(&a);
    assert_eq!(xml, render_junit(&a), "deterministic");
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!(parsed.test_suites.len(), a.areas.len());
    assert_eq!(parsed.failures, a.summary.gating);
    assert!(a.summary.gating > 0);
    assert_eq!(parsed.errors, 0);
    for (suite, area) in parsed.test_suites.iter().zip(&a.areas) {
        assert_eq!(
            suite.name.as_str(),
            format!("seaworthy.{}", area.area.as_str())
        );
        assert_eq!(suite.failures, area.summary.gating, "{:?}", suite.name);
        for case in &suite.test_cases {
            let class = case.classname.as_ref().expect("a classname");
            assert!(
                class
                    .as_str()
                    .starts_with(&format!("{}.", area.area.as_str())),
                "{class:?}"
            );
        }
    }
}

#[test]
fn host_checks_waived_items_and_clean_targets() {
    let a = common::assess::assessment();
    let parsed = quick_junit::Report::deserialize_from_str(&render_junit(&a)).expect("JUnit");
    let host = &parsed.test_suites[3];
    let checks = a.area(AreaKind::Host).expect("host").checks.len();
    // One case per check; the warn's item is not repeated.
    assert_eq!(host.test_cases.len(), checks);
    assert_eq!(skipped(host), 1, "not_applicable is skipped");
    let image = &parsed.test_suites[1];
    let area = a.area(AreaKind::Image).expect("image");
    assert_eq!(image.test_cases.len(), area.items.len());
    assert_eq!(skipped(image), area.summary.waived);
    // Dockerfile targets without findings get a passing case each.
    let df = &parsed.test_suites[0];
    let clean: Vec<&str> = df
        .test_cases
        .iter()
        .filter(|c| c.name.as_str() == "no findings")
        .map(|c| c.classname.as_ref().expect("class").as_str())
        .collect();
    assert_eq!(
        clean,
        [
            "dockerfile.broken/Dockerfile",
            "dockerfile.clean/Dockerfile",
            "dockerfile.missing/Dockerfile"
        ]
    );
}

#[test]
fn input_errors_are_error_cases_and_text_is_escaped() {
    let mut a = common::assess::assessment();
    let image = a
        .areas
        .iter_mut()
        .find(|x| x.area == AreaKind::Image)
        .expect("image");
    image.errors.push(seaworthy_core::InputError {
        path: "registry.example.com/missing:1".to_string(),
        line: None,
        column: None,
        message: "manifest unknown </testcase><x>&".to_string(),
    });
    image.items[0].finding.message = "a <b> & \"c\"".to_string();
    a.finish();
    let xml = render_junit(&a);
    assert!(!xml.contains("<x>"));
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit");
    assert_eq!(parsed.errors, 1);
    assert_eq!(parsed.test_suites[1].errors, 1);
}

fn skipped(suite: &quick_junit::TestSuite) -> usize {
    suite
        .test_cases
        .iter()
        .filter(|c| matches!(c.status, quick_junit::TestCaseStatus::Skipped { .. }))
        .count()
}
