//! A findings report (dockerfile, compose, run, container) as GitHub-flavoured Markdown, for a
//! pull-request comment or `$GITHUB_STEP_SUMMARY`: the verdict, counts by severity, one table
//! row per active finding, the inputs that could not be read. Every input text is escaped
//! (`assess::escape`); the table is capped so a comment stays under GitHub's limit.

use std::fmt::Write as _;

use seaworthy_core::{Report, Severity};

use crate::assess::MARKDOWN_LIMIT;
use crate::assess::escape::{md, md_code};
use crate::gates;

/// Findings listed; the rest are counted.
const ROWS: usize = 200;

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if !report.errors.is_empty() {
        "ERROR"
    } else if report.passed {
        "PASS"
    } else {
        "FAIL"
    };
    let s = &report.summary;
    let gate = if report.report_only {
        "report only".to_string()
    } else {
        format!("fail on {} and above", report.fail_on)
    };
    let _ = writeln!(
        out,
        "## seaworthy: {verdict}\n\n{} input(s), {gate}: {} critical, {} high, \
         {} medium, {} low, {} info; {} suppressed; {} input error(s).\n",
        s.inputs, s.critical, s.high, s.medium, s.low, s.info, s.suppressed, s.errors
    );
    let active: Vec<_> = report.findings.iter().filter(|f| f.is_active()).collect();
    if !active.is_empty() {
        out.push_str("| | Severity | Rule | Location | Message |\n|---|---|---|---|---|\n");
        for f in active.iter().take(ROWS) {
            let mark = if !report.report_only && gates(f.severity, report.fail_on) {
                "❌"
            } else if f.severity >= Severity::Medium {
                "⚠️"
            } else {
                "ℹ️"
            };
            let _ = writeln!(
                out,
                "| {mark} | {} | {} {} | {} | {} |",
                f.severity,
                md_code(&f.rule_id),
                md(&f.title),
                md_code(&f.location.display()),
                md(&f.message)
            );
        }
        if active.len() > ROWS {
            let _ = writeln!(out, "\n… and {} more findings.", active.len() - ROWS);
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        out.push_str("### Inputs that could not be read\n\n");
        for e in &report.errors {
            let _ = writeln!(out, "- {}", md(&e.display()));
        }
        out.push('\n');
    }
    if out.len() > MARKDOWN_LIMIT {
        let mut cut = MARKDOWN_LIMIT - 64;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("\n\n… (cut to fit a GitHub comment)\n");
    }
    out
}
