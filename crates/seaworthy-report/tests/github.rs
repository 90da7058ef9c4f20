#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{render_fixture, render_with, report};
use seaworthy_core::Severity;
use seaworthy_report::Format;

#[test]
fn github() {
    insta::assert_snapshot!(render_fixture(Format::Github));
}

#[test]
fn one_line_per_active_finding_and_error() {
    let report = report();
    let out = render_fixture(Format::Github);
    let active = report.findings.iter().filter(|f| f.is_active()).count();
    assert_eq!(out.lines().count(), active + report.errors.len());
    assert!(out.lines().all(|l| l.starts_with("::")));
}

#[test]
fn levels_follow_fail_on() {
    let mut report = report();
    report.fail_on = Severity::Critical;
    let out = render_with(&report, Format::Github, false);
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::")?.split([' ', ':']).next())
        .collect();
    // critical secret -> error, high base image -> warning (below fail-on), info -> notice.
    assert!(kinds.contains(&"error") && kinds.contains(&"warning") && kinds.contains(&"notice"));
    assert!(out.contains("::warning file=Dockerfile,line=1,"), "{out}");
}

/// `--fail-on none` (report only): nothing gates, so nothing is an `error` annotation, and the
/// Markdown summary says report only instead of a threshold that does not apply.
#[test]
fn report_only_has_no_errors_and_says_so() {
    let report = report().into_report_only();
    let out = render_with(&report, Format::Github, false);
    // Input errors stay errors (they exit 2 whatever the threshold); findings do not.
    assert!(
        out.lines()
            .filter(|l| l.starts_with("::error "))
            .all(|l| l.contains("input error")),
        "{out}"
    );
    assert!(
        out.contains("title=SW-DF-031"),
        "the critical secret is still there"
    );
    let md = render_with(&report, Format::Markdown, false);
    assert!(md.contains("report only:"), "{md}");
    assert!(!md.contains("fail on "), "{md}");
    assert!(!md.contains('❌'), "{md}");
}
