//! Human output: findings grouped by file, each with a code frame, then a one-line summary.
//!
//! ```text
//! Dockerfile
//!
//! high SW-DF-003 Base image without a tag
//!   `FROM ubuntu` resolves to whatever `latest` is today
//!  --> Dockerfile:1:6
//!   |
//! 1 | FROM ubuntu
//!   |      ^^^^^^
//! help: Pin a tag and a digest.
//!
//! suppressed (1): SW-DF-012 at 4:1 [inline]
//! ```
//!
//! Colors come from `anstyle` and are written only when `RenderOptions::color` is set; without
//! it the output holds no escape sequence at all. Text from the inputs (messages, paths, source
//! lines) goes through [`terminal_safe`] so a hostile file cannot drive the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};
use seaworthy_core::{Finding, Location, Position, Report, Severity};

use crate::RenderOptions;
use crate::text::{count, push_safe, terminal_safe};

/// The styles of the table; all plain when color is off.
struct Palette {
    color: bool,
    path: Style,
    rule: Style,
    help: Style,
    dim: Style,
    error: Style,
    pass: Style,
    fail: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        let bold = Style::new().effects(Effects::BOLD);
        Palette {
            color,
            path: bold.effects(Effects::BOLD | Effects::UNDERLINE),
            rule: bold,
            help: AnsiColor::BrightCyan.on_default().effects(Effects::BOLD),
            dim: Style::new().effects(Effects::DIMMED),
            error: AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
            pass: AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
            fail: AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
        }
    }

    /// The same colors annotate-snippets uses for the matching level.
    fn severity(&self, s: Severity) -> Style {
        severity_style(s)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

/// Rules of this group report secrets: their findings get no code frame.
const SECRETS_GROUP: &str = "secrets";

fn snippet_level(s: Severity) -> Level<'static> {
    match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info | Severity::Unknown => Level::INFO,
    }
}

pub(crate) fn render(report: &Report, opts: &RenderOptions<'_>) -> String {
    let pal = Palette::new(opts.color);
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();

    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.location.path()).or_default().push(f);
    }
    for (path, findings) in &by_file {
        let is_file = findings
            .iter()
            .any(|f| matches!(f.location, Location::File { .. }));
        let source = is_file.then(|| SourceText::load(opts, path)).flatten();
        let _ = writeln!(out, "{}\n", pal.paint(pal.path, &terminal_safe(path)));
        for f in findings.iter().filter(|f| f.is_active()) {
            // Never echo the line of a secret into a terminal or CI log; its evidence is masked.
            let secret = opts
                .rule(&f.rule_id)
                .is_some_and(|m| m.group == SECRETS_GROUP);
            let source = if secret { None } else { source.as_ref() };
            finding(&mut out, &pal, &renderer, f, source);
            out.push('\n');
        }
        let suppressed: Vec<&&Finding> = findings.iter().filter(|f| !f.is_active()).collect();
        if !suppressed.is_empty() {
            let items: Vec<String> = suppressed
                .iter()
                .map(|f| {
                    let at = match &f.location {
                        Location::File { span, .. } => {
                            format!(" at {}:{}", span.start.line, span.start.column)
                        }
                        Location::Image { path: Some(p), .. } => format!(" at /{p}"),
                        Location::Image { path: None, .. } => String::new(),
                        Location::Host { object, .. } => format!(" at {object}"),
                        Location::Container { field, .. } => {
                            field.as_ref().map_or(String::new(), |f| format!(" at {f}"))
                        }
                    };
                    let kind = f.suppressed.as_ref().map_or("", |s| s.kind.as_str());
                    format!("{}{at} [{}]", f.rule_id, kind)
                })
                .collect();
            let line = format!(
                "suppressed ({}): {}",
                suppressed.len(),
                terminal_safe(&items.join(", "))
            );
            let _ = writeln!(out, "{}\n", pal.paint(pal.dim, &line));
        }
    }

    for e in &report.errors {
        let _ = writeln!(
            out,
            "{} {}",
            pal.paint(pal.error, "error:"),
            terminal_safe(&e.display())
        );
    }
    if !report.errors.is_empty() {
        out.push('\n');
    }

    summary(&mut out, &pal, report);
    out
}

fn finding(
    out: &mut String,
    pal: &Palette,
    renderer: &Renderer,
    f: &Finding,
    source: Option<&SourceText>,
) {
    let _ = writeln!(
        out,
        "{} {} {}",
        pal.paint(pal.severity(f.severity), f.severity.as_str()),
        pal.paint(pal.rule, &terminal_safe(&f.rule_id)),
        terminal_safe(&f.title)
    );
    for line in terminal_safe(&f.message).lines() {
        let _ = writeln!(out, "  {line}");
    }
    match source.and_then(|s| frame(renderer, f, s)) {
        Some(frame) => {
            for line in frame.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        None => {
            let _ = writeln!(out, "  --> {}", terminal_safe(&f.location.display()));
            if let Some(origin) = &f.origin {
                origin_lines(out, origin);
            }
            if let Some(evidence) = &f.evidence {
                let _ = writeln!(out, "  evidence: {}", terminal_safe(evidence));
            }
        }
    }
    if !f.remediation.is_empty() {
        let _ = writeln!(
            out,
            "  {} {}",
            pal.paint(pal.help, "help:"),
            terminal_safe(&f.remediation)
        );
    }
}

/// The text of one input plus the byte offset of each line start.
struct SourceText {
    path: String,
    text: String,
    starts: Vec<usize>,
}

impl SourceText {
    fn load(opts: &RenderOptions<'_>, path: &str) -> Option<Self> {
        let text = (opts.source)(path)?;
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Some(SourceText {
            path: path.to_string(),
            text,
            starts,
        })
    }

    /// Byte range of line `line` (1-based), without its line break.
    fn line(&self, line: u32) -> Option<(usize, usize)> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let mut end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some((start, end))
    }

    /// Byte offset of a line/column position (columns count characters). The column may point
    /// just past the end of the line. Positions come from line and column rather than `offset`
    /// so that a source with a stripped byte-order mark still lines up.
    fn offset(&self, pos: Position) -> Option<usize> {
        let (start, end) = self.line(pos.line)?;
        let col = usize::try_from(pos.column).ok()?.checked_sub(1)?;
        let line = self.text.get(start..end)?;
        if col == 0 {
            return Some(start);
        }
        match line.char_indices().nth(col) {
            Some((i, _)) => Some(start + i),
            None if line.chars().count() == col => Some(end),
            None => None,
        }
    }
}

/// Where an image finding came from: layer, build step, Dockerfile line, fix.
fn origin_lines(out: &mut String, origin: &seaworthy_core::Origin) {
    if let Some(d) = &origin.dockerfile {
        let what = match &d.base_image {
            Some(base) => format!("base image {base} (FROM)"),
            None => d.instruction.clone(),
        };
        let _ = writeln!(
            out,
            "  from: {}:{} {}",
            terminal_safe(&d.path),
            d.line,
            terminal_safe(&what)
        );
    }
    if let Some(layer) = origin.layer {
        let digest = origin.layer_digest.as_deref().unwrap_or_default();
        let short = digest.get(..19).unwrap_or(digest);
        let _ = writeln!(out, "  layer: {layer} {}", terminal_safe(short));
    }
    if let Some(step) = &origin.created_by {
        let step: String = step.chars().take(120).collect();
        let _ = writeln!(out, "  step: {}", terminal_safe(&step));
    }
    if let Some(fix) = &origin.fix {
        let _ = writeln!(out, "  fix: {}", terminal_safe(fix));
    }
}

/// The offending lines with the span underlined, or None when the span does not fit the text
/// (an edited file, a position past the end).
fn frame(renderer: &Renderer, f: &Finding, src: &SourceText) -> Option<String> {
    let Location::File { span, .. } = &f.location else {
        return None;
    };
    let start = src.offset(span.start)?;
    let mut end = if span.end.line == 0 {
        start
    } else {
        // An end past the text (a stale position) underlines the rest of the first line.
        src.offset(span.end)
            .or_else(|| src.line(span.start.line).map(|(_, le)| le))
            .unwrap_or(start)
            .max(start)
    };
    // A span that runs up to the start of the next line ends where its last line ends.
    while end > start && matches!(src.text.as_bytes().get(end - 1), Some(b'\n' | b'\r')) {
        end -= 1;
    }
    let end_line = u32::try_from(src.starts.partition_point(|&s| s <= end)).ok()?;
    let (first, _) = src.line(span.start.line)?;
    let (_, last) = src.line(end_line)?;
    let excerpt = src.text.get(first..last)?;

    // Sanitize the excerpt, mapping the span onto the sanitized text.
    let (rel_start, rel_end) = (start - first, end.min(last) - first);
    let mut safe = String::with_capacity(excerpt.len());
    let (mut new_start, mut new_end) = (None, None);
    for (i, c) in excerpt.char_indices() {
        if i == rel_start {
            new_start = Some(safe.len());
        }
        if i == rel_end {
            new_end = Some(safe.len());
        }
        match c {
            // The frame keeps the file's lines; a CR before a LF is part of the line break, a
            // lone CR (which would return to the start of the line) shows as `\r`.
            '\n' => safe.push('\n'),
            '\r' if excerpt[i + 1..].starts_with('\n') => {}
            '\t' => safe.push(' '),
            _ => push_safe(&mut safe, c),
        }
    }
    let new_start = new_start.unwrap_or(safe.len());
    let new_end = new_end.unwrap_or(safe.len()).max(new_start);

    let path = terminal_safe(&src.path);
    let report = [Group::with_level(snippet_level(f.severity)).element(
        Snippet::source(safe.as_str())
            .line_start(usize::try_from(span.start.line).ok()?)
            .path(path.as_str())
            .fold(true)
            .annotation(AnnotationKind::Primary.span(new_start..new_end)),
    )];
    Some(renderer.render(&report))
}

fn summary(out: &mut String, pal: &Palette, report: &Report) {
    let s = &report.summary;
    let active = s.critical + s.high + s.medium + s.low + s.info + s.unknown;
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .map(|&sev| {
            let n = match sev {
                Severity::Critical => s.critical,
                Severity::High => s.high,
                Severity::Medium => s.medium,
                Severity::Low => s.low,
                Severity::Info => s.info,
                Severity::Unknown => s.unknown,
            };
            (sev, n)
        })
        .filter(|&(_, n)| n > 0)
        .map(|(sev, n)| pal.paint(pal.severity(sev), &format!("{n} {sev}")))
        .collect();
    let mut line = if active == 0 {
        format!("No findings in {}", count(s.inputs, "input", "inputs"))
    } else {
        format!(
            "{} in {} ({})",
            count(active, "finding", "findings"),
            count(s.inputs, "input", "inputs"),
            by_severity.join(", ")
        )
    };
    let _ = write!(
        line,
        ", {} suppressed, {}: ",
        s.suppressed,
        count(s.errors, "error", "errors")
    );
    let verdict = if !report.errors.is_empty() {
        pal.paint(pal.fail, "ERROR (some inputs could not be assessed)")
    } else if report.report_only {
        pal.paint(pal.pass, "PASSED (report only)")
    } else if report.passed {
        pal.paint(pal.pass, "PASSED")
    } else {
        pal.paint(pal.fail, &format!("FAILED (fail-on: {})", report.fail_on))
    };
    let _ = writeln!(out, "{line}{verdict}");
}

/// A severity's color in every table (the colors annotate-snippets uses for the matching level).
pub(crate) fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => AnsiColor::BrightRed
            .on_default()
            .effects(Effects::BOLD | Effects::INVERT),
        Severity::High => AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
        Severity::Medium => AnsiColor::Yellow.on_default().effects(Effects::BOLD),
        Severity::Low => AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
        Severity::Info => AnsiColor::BrightBlue.on_default().effects(Effects::BOLD),
        Severity::Unknown => AnsiColor::Magenta.on_default().effects(Effects::BOLD),
    }
}
