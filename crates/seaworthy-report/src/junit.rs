//! JUnit XML for CI test tabs: a test suite per area (`dockerfile` today), a test case per
//! (input, rule) that fired, a passing case per clean input, an error case per input error.
//!
//! A (input, rule) case fails when it holds a finding at or above `fail_on` that is not
//! suppressed; otherwise it passes and lists its findings in `system-out`. No timestamps or
//! durations are written, so the output is deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use seaworthy_core::{Area, Finding, Report};

use crate::{RenderOptions, gates};

pub(crate) fn render(report: &Report, opts: &RenderOptions<'_>) -> String {
    // area -> (path, rule id) -> findings, all in sorted order.
    let mut groups: BTreeMap<Area, BTreeMap<(&str, &str), Vec<&Finding>>> = BTreeMap::new();
    for f in &report.findings {
        let area = opts.rule(&f.rule_id).map_or(Area::Dockerfile, |m| m.area);
        groups
            .entry(area)
            .or_default()
            .entry((f.location.path(), f.rule_id.as_str()))
            .or_default()
            .push(f);
    }
    // Inputs are Dockerfiles for now; when other areas report inputs, the report will say which.
    let input_area = Area::Dockerfile;
    groups.entry(input_area).or_default();

    let with_findings: BTreeSet<&str> = report.findings.iter().map(|f| f.location.path()).collect();
    let with_errors: BTreeSet<&str> = report.errors.iter().map(|e| e.path.as_str()).collect();

    let mut junit = quick_junit::Report::new(report.tool.as_str());
    for (area, cases) in &groups {
        let mut suite = TestSuite::new(area.as_str());
        let fail_on = if report.report_only {
            "none"
        } else {
            report.fail_on.as_str()
        };
        suite.add_property(Property::new("fail-on", fail_on));
        suite.add_property(Property::new("version", report.version.as_str()));
        for ((path, rule_id), findings) in cases {
            suite.add_test_case(rule_case(report, opts, path, rule_id, findings));
        }
        if *area == input_area {
            for input in &report.inputs {
                if with_findings.contains(input.as_str()) || with_errors.contains(input.as_str()) {
                    continue;
                }
                let mut case = TestCase::new("no findings", TestCaseStatus::success());
                case.set_classname(input.as_str());
                suite.add_test_case(case);
            }
            for e in &report.errors {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status
                    .set_message(e.message.as_str())
                    .set_type("input error")
                    .set_description(e.display());
                let name = match (e.line, e.column) {
                    (Some(l), Some(c)) => format!("input error at {l}:{c}"),
                    (Some(l), None) => format!("input error at {l}"),
                    _ => "input error".to_string(),
                };
                let mut case = TestCase::new(name, status);
                case.set_classname(e.path.as_str());
                suite.add_test_case(case);
            }
        }
        if !suite.test_cases.is_empty() {
            junit.add_test_suite(suite);
        }
    }
    match junit.to_string() {
        Ok(xml) => crate::text::xml_safe(xml),
        // Only an I/O error of the in-memory writer could get here.
        Err(e) => format!("<!-- seaworthy: could not write JUnit XML: {e} -->\n"),
    }
}

fn rule_case(
    report: &Report,
    opts: &RenderOptions<'_>,
    path: &str,
    rule_id: &str,
    findings: &[&Finding],
) -> TestCase {
    let title = opts
        .rule(rule_id)
        .map(|m| m.title)
        .or_else(|| findings.first().map(|f| f.title.as_str()))
        .unwrap_or_default();
    let gating: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| !report.report_only && f.is_active() && gates(f.severity, report.fail_on))
        .collect();
    let mut lines = String::new();
    for f in findings {
        let _ = write!(
            lines,
            "{}: {}: {}",
            f.location.display(),
            f.severity,
            f.message
        );
        if let Some(s) = &f.suppressed {
            let _ = write!(lines, " (suppressed: {})", s.kind);
        }
        lines.push('\n');
    }
    if let Some(f) = findings.first() {
        let _ = writeln!(lines, "help: {}", f.remediation);
    }

    let name = format!("{rule_id} {title}");
    let mut case = if let Some(worst) = gating.iter().map(|f| f.severity).max() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let message = match gating.as_slice() {
            [one] => format!("{}: {}", one.location.display(), one.message),
            many => format!(
                "{} findings at or above {} in {path}",
                many.len(),
                report.fail_on
            ),
        };
        status
            .set_message(message)
            .set_type(worst.as_str())
            .set_description(lines);
        TestCase::new(name, status)
    } else {
        let mut case = TestCase::new(name, TestCaseStatus::success());
        case.set_system_out(lines);
        case
    };
    case.set_classname(path);
    case
}
