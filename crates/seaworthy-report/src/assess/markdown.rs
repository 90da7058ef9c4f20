//! The assessment as GitHub-flavoured Markdown, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: the verdict, what changed against the baseline, one summary row per
//! area, the waivers to look at, then the gating items (capped per area). The whole text stays
//! under GitHub's comment limit.

use std::fmt::Write as _;

use super::escape::{md, md_code};
use super::{AreaKind, AreaReport, AreaStatus, Assessment, Item, Mode, WaiverNote};
use crate::text::count;

/// GitHub rejects comments longer than 65,536 characters; bytes are never fewer than characters.
pub const MARKDOWN_LIMIT: usize = 65_535;

/// Items listed per area and section; the rest are counted.
pub const ITEMS_PER_AREA: usize = 20;

/// A hidden marker, so a CI job can find and update its earlier comment.
const MARKER: &str = "<!-- seaworthy-assess -->";

pub fn render_markdown(a: &Assessment) -> String {
    let mut out = String::new();
    verdict(&mut out, a);
    if a.baseline.is_some() {
        what_changed(&mut out, a);
    }
    summary(&mut out, a);
    waivers(&mut out, a);
    problems(&mut out, a);
    fit(out, MARKDOWN_LIMIT)
}

/// `PASS`, `FAIL`, `WARN`, `ERROR`.
pub(crate) fn status_word(s: AreaStatus) -> &'static str {
    match s {
        AreaStatus::Pass => "PASS",
        AreaStatus::Fail => "FAIL",
        AreaStatus::Warn => "WARN",
        AreaStatus::Error => "ERROR",
    }
}

/// The run's verdict word: errors beat failures.
pub(crate) fn run_word(a: &Assessment) -> &'static str {
    if a.has_errors() {
        "ERROR"
    } else if a.passed {
        "PASS"
    } else {
        "FAIL"
    }
}

/// Where an item is, for one table cell: the package and image for a vulnerability, else the
/// location.
pub(crate) fn item_location(item: &Item) -> String {
    let place = match &item.vulnerability {
        Some(v) => format!(
            "{} {} in {}",
            v.package,
            v.version,
            item.finding.location.path()
        ),
        None => item.finding.location.display(),
    };
    let layer = item.finding.origin.as_ref().and_then(|o| o.layer);
    match (layer, item.from_base) {
        (Some(l), true) => format!("{place} (layer {l}, base image)"),
        (Some(l), false) => format!("{place} (layer {l})"),
        (None, true) => format!("{place} (base image)"),
        (None, false) => place,
    }
}

fn verdict(out: &mut String, a: &Assessment) {
    let _ = writeln!(out, "{MARKER}\n## seaworthy assess: {}\n", run_word(a));
    let gating = a.summary.gating;
    let failing: Vec<&str> = a
        .areas
        .iter()
        .filter(|r| r.status == AreaStatus::Fail)
        .map(|r| r.area.title())
        .collect();
    let mut reasons = Vec::new();
    if gating > 0 {
        reasons.push(format!(
            "{} ({})",
            count(gating, "gating item", "gating items"),
            failing.join(", ")
        ));
    }
    let expired = a.waivers.expired.len();
    if expired > 0 {
        reasons.push(count(expired, "expired waiver", "expired waivers"));
    }
    let errors: usize = a.areas.iter().map(|r| r.errors.len()).sum();
    if errors > 0 {
        reasons.push(count(errors, "input error", "input errors"));
    }
    let line = if reasons.is_empty() {
        "nothing gating".to_string()
    } else {
        reasons.join("; ")
    };
    let _ = writeln!(
        out,
        "**{}**: {line}. {} active, {} waived, in {} ({} {}, {} ms{}).\n",
        run_word(a),
        a.summary.active(),
        a.summary.waived,
        count(a.areas.len(), "area", "areas"),
        md(&a.tool),
        md(&a.version),
        a.duration_ms,
        match &a.config {
            Some(c) => format!(", config {}", md_code(c)),
            None => String::new(),
        }
    );
}

fn what_changed(out: &mut String, a: &Assessment) {
    let Some(b) = &a.baseline else { return };
    let _ = writeln!(out, "### What changed\n");
    let _ = writeln!(
        out,
        "Against {}: **{} new**, {} unchanged, {} resolved.{}\n",
        md_code(&b.path),
        a.summary.new,
        a.summary.unchanged,
        b.resolved.len(),
        if b.fail_on_new {
            " Only new items gate."
        } else {
            ""
        }
    );
    if b.resolved.is_empty() {
        return;
    }
    let _ = writeln!(out, "Resolved:\n");
    let _ = writeln!(
        out,
        "| Area | Rule | Severity | Title | Location |\n|---|---|---|---|---|"
    );
    for r in b.resolved.iter().take(ITEMS_PER_AREA) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.area.map_or("", AreaKind::title),
            md_code(&r.rule_id),
            r.severity.map_or("", |s| s.as_str()),
            md(r.title.as_deref().unwrap_or("")),
            md(r.location.as_deref().unwrap_or(""))
        );
    }
    more(out, b.resolved.len(), "resolved items");
    out.push('\n');
}

fn summary(out: &mut String, a: &Assessment) {
    let baseline = a.baseline.is_some();
    let unknown = super::table::has_unknown(a);
    let _ = writeln!(out, "### Areas\n");
    let _ = writeln!(
        out,
        "| Area | Mode | Status | Critical | High | Medium | Low | Info |{} Waived | New | Gating |\n\
         |---|---|---|--:|--:|--:|--:|--:|{}--:|--:|--:|",
        if unknown { " Unknown |" } else { "" },
        if unknown { "--:|" } else { "" },
    );
    let numbers = |t: &super::Totals| {
        let mut cells = vec![t.critical, t.high, t.medium, t.low, t.info];
        if unknown {
            cells.push(t.unknown);
        }
        cells.push(t.waived);
        let mut cells: Vec<String> = cells.iter().map(ToString::to_string).collect();
        cells.push(if baseline {
            t.new.to_string()
        } else {
            "-".to_string()
        });
        cells.push(t.gating.to_string());
        cells.join(" | ")
    };
    for r in &a.areas {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.area.title(),
            mode_word(r),
            status_word(r.status),
            numbers(&r.summary)
        );
    }
    let _ = writeln!(
        out,
        "| **All** | | **{}** | {} |",
        run_word(a),
        numbers(&a.summary)
    );
    out.push('\n');
    for r in &a.areas {
        if !r.checks.is_empty() {
            let [pass, warn, info, na] = r.check_counts();
            let _ = writeln!(
                out,
                "{} checks: {pass} pass, {warn} warn, {info} info, {na} not applicable.\n",
                r.area.title()
            );
        }
        for e in &r.errors {
            let _ = writeln!(out, "- {} error: {}", r.area.title(), md(&e.display()));
        }
        for n in &r.notes {
            let _ = writeln!(out, "- {} note: {}", r.area.title(), md(n));
        }
        if !r.errors.is_empty() || !r.notes.is_empty() {
            out.push('\n');
        }
    }
}

/// `gate (≥ high)`: the mode and the threshold it applies, with the vulnerability gates besides
/// it (`gate (≥ high, fail-on-kev)`).
fn mode_word(r: &AreaReport) -> String {
    let mode = match r.mode {
        Mode::Gate => "gate",
        Mode::Report => "report",
    };
    let mut settings = vec![format!("≥ {}", r.fail_on)];
    settings.extend(r.risk_settings());
    format!("{mode} ({})", settings.join(", "))
}

/// The severity cell of an item: `critical`, `critical KEV EPSS 94%`.
pub(crate) fn severity_cell(i: &Item) -> String {
    match i
        .vulnerability
        .as_ref()
        .map(super::VulnDetail::exploit_marker)
    {
        Some(m) if !m.is_empty() => format!("{} {m}", i.finding.severity),
        _ => i.finding.severity.to_string(),
    }
}

fn waivers(out: &mut String, a: &Assessment) {
    let w = &a.waivers;
    if w.expired.is_empty() && w.unused.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Waivers\n");
    if !w.expired.is_empty() {
        let _ = writeln!(
            out,
            "**Expired** (each fails the run until renewed or removed):\n"
        );
        waiver_table(out, &w.expired);
    }
    if !w.unused.is_empty() {
        let _ = writeln!(out, "Unused (matched nothing; remove them):\n");
        waiver_table(out, &w.unused);
    }
}

fn waiver_table(out: &mut String, notes: &[WaiverNote]) {
    let _ = writeln!(
        out,
        "| Waiver | Source | Reason | Expires |\n|---|---|---|---|"
    );
    for n in notes.iter().take(ITEMS_PER_AREA) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_code(&n.id),
            md(&n.source),
            md(&n.reason),
            md(n.expires.as_deref().unwrap_or(""))
        );
    }
    more(out, notes.len(), "waivers");
    out.push('\n');
}

/// Gating items of each area; for a report area, the active items at or above its threshold.
fn problems(out: &mut String, a: &Assessment) {
    let mut any = false;
    for r in &a.areas {
        let (heading, items): (&str, Vec<&Item>) = match r.mode {
            Mode::Gate => ("gating", r.items.iter().filter(|i| i.gating).collect()),
            Mode::Report => (
                "at or above the threshold, not gating",
                r.items
                    .iter()
                    .filter(|i| !i.is_waived() && r.reaches_threshold(i))
                    .collect(),
            ),
        };
        if items.is_empty() {
            continue;
        }
        if !any {
            let _ = writeln!(out, "### Items to fix\n");
            any = true;
        }
        let _ = writeln!(out, "#### {}: {} {heading}\n", r.area.title(), items.len());
        let _ = writeln!(
            out,
            "| Rule | Severity | Location | Title |\n|---|---|---|---|"
        );
        for i in items.iter().take(ITEMS_PER_AREA) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_code(&i.finding.rule_id),
                md(&severity_cell(i)),
                md(&item_location(i)),
                md(&i.finding.title)
            );
        }
        more(out, items.len(), "items");
        out.push('\n');
    }
    if !any {
        let _ = writeln!(out, "No gating items.\n");
    }
}

/// `…and 12 more items.` under a capped table.
fn more(out: &mut String, total: usize, what: &str) {
    if total > ITEMS_PER_AREA {
        let _ = writeln!(out, "\n…and {} more {what}.", total - ITEMS_PER_AREA);
    }
}

/// Cuts `text` at a line end so it fits in `limit` bytes with a closing note.
fn fit(mut text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    const NOTE: &str = "\n\n**Truncated**: the report is longer than a GitHub comment; \
                        see the full report (HTML or JSON) for the rest.\n";
    let room = limit.saturating_sub(NOTE.len());
    let mut cut = room;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = text[..cut].rfind('\n').unwrap_or(0);
    text.truncate(cut);
    text.push_str(NOTE);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_a_line_end_under_the_limit() {
        let long = "a line of text\n".repeat(100);
        let cut = fit(long.clone(), 300);
        assert!(cut.len() <= 300, "{}", cut.len());
        assert!(cut.ends_with("for the rest.\n"));
        assert!(cut.starts_with("a line of text\n"));
        let before_note = cut.split("\n\n**Truncated**").next().unwrap_or_default();
        assert!(before_note.lines().all(|l| l == "a line of text"));
        assert_eq!(fit("short\n".to_string(), 300), "short\n");
    }
}
