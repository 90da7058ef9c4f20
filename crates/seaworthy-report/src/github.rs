//! GitHub Actions workflow commands: one annotation line per active finding and per input error.
//!
//! `error` for findings at or above `fail_on`, `warning` for the rest down to medium, `notice`
//! for low and info. Columns are sent only for single-line spans (the runner rejects `col` and
//! `endColumn` when `line` and `endLine` differ, and an `endColumn` below `col`); `endColumn` is
//! exclusive, like the end of our spans.
//!
//! Every value from the report is untrusted: a control character in it shows as a visible escape
//! ([`terminal_safe`]) before the workflow-command escaping, so a compose key holding
//! `\n::error file=…::` stays inside our annotation and an ESC never reaches the log. Line
//! breaks in a message are only the ones written here (`%0A`).

use std::fmt::Write as _;

use seaworthy_core::{Finding, Location, Report, Severity, Span};

use crate::gates;
use crate::text::{push_safe, terminal_safe};

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.is_active()) {
        finding(
            &mut out,
            kind_of(
                f.severity,
                !report.report_only && gates(f.severity, report.fail_on),
            ),
            f,
        );
    }
    for e in &report.errors {
        input_error(&mut out, e);
    }
    out
}

/// `error` for what gates, `warning` for the rest down to medium, `notice` below.
pub(crate) fn kind_of(severity: Severity, gating: bool) -> &'static str {
    if gating {
        "error"
    } else if severity >= Severity::Medium || severity == Severity::Unknown {
        // An unrated vulnerability is not a minor one: it is shown, not buried.
        "warning"
    } else {
        "notice"
    }
}

/// An input that could not be read, as an `error` annotation.
pub(crate) fn input_error(out: &mut String, e: &seaworthy_core::InputError) {
    let mut props = Vec::new();
    if !is_pseudo_path(&e.path) {
        props.push(("file", e.path.clone()));
        if let Some(l) = e.line {
            props.push(("line", l.to_string()));
            if let Some(c) = e.column {
                props.push(("col", c.to_string()));
            }
        }
    }
    props.push(("title", "seaworthy: input error".to_string()));
    let message = if is_pseudo_path(&e.path) {
        terminal_safe(&e.display())
    } else {
        terminal_safe(&e.message)
    };
    command(out, "error", &props, &message);
}

/// One finding as an annotation of `kind`.
pub(crate) fn finding(out: &mut String, kind: &str, f: &Finding) {
    let mut props = Vec::new();
    let dockerfile = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref());
    let (path, span) = match (&f.location, dockerfile) {
        (Location::File { path, span }, _) => (path.as_str(), *span),
        (Location::Image { .. }, Some(d)) => (d.path.as_str(), line_span(d.line)),
        (Location::Image { image, .. }, None) => (image.as_str(), Span::default()),
        (
            Location::Host { host: name, .. }
            | Location::Container {
                container: name, ..
            },
            _,
        ) => (name.as_str(), Span::default()),
    };
    let pseudo = is_pseudo_path(path)
        || !matches!(f.location, Location::File { .. }) && dockerfile.is_none();
    if !pseudo && span.start.line > 0 {
        let (s, e) = (span.start, span.end);
        props.push(("file", path.replace('\\', "/")));
        props.push(("line", s.line.to_string()));
        if e.line <= s.line {
            props.push(("col", s.column.max(1).to_string()));
            props.push(("endLine", s.line.to_string()));
            let end = e.column.max(s.column).max(1);
            props.push(("endColumn", end.to_string()));
        } else {
            props.push(("endLine", e.line.to_string()));
        }
    }
    props.push(("title", format!("{} {}", f.rule_id, f.title)));
    let mut message = format!("{} ({})", terminal_safe(&f.message), f.severity);
    if pseudo {
        message = format!("{}: {message}", terminal_safe(&f.location.display()));
    }
    if !f.remediation.is_empty() {
        let _ = write!(message, "\nhelp: {}", terminal_safe(&f.remediation));
    }
    command(out, kind, &props, &message);
}

/// A whole line, for findings that only know their line.
fn line_span(line: u32) -> Span {
    let at = seaworthy_core::Position {
        line,
        column: 1,
        offset: 0,
    };
    Span { start: at, end: at }
}

/// `<stdin>` and the like: nothing GitHub could attach an annotation to.
fn is_pseudo_path(path: &str) -> bool {
    path.is_empty() || (path.starts_with('<') && path.ends_with('>'))
}

fn command(out: &mut String, kind: &str, props: &[(&str, String)], message: &str) {
    out.push_str("::");
    out.push_str(kind);
    for (i, (key, value)) in props.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ',' });
        out.push_str(key);
        out.push('=');
        out.push_str(&escape_property(&terminal_safe(value)));
    }
    out.push_str("::");
    out.push_str(&escape_data(message));
    out.push('\n');
}

/// Escaping of a command's message, as in `@actions/core`'s `escapeData`; any other control
/// character (none should be left by now) shows as a visible escape.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => push_safe(&mut out, c),
        }
    }
    out
}

/// Escaping of a property value, as in `@actions/core`'s `escapeProperty`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("C:\\x,y%\n"), "C%3A\\x%2Cy%25%0A");
        assert_eq!(
            escape_data("a\u{1b}[31m\u{7}\u{202e}"),
            "a\\x1b[31m\\x07\\u{202e}"
        );
    }

    #[test]
    fn input_text_never_starts_a_line_of_its_own() {
        let mut out = String::new();
        command(
            &mut out,
            "error",
            &[("file", "svc\n::error file=x::forged".into())],
            &terminal_safe("key\n::error file=x::forged\r\u{1b}[2J"),
        );
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(!out.contains(['\u{1b}', '\r']), "{out}");
        assert_eq!(
            out,
            "::error file=svc\\n%3A%3Aerror file=x%3A%3Aforged::key\\n::error file=x::forged\\r\\x1b[2J\n"
        );
    }

    #[test]
    fn command_line() {
        let mut out = String::new();
        command(
            &mut out,
            "warning",
            &[("file", "a,b.txt".into()), ("title", "T: x".into())],
            "m",
        );
        assert_eq!(out, "::warning file=a%2Cb.txt,title=T%3A x::m\n");
    }
}
