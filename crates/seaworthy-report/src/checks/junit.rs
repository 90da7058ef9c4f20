//! JUnit XML for checks: a test suite per CIS section, a test case per check. A warning is a
//! failure only when it gates (`--fail-on` given and reached); otherwise the case passes and
//! carries the warning in `system-out` and a `status` property. Not-applicable checks are
//! skipped. No timestamps or durations: the output is deterministic.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use seaworthy_core::{CheckResult, Status};

use super::{CheckReport, cis_section, cis_section_name};

pub(crate) fn render(report: &CheckReport<'_>) -> String {
    let mut sections: BTreeMap<(u32, &str), Vec<&CheckResult>> = BTreeMap::new();
    for r in report.sorted() {
        let s = cis_section(&r.cis_id);
        sections
            .entry((s.parse().unwrap_or(u32::MAX), s))
            .or_default()
            .push(r);
    }
    let mut junit = quick_junit::Report::new("seaworthy");
    for ((_, section), results) in sections {
        let mut suite = TestSuite::new(format!(
            "{} {section} {}",
            report.area.as_str(),
            cis_section_name(section)
        ));
        suite.add_property(Property::new("target", report.target));
        suite.add_property(Property::new(
            "fail-on",
            report.fail_on.map_or("none", |s| s.as_str()),
        ));
        suite.add_property(Property::new("version", report.tool_version));
        for r in results {
            suite.add_test_case(case(report, r));
        }
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(xml) => xml,
        Err(e) => format!("<!-- seaworthy: could not write JUnit XML: {e} -->\n"),
    }
}

fn details(r: &CheckResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", r.status.as_str(), r.message);
    for e in &r.evidence {
        let _ = writeln!(s, "evidence: {} ({})", e.value, e.source);
    }
    if r.status == Status::Warn {
        let _ = writeln!(s, "severity: {}", r.severity);
        let _ = writeln!(s, "fix: {}", r.remediation);
    }
    s
}

fn case(report: &CheckReport<'_>, r: &CheckResult) -> TestCase {
    let name = format!("{} {}", r.rule_id, r.title);
    let mut case = match r.status {
        Status::Warn if report.gates(r) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(format!("{}: {}", r.location.display(), r.message))
                .set_type(r.severity.as_str())
                .set_description(details(r));
            TestCase::new(name, status)
        }
        Status::NotApplicable => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(r.message.as_str());
            TestCase::new(name, status)
        }
        Status::Pass | Status::Info | Status::Warn => {
            let mut case = TestCase::new(name, TestCaseStatus::success());
            case.set_system_out(details(r));
            case
        }
    };
    case.set_classname(r.location.display());
    case.add_property(Property::new("status", r.status.as_str()));
    case.add_property(Property::new("cis", r.cis_id.as_str()));
    case
}
