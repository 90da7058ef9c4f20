//! The vulnerability report for people: a header about the image and the database, a summary,
//! then one row per match.
//!
//! ```text
//! Image     debian:12
//! Digests   manifest sha256:0123456789ab, config sha256:abcdef012345
//! OS        Debian GNU/Linux 12 (bookworm)
//! Packages  120 scanned
//! Database  built 2025-01-01T00:00:00Z from debian-tracker, osv
//!
//! 2 vulnerabilities in 1 package: 0 critical, 1 high, 1 medium, 0 low, 0 info
//! 1 with a fix, 1 no-dsa
//!
//! SEVERITY  ID                      PACKAGE  INSTALLED           FIXED               LAYER                       TITLE
//! high      CVE-2024-5535 +1 alias  libssl3  3.0.11-1~deb12u2    3.0.14-1~deb12u1    0 1a2b3c4d5e6f ADD file:…   SSL_select_next_proto…
//! ```
//!
//! Columns are aligned by hand, long cells cut with `…`, so the table reads the same at any
//! terminal width. Colors only when asked; text from the image and the database goes through
//! [`terminal_safe`] so it cannot drive the terminal.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use seaworthy_core::{Scanner, Severity};
use seaworthy_vulndb::{MatchStatus, VulnMatch};

use super::{VulnReportInput, counts, cut, os_name, short_digest};
use crate::sbom::clean_created_by;
use crate::text::{count, percent, terminal_safe};

const HEADERS: [&str; 8] = [
    "SEVERITY",
    "EXPLOIT",
    "ID",
    "PACKAGE",
    "INSTALLED",
    "FIXED",
    "LAYER",
    "TITLE",
];
/// Widest a cell may be, per column.
const MAX_WIDTHS: [usize; 8] = [8, 16, 40, 40, 32, 32, 80, 60];
/// Widest the layer command may be inside the LAYER cell.
const MAX_COMMAND: usize = 60;

/// Column indexes, for painting.
const SEVERITY: usize = 0;
const EXPLOIT: usize = 1;
const ID: usize = 2;
const FIXED: usize = 5;
const LAYER: usize = 6;

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

    /// The colors of the findings table.
    fn severity(&self, s: Severity) -> Style {
        crate::table::severity_style(s)
    }
}

/// One row: the cells, and what the colors need to know.
struct Row {
    cells: [String; 8],
    /// Listed in CISA KEV.
    exploited: bool,
    severity: Severity,
    has_fix: bool,
}

pub(crate) fn render(input: &VulnReportInput<'_>, color: bool) -> String {
    let pal = Palette { color };
    let mut out = String::new();
    header(&mut out, &pal, input);
    out.push('\n');

    let counts = counts(input.matches);
    let packages = input.inventory.packages.len();
    if !input.scanners.contains(&Scanner::Vuln) {
        let _ = writeln!(
            out,
            "Vulnerabilities not looked for: the vuln scanner did not run (--scanners)."
        );
    } else if input.matches.is_empty() && input.uncovered.iter().any(|u| u.packages > 0) {
        // Not a clean bill of health: some packages were never looked up.
        let unchecked: usize = input.uncovered.iter().map(|u| u.packages).sum();
        let _ = writeln!(
            out,
            "{}",
            pal.paint(
                AnsiColor::BrightYellow.on_default().effects(Effects::BOLD),
                &format!(
                    "No known vulnerabilities in the {} checked; {} not checked.",
                    count(packages.saturating_sub(unchecked), "package", "packages"),
                    unchecked
                )
            )
        );
        hidden(&mut out, input.ignored_unfixed);
        uncovered(&mut out, &pal, input);
        incomplete(&mut out, input);
    } else if input.matches.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            pal.paint(
                AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
                &format!(
                    "No known vulnerabilities in {}.",
                    count(packages, "package", "packages")
                )
            )
        );
        hidden(&mut out, input.ignored_unfixed);
        incomplete(&mut out, input);
    } else {
        let severities: Vec<String> = counts
            .by_severity
            .iter()
            .map(|&(s, n)| {
                let text = format!("{n} {s}");
                if n > 0 {
                    pal.paint(pal.severity(s), &text)
                } else {
                    text
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "{} in {}: {}",
            count(input.matches.len(), "vulnerability", "vulnerabilities"),
            count(counts.affected_packages, "package", "packages"),
            severities.join(", ")
        );
        let statuses: Vec<String> = counts
            .by_status
            .iter()
            .filter(|&&(_, n)| n > 0)
            .map(|&(s, n)| match s {
                MatchStatus::Fixed => format!("{n} with a fix"),
                other => format!("{n} {}", other.as_str()),
            })
            .collect();
        let _ = writeln!(out, "{}", statuses.join(", "));
        risk_lines(&mut out, &pal, input);
        hidden(&mut out, input.ignored_unfixed);
        uncovered(&mut out, &pal, input);
        incomplete(&mut out, input);
        out.push('\n');
        table(&mut out, &pal, input);
    }

    findings(&mut out, &pal, input);
    waived(&mut out, input);
    out.push_str(&crate::sbom::problems(input.inventory, color));

    if let Some(gate) = input.gate_label() {
        out.push('\n');
        let failing = input.failing();
        let failing_findings = input.failing_findings();
        let verdict = if failing == 0 && failing_findings == 0 {
            pal.paint(
                AnsiColor::BrightGreen.on_default().effects(Effects::BOLD),
                &format!("PASSED ({gate})"),
            )
        } else {
            let mut what = Vec::new();
            if failing > 0 {
                what.push(count(failing, "vulnerability", "vulnerabilities"));
            }
            if failing_findings > 0 {
                what.push(count(failing_findings, "image finding", "image findings"));
            }
            let at = match input.fail_on {
                Some(t) if input.scanner_fail_on.is_empty() => t.to_string(),
                _ => "their threshold".to_string(),
            };
            let text = format!("FAILED ({gate}): {} at or above {at}", what.join(" and "));
            pal.paint(
                AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
                &text,
            )
        };
        let _ = writeln!(out, "{verdict}");
    }
    out
}

/// The image's configuration, secret and trust findings, worst first, each with where it came from.
fn findings(out: &mut String, pal: &Palette, input: &VulnReportInput<'_>) {
    if input.findings.is_empty() && input.ignored_base == 0 {
        return;
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        pal.paint(
            Style::new().effects(Effects::BOLD),
            &format!("Image findings ({})", input.findings.len())
        )
    );
    let mut sorted: Vec<&seaworthy_core::Finding> = input.findings.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.sort_key().cmp(&b.sort_key()))
    });
    for f in sorted {
        let _ = writeln!(
            out,
            "{} {} {}",
            pal.paint(pal.severity(f.severity), f.severity.as_str()),
            safe(&f.rule_id),
            safe(&f.message)
        );
        if let seaworthy_core::Location::Image { path: Some(p), .. } = &f.location {
            let _ = writeln!(out, "  path: /{}", safe(p));
        }
        if let Some(o) = &f.origin {
            if let Some(d) = &o.dockerfile {
                let what = match &d.base_image {
                    Some(base) => format!("FROM {base} (base image)"),
                    None => d.instruction.clone(),
                };
                let _ = writeln!(out, "  from: {}:{} {}", safe(&d.path), d.line, safe(&what));
            } else if let Some(step) = &o.created_by {
                let _ = writeln!(out, "  step: {}", cut(&safe(step), 100));
            }
            if let Some(layer) = o.layer {
                let digest = o
                    .layer_digest
                    .as_deref()
                    .map(short_digest)
                    .unwrap_or_default();
                let _ = writeln!(out, "  layer: {layer} {digest}");
            }
            if let Some(fix) = &o.fix {
                let _ = writeln!(out, "  fix: {}", safe(fix));
            }
        }
        if let Some(e) = &f.evidence {
            let _ = writeln!(out, "  evidence: {}", cut(&safe(e), 100));
        }
        if !f.remediation.is_empty() {
            let _ = writeln!(out, "  help: {}", safe(&f.remediation));
        }
    }
    if input.ignored_base > 0 {
        let _ = writeln!(
            out,
            "{} from base-image layers not shown (--ignore-base)",
            count(input.ignored_base, "finding", "findings")
        );
    }
}

/// One line, terminal escapes neutralised.
fn safe(s: &str) -> String {
    terminal_safe(&one_line(s))
}

/// `Image`, `Digests`, `OS`, `Packages`, `Database`, one per line.
fn header(out: &mut String, pal: &Palette, input: &VulnReportInput<'_>) {
    let image = input.image;
    let mut lines: Vec<(&str, String)> = vec![("Image", image.reference.clone())];
    let digests: Vec<String> = [
        ("manifest", &image.manifest_digest),
        ("config", &image.config_digest),
    ]
    .into_iter()
    .filter_map(|(what, d)| {
        d.as_ref()
            .map(|d| format!("{what} {}:{}", d.algorithm(), d.short()))
    })
    .collect();
    if !digests.is_empty() {
        lines.push(("Digests", digests.join(", ")));
    }
    lines.push(("OS", os_name(input.inventory)));
    lines.push((
        "Packages",
        format!("{} scanned", input.inventory.packages.len()),
    ));
    if input.scanners.contains(&Scanner::Vuln) {
        let built = if input.db.built.is_empty() {
            "unknown"
        } else {
            input.db.built.as_str()
        };
        let mut db = format!("built {built}");
        if !input.db.sources.is_empty() {
            let mut sources: Vec<&str> = input.db.sources.iter().map(String::as_str).collect();
            sources.sort_unstable();
            sources.dedup();
            let _ = write!(db, " from {}", sources.join(", "));
        }
        lines.push(("Database", db));
    }
    if input.scanners.len() < Scanner::ALL.len() {
        let names: Vec<&str> = input.scanners.iter().map(|s| s.name()).collect();
        lines.push(("Scanners", names.join(", ")));
    }

    let bold = Style::new().effects(Effects::BOLD);
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in lines {
        let pad = width.saturating_sub(key.len()).saturating_add(2);
        let value = terminal_safe(&one_line(&value));
        let _ = writeln!(out, "{}{}{value}", pal.paint(bold, key), " ".repeat(pad));
    }
}

/// Waived matches, one line each with the reason and where it was written.
fn waived(out: &mut String, input: &VulnReportInput<'_>) {
    for e in input.expired_waivers {
        let _ = writeln!(out, "\nexpired: {}", safe(e));
    }
    if input.waived.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} waived (not gating):",
        count(input.waived.len(), "vulnerability", "vulnerabilities")
    );
    for w in input.waived {
        let by = &w.waived;
        let mut why = by.reason.clone().unwrap_or_else(|| by.kind.clone());
        if let Some(source) = &by.source {
            let _ = write!(why, " ({source}");
            if let Some(until) = &by.expires {
                let _ = write!(why, ", until {until}");
            }
            why.push(')');
        }
        let _ = writeln!(
            out,
            "  {} {} {}: {}",
            safe(&w.vuln.id),
            safe(&w.vuln.package.name),
            safe(&w.vuln.package.version),
            cut(&safe(&why), 120)
        );
    }
}

/// Says the inventory is incomplete when files were not read or parts of them skipped (listed
/// at the end of the report).
fn incomplete(out: &mut String, input: &VulnReportInput<'_>) {
    let (errors, skipped) = (input.inventory.errors.len(), input.inventory.skipped.len());
    if errors + skipped > 0 {
        let _ = writeln!(
            out,
            "Incomplete inventory: {}, {} (listed below)",
            count(errors, "file not read", "files not read"),
            count(skipped, "part of a file skipped", "parts of files skipped")
        );
    }
}

/// Names the distributions whose packages were not matched, so that no report looks clean only
/// because nothing was looked up.
fn uncovered(out: &mut String, pal: &Palette, input: &VulnReportInput<'_>) {
    for u in input.uncovered {
        let text = format!("Not checked: {}", u.message());
        let _ = writeln!(
            out,
            "{}",
            pal.paint(
                AnsiColor::BrightYellow.on_default().effects(Effects::BOLD),
                &text
            )
        );
    }
}

fn hidden(out: &mut String, ignored_unfixed: usize) {
    if ignored_unfixed > 0 {
        let _ = writeln!(
            out,
            "{} without a fix not shown (--ignore-unfixed)",
            count(ignored_unfixed, "vulnerability", "vulnerabilities")
        );
    }
}

fn table(out: &mut String, pal: &Palette, input: &VulnReportInput<'_>) {
    let rows: Vec<Row> = input.sorted_matches().into_iter().map(row).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(&row.cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let title = Style::new().effects(Effects::BOLD | Effects::UNDERLINE);
    line(out, &HEADERS.map(String::from), &widths, |_, s| {
        pal.paint(title, s)
    });
    let bold = Style::new().effects(Effects::BOLD);
    let dim = Style::new().effects(Effects::DIMMED);
    let fix = AnsiColor::Green.on_default();
    for row in &rows {
        line(out, &row.cells, &widths, |col, s| match col {
            SEVERITY => pal.paint(pal.severity(row.severity), s),
            EXPLOIT if row.exploited => pal.paint(pal.severity(Severity::Critical), s),
            ID => pal.paint(bold, s),
            FIXED if row.has_fix => pal.paint(fix, s),
            FIXED | LAYER => pal.paint(dim, s),
            _ => s.to_string(),
        });
    }
}

fn row(m: &VulnMatch) -> Row {
    let id = match m.aliases.len() {
        0 => m.id.clone(),
        1 => format!("{} +1 alias", m.id),
        n => format!("{} +{n} aliases", m.id),
    };
    let package = match &m.package.matched_as {
        Some((source, _)) if *source != m.package.name => {
            format!("{} ({source})", m.package.name)
        }
        _ => m.package.name.clone(),
    };
    let fixed = match &m.fixed_version {
        Some(v) => v.clone(),
        None => format!("({})", m.status.as_str()),
    };
    let layer = match &m.package.layer {
        Some(l) => {
            let mut cell = l.index.to_string();
            let digest = short_digest(&l.diff_id);
            if !digest.is_empty() {
                let _ = write!(cell, " {digest}");
            }
            if let Some(cmd) = l.created_by.as_deref().and_then(clean_created_by) {
                let _ = write!(cell, " {}", cut(&cmd, MAX_COMMAND));
            }
            cell
        }
        None => String::new(),
    };
    let cells = [
        m.severity.as_str().to_string(),
        exploit(m),
        id,
        package,
        m.package.version.clone(),
        fixed,
        layer,
        m.title.clone().unwrap_or_default(),
    ];
    let mut cells = cells.map(|c| terminal_safe(&one_line(&c)));
    for (cell, max) in cells.iter_mut().zip(MAX_WIDTHS) {
        *cell = cut(cell, max);
    }
    Row {
        cells,
        exploited: m.kev.is_some(),
        severity: m.severity,
        has_fix: m.fixed_version.is_some(),
    }
}

/// How many matches CISA lists as exploited, and how many nothing rates (with whether they
/// gate): the lines a reviewer must not miss.
fn risk_lines(out: &mut String, pal: &Palette, input: &VulnReportInput<'_>) {
    let kev = input.matches.iter().filter(|m| m.kev.is_some()).count();
    if kev > 0 {
        let text = format!(
            "{} in CISA's Known Exploited Vulnerabilities catalogue{}",
            count(kev, "vulnerability", "vulnerabilities"),
            if input.risk.kev {
                " (--fail-on-kev)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "{}",
            pal.paint(pal.severity(Severity::Critical), &text)
        );
    }
    let unknown = input
        .matches
        .iter()
        .filter(|m| m.severity == Severity::Unknown)
        .count();
    if unknown > 0 {
        let them = if unknown == 1 { "it" } else { "them" };
        let gate = match input.risk.unknown_as {
            Some(s) => format!("counted as {s} at the gate (--unknown-severity)"),
            None => format!("not gating unless --unknown-severity gives {them} one"),
        };
        let text = format!(
            "{} of unknown severity (no source rates {them}): {gate}",
            count(unknown, "vulnerability", "vulnerabilities"),
        );
        let _ = writeln!(out, "{}", pal.paint(pal.severity(Severity::Unknown), &text));
    }
}

/// `KEV` when CISA lists the CVE as exploited, and the EPSS score as a percentage.
fn exploit(m: &VulnMatch) -> String {
    let mut parts = Vec::new();
    if m.kev.is_some() {
        parts.push("KEV".to_string());
    }
    if let Some(e) = m.epss {
        parts.push(format!("EPSS {}", percent(e.score)));
    }
    parts.join(" ")
}

/// Line breaks and runs of white space become one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes one row: every cell but the last padded to its column's width.
fn line(
    out: &mut String,
    cells: &[String; 8],
    widths: &[usize; 8],
    paint: impl Fn(usize, &str) -> String,
) {
    let last = cells.len().saturating_sub(1);
    for (col, (cell, width)) in cells.iter().zip(widths).enumerate() {
        out.push_str(&paint(col, cell));
        if col < last {
            let pad = width.saturating_sub(cell.chars().count()).saturating_add(2);
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
    // The last cell may be empty: no trailing blanks.
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    out.push('\n');
}
