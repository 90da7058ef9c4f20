//! The assessment as JUnit XML: a test suite per area (`seaworthy.<area>`), a test case per
//! host check and per item, the class name `<area>.<target>`.
//!
//! A case fails only when its item gates. A waived item is skipped with the waiver's reason; an
//! active item below the gate (or in a report area) passes with its details in `system-out`.
//! Host checks: `not_applicable` is skipped, `pass` and `info` pass. Every target without an item
//! gets a passing case, so a clean area is not an empty suite; every input error is an error
//! case. No timestamps or durations: the output is deterministic.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use seaworthy_core::{CheckResult, Location, Status};

use super::{AreaReport, Assessment, Change, Item};

pub fn render_junit(a: &Assessment) -> String {
    let mut junit = quick_junit::Report::new(a.tool.as_str());
    for area in &a.areas {
        junit.add_test_suite(suite(a, area));
    }
    match junit.to_string() {
        Ok(xml) => crate::text::xml_safe(xml),
        // Only an I/O error of the in-memory writer could get here.
        Err(e) => format!("<!-- seaworthy: could not write JUnit XML: {e} -->\n"),
    }
}

fn suite(a: &Assessment, area: &AreaReport) -> TestSuite {
    let name = area.area.as_str();
    let mut suite = TestSuite::new(format!("seaworthy.{name}"));
    suite.add_property(Property::new(
        "mode",
        match area.mode {
            super::Mode::Gate => "gate",
            super::Mode::Report => "report",
        },
    ));
    suite.add_property(Property::new("fail-on", area.fail_on.as_str()));
    if let Some(s) = area.unknown_severity {
        suite.add_property(Property::new("unknown-severity", s.as_str()));
    }
    if area.fail_on_kev {
        suite.add_property(Property::new("fail-on-kev", "true"));
    }
    if let Some(p) = area.fail_on_epss {
        suite.add_property(Property::new("fail-on-epss", p.to_string()));
    }
    suite.add_property(Property::new("status", area.status.as_str()));
    suite.add_property(Property::new("version", a.version.as_str()));

    // Items that are a check's warning are reported with the check.
    let mut with_check: BTreeSet<usize> = BTreeSet::new();
    for c in &area.checks {
        let item = area
            .items
            .iter()
            .position(|i| i.finding.rule_id == c.rule_id && i.finding.location == c.location);
        with_check.extend(item);
        suite.add_test_case(check_case(name, c, item.map(|n| &area.items[n])));
    }
    for (n, i) in area.items.iter().enumerate() {
        if !with_check.contains(&n) {
            suite.add_test_case(item_case(name, i));
        }
    }

    let covered: BTreeSet<&str> = area
        .items
        .iter()
        .map(|i| i.finding.location.path())
        .chain(area.checks.iter().map(|c| c.location.path()))
        .chain(area.errors.iter().map(|e| e.path.as_str()))
        .collect();
    for t in &area.targets {
        if !covered.contains(t.as_str()) {
            let mut case = TestCase::new("no findings", TestCaseStatus::success());
            case.set_classname(format!("{name}.{t}"));
            suite.add_test_case(case);
        }
    }
    for e in &area.errors {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(e.message.as_str())
            .set_type("input error")
            .set_description(e.display());
        let mut case = TestCase::new("input error", status);
        case.set_classname(format!("{name}.{}", e.path));
        suite.add_test_case(case);
    }
    suite
}

/// Where in its target an item is, for the case name: `6:5`, `/var/lib/dpkg/status`, a field.
fn place(l: &Location) -> Option<String> {
    match l {
        Location::File { span, .. } => Some(format!("{}:{}", span.start.line, span.start.column)),
        Location::Image { path, .. } => path.as_ref().map(|p| format!("/{p}")),
        Location::Host { object, .. } => Some(object.clone()),
        Location::Container { field, .. } => field.clone(),
    }
}

fn details(i: &Item) -> String {
    let f = &i.finding;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}: {}", f.location.display(), f.severity, f.message);
    if let Some(e) = &f.evidence {
        let _ = writeln!(s, "evidence: {e}");
    }
    if let Some(v) = &i.vulnerability {
        let facts = v.facts();
        if !facts.is_empty() {
            let _ = writeln!(s, "risk: {}", facts.join("; "));
        }
    }
    if let Some(d) = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref()) {
        let _ = write!(s, "from: {}:{} {}", d.path, d.line, d.instruction);
        if let Some(base) = &d.base_image {
            let _ = write!(s, " {base}");
        }
        s.push('\n');
    }
    let fix = f.origin.as_ref().and_then(|o| o.fix.as_ref());
    if let Some(fix) = fix.filter(|x| **x != f.remediation) {
        let _ = writeln!(s, "fix: {fix}");
    }
    if i.from_base {
        let _ = writeln!(s, "from the base image");
    }
    if i.change == Some(Change::New) {
        let _ = writeln!(s, "new since the baseline");
    }
    let _ = writeln!(s, "help: {}", f.remediation);
    s
}

/// Failure when gating, skipped when waived, else a pass that carries the details.
fn item_status(i: &Item) -> (TestCaseStatus, Option<String>) {
    let f = &i.finding;
    if i.gating {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(format!("{}: {}", f.location.display(), f.message))
            .set_type(f.severity.as_str())
            .set_description(details(i));
        (status, None)
    } else if let Some(s) = &f.suppressed {
        let mut status = TestCaseStatus::skipped();
        let mut why = format!("waived ({}", s.kind);
        if let Some(src) = &s.source {
            let _ = write!(why, " {src}");
        }
        why.push(')');
        if let Some(r) = &s.reason {
            let _ = write!(why, ": {r}");
        }
        status.set_message(why);
        (status, None)
    } else {
        (TestCaseStatus::success(), Some(details(i)))
    }
}

fn add_item_properties(case: &mut TestCase, i: &Item) {
    case.add_property(Property::new("severity", i.finding.severity.as_str()));
    case.add_property(Property::new("fingerprint", i.fingerprint.as_str()));
    if let Some(c) = i.change {
        let change = match c {
            Change::New => "new",
            Change::Unchanged => "unchanged",
        };
        case.add_property(Property::new("change", change));
    }
    if i.from_base {
        case.add_property(Property::new("from-base", "true"));
    }
    if let Some(v) = &i.vulnerability {
        if let Some(k) = &v.kev {
            case.add_property(Property::new("kev", "true"));
            case.add_property(Property::new("kev-date-added", k.date_added.as_str()));
            case.add_property(Property::new("kev-due-date", k.due_date.as_str()));
            if k.ransomware {
                case.add_property(Property::new("kev-known-ransomware-use", "true"));
            }
        }
        if let Some(e) = v.epss {
            case.add_property(Property::new("epss", e.score.to_string()));
            case.add_property(Property::new("epss-percentile", e.percentile.to_string()));
        }
        for c in &v.cwes {
            case.add_property(Property::new("cwe", c.as_str()));
        }
        if !v.severity_source.is_empty() {
            case.add_property(Property::new("severity-source", v.severity_source.as_str()));
        }
    }
}

fn item_case(area: &str, i: &Item) -> TestCase {
    let f = &i.finding;
    // Advisory titles start with their id (`CVE-… in zlib1g`): not twice.
    let name = if f.title.starts_with(&f.rule_id) {
        f.title.clone()
    } else {
        format!("{} {}", f.rule_id, f.title)
    };
    let name = match place(&f.location) {
        Some(at) => format!("{name} ({at})"),
        None => name,
    };
    let (status, out) = item_status(i);
    let mut case = TestCase::new(name, status);
    case.set_classname(format!("{area}.{}", f.location.path()));
    if let Some(out) = out {
        case.set_system_out(out);
    }
    add_item_properties(&mut case, i);
    case
}

/// A host check: its item (a `warn`) decides like any item; pass and info pass, not-applicable
/// is skipped.
fn check_case(area: &str, c: &CheckResult, item: Option<&Item>) -> TestCase {
    let name = format!("{} {}", c.rule_id, c.title);
    let mut case = match (c.status, item) {
        (Status::Warn, Some(i)) => {
            let (status, out) = item_status(i);
            let mut case = TestCase::new(name, status);
            if let Some(out) = out {
                case.set_system_out(out);
            }
            add_item_properties(&mut case, i);
            case
        }
        (Status::NotApplicable, _) => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(c.message.as_str());
            TestCase::new(name, status)
        }
        (Status::Pass | Status::Info | Status::Warn, _) => {
            let mut out = format!("{}: {}\n", c.status.as_str(), c.message);
            for e in &c.evidence {
                let _ = writeln!(out, "evidence: {} ({})", e.value, e.source);
            }
            let mut case = TestCase::new(name, TestCaseStatus::success());
            case.set_system_out(out);
            case
        }
    };
    case.set_classname(format!("{area}.{}", c.location.path()));
    case.add_property(Property::new("status", c.status.as_str()));
    case.add_property(Property::new("cis", c.cis_id.as_str()));
    case
}
