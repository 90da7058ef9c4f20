//! Human output: results grouped by CIS section, one line per check with its status, then the
//! message, evidence and fix of what is not a pass, and a one-line summary.
//!
//! ```text
//! 2 Docker daemon configuration
//!   WARN  2.2   L1  medium  Ensure network traffic is restricted between containers …
//!               icc is enabled on the default bridge
//!               evidence: icc=true (GET /info)
//!               fix: Set "icc": false in /etc/docker/daemon.json
//!   PASS  2.3   L1          Ensure the logging level is set to 'info'
//! ```
//!
//! Colors only when asked (a TTY without NO_COLOR; the caller decides); untrusted text goes
//! through [`terminal_safe`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use seaworthy_core::{CheckResult, Level, Status};

use super::{CheckReport, cis_section, cis_section_name};
use crate::table::severity_style;
use crate::text::{count, terminal_safe};

struct Paint(bool);

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn status_style(s: Status) -> Style {
    match s {
        Status::Pass => AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
        Status::Warn => AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
        Status::Info => AnsiColor::BrightBlue.on_default(),
        Status::NotApplicable => Style::new().effects(Effects::DIMMED),
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Info => "INFO",
        Status::NotApplicable => "N/A",
    }
}

pub(crate) fn render(report: &CheckReport<'_>, color: bool) -> String {
    let p = Paint(color);
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let results = report.sorted();
    let subjects: BTreeSet<&str> = results.iter().map(|r| r.location.path()).collect();
    let show_subject = subjects.len() > 1;
    let id_width = results.iter().map(|r| r.cis_id.len()).max().unwrap_or(0);
    let indent = " ".repeat(2 + 6 + id_width + 1);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}\n",
        p.paint(bold, &format!("{} checks:", report.area.as_str())),
        terminal_safe(report.target)
    );
    for note in report.notes {
        let _ = writeln!(out, "note: {}", terminal_safe(note));
    }
    if !report.notes.is_empty() {
        out.push('\n');
    }
    let mut section = None;
    for r in &results {
        let s = cis_section(&r.cis_id);
        if section != Some(s) {
            if section.is_some() {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{}",
                p.paint(bold, &format!("{s} {}", cis_section_name(s)))
            );
            section = Some(s);
        }
        line(&mut out, &p, r, id_width, show_subject);
        if r.status != Status::Pass {
            detail(&mut out, &p, r, &indent, dim);
        }
    }
    vulnerabilities(&mut out, &p, report);
    let s = report.summary();
    let _ = writeln!(
        out,
        "\n{}: {} passed, {}, {} info, {} not applicable{}",
        count(results.len(), "check", "checks"),
        s.pass,
        p.paint(
            status_style(Status::Warn),
            &count(s.warn, "warning", "warnings")
        ),
        s.info,
        s.not_applicable,
        match report.fail_on {
            Some(t) if report.passed() => format!(" — passed (fail-on {t})"),
            Some(t) => format!(
                " — {} (fail-on {t})",
                p.paint(
                    status_style(Status::Warn),
                    &format!("failed: {} at or above", report.failing())
                )
            ),
            None => " — report only (no --fail-on)".to_string(),
        }
    );
    out
}

fn line(out: &mut String, p: &Paint, r: &CheckResult, id_width: usize, show_subject: bool) {
    let status = format!("{:<4}", status_label(r.status));
    let level = match r.level {
        Level::L1 => "L1",
        Level::L2 => "L2",
    };
    let severity = if r.status == Status::Warn {
        p.paint(
            severity_style(r.severity),
            &format!("{:<8}", r.severity.as_str()),
        )
    } else {
        " ".repeat(8)
    };
    let manual = if r.automated { "" } else { " (manual)" };
    let subject = if show_subject {
        format!("[{}] ", terminal_safe(r.location.path()))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {}  {:<id_width$} {level}  {severity}  {subject}{}{manual}",
        p.paint(status_style(r.status), &status),
        r.cis_id,
        terminal_safe(&r.title),
    );
}

fn detail(out: &mut String, p: &Paint, r: &CheckResult, indent: &str, dim: Style) {
    if !r.message.is_empty() {
        let _ = writeln!(out, "{indent}{}", terminal_safe(&r.message));
    }
    for e in &r.evidence {
        let _ = writeln!(
            out,
            "{indent}{} {} ({})",
            p.paint(dim, "evidence:"),
            terminal_safe(&e.value),
            terminal_safe(&e.source)
        );
    }
    if r.status == Status::Warn && !r.remediation.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{} {}",
            p.paint(dim, "fix:"),
            terminal_safe(&r.remediation)
        );
    }
}

/// One line per known vulnerability of the subject's packages: id, package, version, fix.
fn vulnerabilities(out: &mut String, p: &Paint, report: &CheckReport<'_>) {
    if report.vulnerabilities.is_empty() {
        return;
    }
    let bold = Style::new().effects(Effects::BOLD);
    let _ = writeln!(
        out,
        "\n{}",
        p.paint(
            bold,
            &format!(
                "{} in the {} packages",
                count(
                    report.vulnerabilities.len(),
                    "known vulnerability",
                    "known vulnerabilities"
                ),
                report.area.as_str()
            )
        )
    );
    for m in report.vulnerabilities {
        let fix = m.fixed_version.as_deref().map_or_else(
            || format!("no fix ({})", m.status.as_str()),
            |v| format!("fixed in {v}"),
        );
        let _ = writeln!(
            out,
            "  {}  {}  {} {}  {}",
            p.paint(
                severity_style(m.severity),
                &format!("{:<8}", m.severity.as_str())
            ),
            terminal_safe(&m.id),
            terminal_safe(&m.package.name),
            terminal_safe(&m.package.version),
            terminal_safe(&fix)
        );
    }
}
