//! `seaworthy image --format junit`: one test suite for the image, a test case per
//! vulnerability match and per image finding, classname the image. A case fails when its item
//! reaches `--fail-on` and is not waived; waived matches pass and say why in `system-out`; an
//! expired waiver is a failing case of its own; a clean image is one passing case.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use seaworthy_core::Finding;

use super::VulnReportInput;
use super::findings::vuln_finding;

pub(crate) fn render(input: &VulnReportInput<'_>) -> String {
    let image = input.image.reference.as_str();
    let mut suite = TestSuite::new("image");
    if let Some(f) = input.fail_on {
        suite.add_property(Property::new("fail-on", f.as_str()));
    }
    suite.add_property(Property::new("version", input.tool_version));

    let mut findings: Vec<&Finding> = input.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for f in findings {
        suite.add_test_case(case(image, f, f.is_active() && input.finding_gates(f)));
    }
    for m in input.sorted_matches() {
        let f = vuln_finding(image, m);
        suite.add_test_case(case(image, &f, input.match_gates(m)));
    }
    for w in input.waived {
        let mut f = vuln_finding(image, &w.vuln);
        f.suppressed = Some(w.waived.clone());
        suite.add_test_case(case(image, &f, false));
    }
    for e in input.expired_waivers {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(e.as_str()).set_type("expired waiver");
        let mut case = TestCase::new("expired waiver", status);
        case.set_classname(image);
        suite.add_test_case(case);
    }
    if suite.test_cases.is_empty() {
        let mut case = TestCase::new("no findings", TestCaseStatus::success());
        case.set_classname(image);
        suite.add_test_case(case);
    }
    let mut junit = quick_junit::Report::new("seaworthy");
    junit.add_test_suite(suite);
    match junit.to_string() {
        Ok(xml) => crate::text::xml_safe(xml),
        // Only an I/O error of the in-memory writer could get here.
        Err(e) => format!("<!-- seaworthy: could not write JUnit XML: {e} -->\n"),
    }
}

/// One item as a test case: failing when it gates, else passing with its details.
fn case(image: &str, f: &Finding, fails: bool) -> TestCase {
    let mut lines = format!(
        "{}: {}: {}\nhelp: {}\n",
        f.location.display(),
        f.severity,
        f.message,
        f.remediation
    );
    if let Some(s) = &f.suppressed {
        lines.push_str(&format!(
            "waived ({}): {}\n",
            s.kind,
            s.reason.as_deref().unwrap_or("no reason given")
        ));
    }
    let name = format!("{} {}", f.rule_id, f.title);
    let mut case = if fails {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(f.message.as_str())
            .set_type(f.severity.as_str())
            .set_description(lines);
        TestCase::new(name, status)
    } else {
        let mut case = TestCase::new(name, TestCaseStatus::success());
        case.set_system_out(lines);
        case
    };
    case.set_classname(image);
    case
}
