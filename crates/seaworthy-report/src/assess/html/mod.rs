//! The assessment as one self-contained HTML file: inline style, one inline script and inline SVG
//! charts, under a Content-Security-Policy that forbids every network request. The page reads
//! without the script (every row shown); with it, each area's table gets a filter bar and a
//! live "N of M shown" counter.

mod area;
mod svg;

use std::fmt::Write as _;

use super::escape::html;
use super::markdown::{run_word, status_word};
use super::{AreaKind, Assessment, WaiverNote};

/// Nothing but inline style and script, and `data:` images.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
                                           script-src 'unsafe-inline'; img-src data:";

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("filter.js");

pub fn render_html(a: &Assessment) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let verdict = run_word(a);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>seaworthy assess: {verdict}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>"
    );
    header(&mut out, a);
    out.push_str("<main>\n");
    overview(&mut out, a);
    if let Some(chart) = svg::baseline_trend(a) {
        changes(&mut out, a, &chart);
    }
    let layers: Vec<_> = a
        .areas
        .iter()
        .flat_map(|r| r.layers.iter().cloned())
        .collect();
    if let Some(chart) = svg::per_layer(&layers) {
        let _ = writeln!(
            out,
            "<section id=\"layers\">\n<h2>Findings per image layer</h2>\n{chart}\
             <p class=\"meta\">Dashed outline: a layer of the base image.</p>\n</section>"
        );
    }
    waivers(&mut out, a);
    for r in &a.areas {
        area::section(&mut out, r);
    }
    let _ = writeln!(
        out,
        "</main>\n<footer>{} {} · schema {}</footer>\n<script>\n{SCRIPT}</script>\n</body>\n</html>",
        html(&a.tool),
        html(&a.version),
        html(&a.schema_version)
    );
    out
}

fn header(out: &mut String, a: &Assessment) {
    let verdict = run_word(a);
    let t = &a.summary;
    let _ = writeln!(
        out,
        "<header>\n<h1>seaworthy assess: <span class=\"verdict verdict-{}\" id=\"verdict\">\
         {verdict}</span></h1>",
        verdict.to_ascii_lowercase()
    );
    let mut totals = vec![
        ("critical", t.critical),
        ("high", t.high),
        ("medium", t.medium),
        ("low", t.low),
        ("info", t.info),
    ];
    if super::table::has_unknown(a) {
        totals.push(("unknown", t.unknown));
    }
    totals.extend([("gating", t.gating), ("waived", t.waived), ("base", t.base)]);
    if let Some(b) = &a.baseline {
        totals.extend([("new", t.new), ("resolved", b.resolved.len())]);
    }
    out.push_str("<dl class=\"totals\">");
    for (name, n) in totals {
        let _ = write!(
            out,
            "<div class=\"sum-{name}\"><dt>{name}</dt><dd id=\"sum-{name}\">{n}</dd></div>"
        );
    }
    out.push_str("</dl>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} {} · started {} · {} ms{}</p>\n<nav>{}</nav>\n</header>",
        html(&a.tool),
        html(&a.version),
        html(&a.created),
        a.duration_ms,
        match &a.config {
            Some(c) => format!(" · config {}", html(c)),
            None => String::new(),
        },
        a.areas
            .iter()
            .map(|r| format!(
                "<a href=\"#area-{}\">{}</a>",
                r.area.as_str(),
                r.area.title()
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn overview(out: &mut String, a: &Assessment) {
    let baseline = a.baseline.is_some();
    let unknown = super::table::has_unknown(a);
    let _ = writeln!(
        out,
        "<section id=\"overview\">\n<h2>Areas</h2>\n<table class=\"summary\"><thead><tr>\
         <th>Area</th><th>Mode</th><th>Status</th><th>Critical</th><th>High</th><th>Medium</th>\
         <th>Low</th><th>Info</th>{}<th>Waived</th><th>New</th><th>Gating</th></tr></thead><tbody>",
        if unknown { "<th>Unknown</th>" } else { "" }
    );
    for r in &a.areas {
        let t = &r.summary;
        let mut settings = vec![format!("≥ {}", r.fail_on)];
        settings.extend(r.risk_settings());
        let mut numbers = vec![t.critical, t.high, t.medium, t.low, t.info];
        if unknown {
            numbers.push(t.unknown);
        }
        numbers.push(t.waived);
        let mut cells: String = numbers.iter().map(|n| format!("<td>{n}</td>")).collect();
        let _ = write!(
            cells,
            "<td>{}</td><td>{}</td>",
            if baseline {
                t.new.to_string()
            } else {
                "-".to_string()
            },
            t.gating
        );
        let _ = writeln!(
            out,
            "<tr id=\"summary-{area}\"><td><a href=\"#area-{area}\">{}</a></td><td>{} {}</td>\
             <td><span class=\"status status-{}\">{}</span></td>{cells}</tr>",
            r.area.title(),
            match r.mode {
                super::Mode::Gate => "gate",
                super::Mode::Report => "report",
            },
            settings.join(", "),
            r.status.as_str(),
            status_word(r.status),
            area = r.area.as_str(),
        );
    }
    out.push_str("</tbody></table>\n");
    out.push_str(&svg::severity_by_area(a));
    out.push_str("</section>\n");
}

fn changes(out: &mut String, a: &Assessment, chart: &str) {
    let Some(b) = &a.baseline else { return };
    let _ = writeln!(
        out,
        "<section id=\"changes\">\n<h2>What changed</h2>\n<p>Against {}: {} new, {} unchanged, \
         {} resolved.{}</p>\n{chart}",
        html(&b.path),
        a.summary.new,
        a.summary.unchanged,
        b.resolved.len(),
        if b.fail_on_new {
            " Only new items gate."
        } else {
            ""
        }
    );
    if !b.resolved.is_empty() {
        out.push_str(
            "<h3>Resolved</h3>\n<table class=\"resolved\"><thead><tr><th>Area</th><th>Rule</th>\
             <th>Severity</th><th>Title</th><th>Location</th></tr></thead><tbody>\n",
        );
        for r in &b.resolved {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.area.map_or("", AreaKind::title),
                html(&r.rule_id),
                r.severity.map_or("", |s| s.as_str()),
                html(r.title.as_deref().unwrap_or("")),
                html(r.location.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn waivers(out: &mut String, a: &Assessment) {
    let w = &a.waivers;
    if w.expired.is_empty() && w.unused.is_empty() {
        return;
    }
    out.push_str("<section id=\"waivers\">\n<h2>Waivers</h2>\n");
    if !w.expired.is_empty() {
        out.push_str("<p>Expired waivers fail the run until renewed or removed.</p>\n");
        waiver_table(out, "expired", &w.expired);
    }
    if !w.unused.is_empty() {
        out.push_str("<p>Unused waivers matched nothing: remove them.</p>\n");
        waiver_table(out, "unused", &w.unused);
    }
    out.push_str("</section>\n");
}

fn waiver_table(out: &mut String, kind: &str, notes: &[WaiverNote]) {
    let _ = writeln!(
        out,
        "<table class=\"waivers waivers-{kind}\" id=\"waivers-{kind}\"><thead><tr><th>State</th>\
         <th>Waiver</th><th>Source</th><th>Reason</th><th>Expires</th></tr></thead><tbody>"
    );
    for n in notes {
        let _ = writeln!(
            out,
            "<tr class=\"{kind}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            kind.to_ascii_uppercase(),
            html(&n.id),
            html(&n.source),
            html(&n.reason),
            html(n.expires.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table>\n");
}
