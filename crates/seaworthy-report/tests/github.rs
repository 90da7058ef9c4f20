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
