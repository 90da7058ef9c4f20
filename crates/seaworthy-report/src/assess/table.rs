//! The assessment for a terminal or CI log: what changed since the baseline, a summary row per
//! area, the waivers worth a look, then each area's items (gating first) and the verdict.
//!
//! ```text
//! What changed since previous.json: 3 new, 11 unchanged, 1 resolved
//!
//! area         mode    status  critical  high  medium  low  info  waived  new  gating
//! Dockerfile   gate    FAIL           1     1       1    1     1       2    1       2
//! …            (an `unknown` column after `info` when some vulnerability is unrated)
//! …
//! FAILED: 5 gating items (Dockerfile, Image, Container), 1 expired waiver
//! ```
//!
//! Colors (anstyle, as in the findings table) only when asked; text from the inputs goes
//! through [`terminal_safe`].

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use seaworthy_core::{Finding, Severity};

use super::{AreaReport, AreaStatus, Assessment, Change, Item, Totals, WaiverNote};
use crate::table::severity_style;
use crate::text::{count, terminal_safe};

/// Non-gating items shown in full per area (active and waived each); the rest are counted.
const MAX_DETAILS: usize = 10;
/// New items listed under "What changed".
const MAX_NEW_LISTED: usize = 10;

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::BOLD), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::DIMMED), text)
    }

    fn severity(&self, s: Severity) -> String {
        self.paint(severity_style(s), s.as_str())
    }

    fn status(&self, s: AreaStatus, text: &str) -> String {
        let style = match s {
            AreaStatus::Pass => AnsiColor::BrightGreen.on_default(),
            AreaStatus::Warn => AnsiColor::Yellow.on_default(),
            AreaStatus::Fail | AreaStatus::Error => AnsiColor::BrightRed.on_default(),
        };
        self.paint(style.effects(Effects::BOLD), text)
    }

    fn marker(&self, text: &str) -> String {
        self.paint(
            AnsiColor::BrightMagenta.on_default().effects(Effects::BOLD),
            text,
        )
    }
}

pub fn render_table(a: &Assessment, color: bool) -> String {
    let pal = Palette { color };
    let mut out = String::new();
    changes(&mut out, &pal, a);
    summary_table(&mut out, &pal, a);
    waivers(&mut out, &pal, a);
    for area in &a.areas {
        details(&mut out, &pal, area);
    }
    verdict(&mut out, &pal, a);
    out
}

fn status_text(s: AreaStatus) -> &'static str {
    match s {
        AreaStatus::Pass => "PASS",
        AreaStatus::Fail => "FAIL",
        AreaStatus::Warn => "WARN",
        AreaStatus::Error => "ERROR",
    }
}

/// "What changed": counts against the baseline, the new items and the resolved ones.
fn changes(out: &mut String, pal: &Palette, a: &Assessment) {
    let Some(b) = &a.baseline else {
        return;
    };
    let _ = writeln!(
        out,
        "{} {}: {} new, {} unchanged, {} resolved",
        pal.bold("What changed since"),
        pal.bold(&terminal_safe(&b.path)),
        b.new,
        b.unchanged,
        b.resolved.len()
    );
    let new: Vec<(&AreaReport, &Item)> = a
        .areas
        .iter()
        .flat_map(|area| area.items.iter().map(move |i| (area, i)))
        .filter(|(_, i)| !i.is_waived() && i.change == Some(Change::New))
        .collect();
    for (area, i) in new.iter().take(MAX_NEW_LISTED) {
        let f = &i.finding;
        let _ = writeln!(
            out,
            "  {} {} {} ({}, {})",
            pal.marker("new"),
            pal.severity(f.severity),
            headline(pal, &f.rule_id, &f.title),
            area.area.title(),
            terminal_safe(&f.location.display())
        );
    }
    if new.len() > MAX_NEW_LISTED {
        let _ = writeln!(out, "  … and {} more new", new.len() - MAX_NEW_LISTED);
    }
    for r in &b.resolved {
        let mut line = format!(
            "  {} ",
            pal.paint(AnsiColor::BrightGreen.on_default(), "resolved")
        );
        if let Some(s) = r.severity {
            let _ = write!(line, "{} ", pal.severity(s));
        }
        match &r.title {
            Some(t) => line.push_str(&headline(pal, &r.rule_id, t)),
            None => line.push_str(&pal.bold(&terminal_safe(&r.rule_id))),
        }
        let place: Vec<String> = r
            .area
            .map(|k| k.title().to_string())
            .into_iter()
            .chain(r.location.as_deref().map(terminal_safe))
            .collect();
        if !place.is_empty() {
            let _ = write!(line, " ({})", place.join(", "));
        }
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
}

/// One row per area plus a total row; numbers right-aligned. An `unknown` column (vulnerabilities
/// no source rates) only when the run has such items.
fn summary_table(out: &mut String, pal: &Palette, a: &Assessment) {
    const HEAD: [&str; 12] = [
        "area", "mode", "status", "critical", "high", "medium", "low", "info", "unknown", "waived",
        "new", "gating",
    ];
    const UNKNOWN: usize = 8;
    let has_baseline = a.baseline.is_some();
    let show_unknown = has_unknown(a);
    let numbers = |t: &Totals| -> [String; 9] {
        let new = if has_baseline {
            t.new.to_string()
        } else {
            "-".to_string()
        };
        [
            t.critical.to_string(),
            t.high.to_string(),
            t.medium.to_string(),
            t.low.to_string(),
            t.info.to_string(),
            t.unknown.to_string(),
            t.waived.to_string(),
            new,
            t.gating.to_string(),
        ]
    };
    let mut rows: Vec<(Option<AreaStatus>, [String; 3], [String; 9])> = a
        .areas
        .iter()
        .map(|area| {
            (
                Some(area.status),
                [
                    area.area.title().to_string(),
                    match area.mode {
                        super::Mode::Gate => "gate",
                        super::Mode::Report => "report",
                    }
                    .to_string(),
                    status_text(area.status).to_string(),
                ],
                numbers(&area.summary),
            )
        })
        .collect();
    if a.areas.len() > 1 {
        rows.push((
            None,
            ["total".to_string(), String::new(), String::new()],
            numbers(&a.summary),
        ));
    }
    let shown = |i: &usize| show_unknown || *i != UNKNOWN;
    let mut widths: Vec<usize> = HEAD.iter().map(|h| h.chars().count()).collect();
    for (_, text, nums) in &rows {
        for (w, cell) in widths.iter_mut().zip(text.iter().chain(nums.iter())) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = HEAD.len() - 1;
    let mut head = String::new();
    for (i, h) in HEAD.iter().enumerate().filter(|(i, _)| shown(i)) {
        head.push_str(&pad(h, widths[i], i >= 3));
        head.push_str(if i < last { "  " } else { "" });
    }
    let _ = writeln!(out, "{}", pal.bold(head.trim_end()));
    for (status, text, nums) in &rows {
        let mut line = String::new();
        for (i, cell) in text
            .iter()
            .chain(nums.iter())
            .enumerate()
            .filter(|(i, _)| shown(i))
        {
            let padded = pad(cell, widths[i], i >= 3);
            let painted = match (i, status) {
                (2, Some(s)) => pal.status(*s, &padded),
                (0, None) => pal.bold(&padded),
                _ => padded,
            };
            line.push_str(&painted);
            line.push_str(if i < last { "  " } else { "" });
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push('\n');
}

/// Whether any item of the run has the `unknown` severity (active or waived).
pub(crate) fn has_unknown(a: &Assessment) -> bool {
    a.areas
        .iter()
        .flat_map(|r| &r.items)
        .any(|i| i.finding.severity == Severity::Unknown)
}

fn pad(text: &str, width: usize, right: bool) -> String {
    if right {
        format!("{text:>width$}")
    } else {
        format!("{text:<width$}")
    }
}

fn waivers(out: &mut String, pal: &Palette, a: &Assessment) {
    let w = &a.waivers;
    if w.expired.is_empty() && w.unused.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", pal.bold("Waivers"));
    let note = |n: &WaiverNote| {
        let mut s = format!(
            "{} ({})",
            pal.bold(&terminal_safe(&n.id)),
            terminal_safe(&n.source)
        );
        if let Some(e) = &n.expires {
            let _ = write!(s, " expires {}", terminal_safe(e));
        }
        if !n.reason.is_empty() {
            let _ = write!(s, ": {}", terminal_safe(&n.reason));
        }
        s
    };
    for n in &w.expired {
        let _ = writeln!(
            out,
            "  {} {} {}",
            pal.status(AreaStatus::Fail, "expired"),
            note(n),
            pal.status(AreaStatus::Fail, "(fails the run)")
        );
    }
    for n in &w.unused {
        let _ = writeln!(
            out,
            "  {} {} {}",
            pal.status(AreaStatus::Warn, "unused"),
            note(n),
            pal.dim("(matched nothing)")
        );
    }
    out.push('\n');
}

/// An area's heading, targets, errors, check counts and items.
fn details(out: &mut String, pal: &Palette, area: &AreaReport) {
    let mode = match area.mode {
        super::Mode::Gate => "gate",
        super::Mode::Report => "report",
    };
    let _ = writeln!(
        out,
        "{} {} {}",
        pal.bold(&format!(
            "{} ({mode}, fail-on {}{})",
            area.area.title(),
            area.fail_on,
            area.risk_settings()
                .iter()
                .map(|s| format!(", {s}"))
                .collect::<String>()
        )),
        pal.status(area.status, status_text(area.status)),
        pal.dim(&format!("{} ms", area.duration_ms))
    );
    if !area.targets.is_empty() {
        let targets: Vec<String> = area.targets.iter().map(|t| terminal_safe(t)).collect();
        let _ = writeln!(out, "  targets: {}", targets.join(", "));
    }
    for e in &area.errors {
        let _ = writeln!(
            out,
            "  {} {}",
            pal.status(AreaStatus::Error, "error:"),
            terminal_safe(&e.display())
        );
    }
    if !area.checks.is_empty() {
        let [pass, warn, info, na] = area.check_counts();
        let _ = writeln!(
            out,
            "  checks: {pass} pass, {warn} warn, {info} info, {na} n/a"
        );
    }
    for n in &area.notes {
        let _ = writeln!(out, "  {} {}", pal.dim("note:"), terminal_safe(n));
    }
    if area.items.is_empty() {
        let _ = writeln!(out, "  no findings");
    }
    out.push('\n');

    let (gating, rest): (Vec<&Item>, Vec<&Item>) = area.items.iter().partition(|i| i.gating);
    let (waived, active): (Vec<&Item>, Vec<&Item>) = rest.into_iter().partition(|i| i.is_waived());
    for i in &gating {
        item(out, pal, area, i);
    }
    for i in active.iter().take(MAX_DETAILS) {
        item(out, pal, area, i);
    }
    if active.len() > MAX_DETAILS {
        let _ = writeln!(
            out,
            "  … and {} more below the gate (all are in --format json)\n",
            active.len() - MAX_DETAILS
        );
    }
    if !waived.is_empty() {
        let _ = writeln!(out, "  {}", pal.dim(&format!("waived ({}):", waived.len())));
        for i in waived.iter().take(MAX_DETAILS) {
            let f = &i.finding;
            let _ = writeln!(
                out,
                "    {} {} {} {}",
                f.severity.as_str(),
                terminal_safe(&f.rule_id),
                terminal_safe(&f.location.display()),
                pal.dim(&format!("[{}]", suppression_text(f)))
            );
        }
        if waived.len() > MAX_DETAILS {
            let _ = writeln!(out, "    … and {} more", waived.len() - MAX_DETAILS);
        }
        out.push('\n');
    }
}

/// `kind source: reason (expires …)`.
fn suppression_text(f: &Finding) -> String {
    let Some(s) = &f.suppressed else {
        return String::new();
    };
    let mut t = s.kind.clone();
    if let Some(src) = &s.source {
        let _ = write!(t, " {src}");
    }
    if let Some(r) = &s.reason {
        let _ = write!(t, ": {r}");
    }
    if let Some(e) = &s.expires {
        let _ = write!(t, " (expires {e})");
    }
    terminal_safe(&t)
}

/// The rule id (bold) and the title, without repeating the id an advisory title starts with
/// (`CVE-2024-45491 in libexpat1`).
fn headline(pal: &Palette, rule_id: &str, title: &str) -> String {
    let rest = match title.strip_prefix(rule_id) {
        Some(rest) => rest.to_string(),
        None => format!(" {title}"),
    };
    format!(
        "{}{}",
        pal.bold(&terminal_safe(rule_id)),
        terminal_safe(&rest)
    )
}

fn item(out: &mut String, pal: &Palette, area: &AreaReport, i: &Item) {
    let f = &i.finding;
    let mut head = format!("  {}", pal.severity(f.severity));
    let marker = i
        .vulnerability
        .as_ref()
        .map(super::VulnDetail::exploit_marker)
        .unwrap_or_default();
    if !marker.is_empty() {
        let _ = write!(
            head,
            " {}",
            pal.paint(severity_style(Severity::Critical), &marker)
        );
    }
    let _ = write!(head, " {}", headline(pal, &f.rule_id, &f.title));
    if i.gating {
        let gating = match area.exploit_reason(i) {
            Some(why) => format!("GATING ({})", why.to_ascii_uppercase()),
            None => "GATING".to_string(),
        };
        let _ = write!(head, " {}", pal.status(AreaStatus::Fail, &gating));
    }
    if i.change == Some(Change::New) {
        let _ = write!(head, " {}", pal.marker("NEW"));
    }
    if i.from_base {
        let _ = write!(head, " {}", pal.dim("BASE"));
    }
    let _ = writeln!(out, "{head}");
    for line in terminal_safe(&f.message).lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out, "    --> {}", terminal_safe(&f.location.display()));
    if let Some(d) = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref()) {
        let what = match &d.base_image {
            Some(base) => format!("{} {base}", d.instruction),
            None => d.instruction.clone(),
        };
        let _ = writeln!(
            out,
            "    from: {}:{} {}",
            terminal_safe(&d.path),
            d.line,
            terminal_safe(&what)
        );
    }
    if let Some(e) = &f.evidence {
        let _ = writeln!(out, "    evidence: {}", terminal_safe(e));
    }
    if let Some(v) = &i.vulnerability {
        let facts = v.facts();
        if !facts.is_empty() {
            let _ = writeln!(out, "    risk: {}", terminal_safe(&facts.join("; ")));
        }
    }
    // The precise fix, unless the remediation below already says it.
    let fix = f.origin.as_ref().and_then(|o| o.fix.as_ref());
    if let Some(fix) = fix.filter(|x| **x != f.remediation) {
        let _ = writeln!(out, "    fix: {}", terminal_safe(fix));
    }
    if !f.remediation.is_empty() {
        let _ = writeln!(
            out,
            "    {} {}",
            pal.paint(
                AnsiColor::BrightCyan.on_default().effects(Effects::BOLD),
                "help:"
            ),
            terminal_safe(&f.remediation)
        );
    }
    if f.suppressed.is_some() {
        let _ = writeln!(out, "    waived: {}", suppression_text(f));
    }
    out.push('\n');
}

/// The last line: the run's verdict and why.
fn verdict(out: &mut String, pal: &Palette, a: &Assessment) {
    let failing: Vec<&str> = a
        .areas
        .iter()
        .filter(|x| x.status == AreaStatus::Fail)
        .map(|x| x.area.title())
        .collect();
    let warning: Vec<&str> = a
        .areas
        .iter()
        .filter(|x| x.status == AreaStatus::Warn)
        .map(|x| x.area.title())
        .collect();
    let mut reasons = Vec::new();
    if a.summary.gating > 0 {
        reasons.push(format!(
            "{} ({})",
            count(a.summary.gating, "gating item", "gating items"),
            failing.join(", ")
        ));
    }
    if !a.waivers.expired.is_empty() {
        reasons.push(count(
            a.waivers.expired.len(),
            "expired waiver",
            "expired waivers",
        ));
    }
    let line = if a.has_errors() {
        let broken: Vec<&str> = a
            .areas
            .iter()
            .filter(|x| x.status == AreaStatus::Error)
            .map(|x| x.area.title())
            .collect();
        let mut s = format!("ERROR: could not assess {}", broken.join(", "));
        if !reasons.is_empty() {
            let _ = write!(s, "; {}", reasons.join(", "));
        }
        pal.status(AreaStatus::Error, &s)
    } else if a.passed {
        let mut s = pal.status(AreaStatus::Pass, "PASSED");
        if !warning.is_empty() {
            let _ = write!(s, " (warnings in {})", warning.join(", "));
        }
        s
    } else {
        pal.status(AreaStatus::Fail, &format!("FAILED: {}", reasons.join(", ")))
    };
    let _ = writeln!(out, "{line}");
}
