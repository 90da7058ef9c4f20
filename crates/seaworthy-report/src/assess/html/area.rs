//! One area's section of the HTML report: targets, errors and notes, the host checks table, and
//! the filterable table of items (one row per item; its data attributes are what the page's
//! script filters on).

use std::fmt::Write as _;

use seaworthy_core::{CheckResult, Severity, Status};

use super::super::escape::html;
use super::super::markdown::{item_location, status_word};
use super::super::{AreaReport, Change, Item, ItemKind, Mode};

pub(super) fn section(out: &mut String, r: &AreaReport) {
    let area = r.area.as_str();
    let status = r.status.as_str();
    let _ = writeln!(
        out,
        "<section class=\"area\" id=\"area-{area}\" data-area=\"{area}\">\n\
         <h2>{} <span class=\"status status-{status}\">{}</span></h2>",
        r.area.title(),
        status_word(r.status)
    );
    let mode = match r.mode {
        Mode::Gate => "gate",
        Mode::Report => "report only",
    };
    let targets: Vec<String> = r.targets.iter().map(|t| html(t)).collect();
    let mut threshold = r.fail_on.to_string();
    for s in r.risk_settings() {
        let _ = write!(threshold, ", {s}");
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">Mode: {mode}, threshold {threshold} · {} ms · {}</p>",
        r.duration_ms,
        if targets.is_empty() {
            "no targets".to_string()
        } else {
            targets.join(", ")
        }
    );
    if !r.errors.is_empty() || !r.notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for e in &r.errors {
            let _ = writeln!(
                out,
                "<li class=\"error\">error: {}</li>",
                html(&e.display())
            );
        }
        for n in &r.notes {
            let _ = writeln!(out, "<li>note: {}</li>", html(n));
        }
        out.push_str("</ul>\n");
    }
    if !r.checks.is_empty() {
        checks(out, r);
    }
    filters(out, area);
    let _ = writeln!(
        out,
        "<p class=\"counter\"><span class=\"shown\" id=\"shown-{area}\">{n}</span> of \
         <span class=\"total\" id=\"total-{area}\">{n}</span> items shown</p>",
        n = r.items.len()
    );
    items(out, r);
    out.push_str("</section>\n");
}

/// The filter controls; hidden until the script runs (without it every row stays visible).
fn filters(out: &mut String, area: &str) {
    let _ = write!(
        out,
        "<div class=\"filters\" id=\"filters-{area}\" data-area=\"{area}\" hidden>"
    );
    for s in Severity::ALL {
        let _ = write!(
            out,
            "<label class=\"sev sev-{s}\"><input type=\"checkbox\" name=\"severity\" \
             value=\"{s}\" checked> {s}</label>"
        );
    }
    let _ = writeln!(
        out,
        "<label>search <input type=\"search\" name=\"text\" id=\"search-{area}\" \
         placeholder=\"rule, package, path…\"></label>\
         <label><input type=\"checkbox\" name=\"gating\"> gating only</label>\
         <label><input type=\"checkbox\" name=\"waived\"> show waived</label></div>"
    );
}

fn items(out: &mut String, r: &AreaReport) {
    let area = r.area.as_str();
    if r.items.is_empty() {
        out.push_str("<p class=\"empty\">No findings.</p>\n");
    }
    let _ = writeln!(
        out,
        "<table class=\"items\" id=\"items-{area}\"><thead><tr><th>Severity</th><th>Rule</th>\
         <th>Finding</th><th>Location</th><th>State</th><th>Change</th><th>Gating</th></tr>\
         </thead><tbody>"
    );
    for i in &r.items {
        row(out, r, i);
    }
    out.push_str("</tbody></table>\n");
}

fn row(out: &mut String, r: &AreaReport, i: &Item) {
    let area = r.area.as_str();
    let f = &i.finding;
    let state = if i.is_waived() { "waived" } else { "active" };
    let change = match i.change {
        Some(Change::New) => "new",
        Some(Change::Unchanged) => "unchanged",
        None => "",
    };
    let kind = match i.kind {
        ItemKind::Finding => "finding",
        ItemKind::Vulnerability => "vulnerability",
    };
    let _ = write!(
        out,
        "<tr data-severity=\"{sev}\" data-area=\"{area}\" data-state=\"{state}\" \
         data-change=\"{change}\" data-gating=\"{gating}\" data-kind=\"{kind}\">\
         <td><span class=\"sev sev-{sev}\">{sev}</span>{exploit}</td><td><code>{rule}</code></td>\
         <td><div class=\"title\">{title}</div><div class=\"msg\">{msg}</div>",
        sev = f.severity,
        exploit = exploit_badges(i),
        gating = i.gating,
        rule = html(&f.rule_id),
        title = html(&f.title),
        msg = html(&f.message),
    );
    if let Some(v) = &i.vulnerability {
        let fixed = v.fixed_version.as_deref().unwrap_or("no fix yet");
        let _ = write!(
            out,
            "<div class=\"msg\">{} {} · fixed in {} · {}</div>",
            html(&v.package),
            html(&v.version),
            html(fixed),
            html(&v.status)
        );
        let facts = v.facts();
        if !facts.is_empty() {
            let _ = write!(
                out,
                "<div class=\"msg risk\">{}</div>",
                html(&facts.join(" · "))
            );
        }
    }
    if !f.remediation.is_empty() {
        let _ = write!(
            out,
            "<div class=\"fix\">Fix: {}</div>",
            html(&f.remediation)
        );
    }
    let waiver = match &f.suppressed {
        Some(s) => {
            let by = s.source.as_deref().unwrap_or(&s.kind);
            let why = s.reason.as_deref().unwrap_or("");
            format!(
                "waived<div class=\"msg\">{} {}: {}</div>",
                html(&s.kind),
                html(by),
                html(why)
            )
        }
        None => "active".to_string(),
    };
    let gating = match (i.gating, r.exploit_reason(i)) {
        (false, _) => "no".to_string(),
        (true, None) => "yes".to_string(),
        (true, Some(why)) => format!("yes ({})", why.to_ascii_uppercase()),
    };
    let _ = writeln!(
        out,
        "</td><td>{}</td><td>{waiver}</td><td>{change}</td><td>{gating}</td></tr>",
        html(&item_location(i)),
    );
}

/// A `KEV` badge and the EPSS score next to a vulnerability's severity.
fn exploit_badges(i: &Item) -> String {
    let Some(v) = &i.vulnerability else {
        return String::new();
    };
    let mut s = String::new();
    if v.kev.is_some() {
        s.push_str(" <span class=\"kev\" title=\"in CISA's Known Exploited Vulnerabilities catalogue\">KEV</span>");
    }
    if let Some(e) = v.epss {
        let _ = write!(
            s,
            " <span class=\"epss\" title=\"EPSS: probability of exploitation in the next 30 days\">EPSS {}</span>",
            crate::text::percent(e.score)
        );
    }
    s
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Info => "INFO",
        Status::NotApplicable => "N/A",
    }
}

/// CIS numbers compare part by part: 2.2 before 2.14.
fn cis_key(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

fn checks(out: &mut String, r: &AreaReport) {
    let area = r.area.as_str();
    let [pass, warn, info, na] = r.check_counts();
    let _ = writeln!(
        out,
        "<h3>Checks</h3>\n<p class=\"check-counts\" id=\"checks-{area}\">{pass} pass, {warn} warn, \
         {info} info, {na} not applicable</p>\n<table class=\"checks\"><thead><tr><th>Status</th>\
         <th>CIS</th><th>Level</th><th>Severity</th><th>Check</th><th>Result</th></tr></thead>\
         <tbody>"
    );
    let mut sorted: Vec<&CheckResult> = r.checks.iter().collect();
    sorted.sort_by_key(|c| cis_key(&c.cis_id));
    for c in sorted {
        let status = c.status.as_str();
        let evidence: Vec<String> = c
            .evidence
            .iter()
            .map(|e| format!("{} ({})", html(&e.value), html(&e.source)))
            .collect();
        let _ = write!(
            out,
            "<tr data-status=\"{status}\"><td><span class=\"check check-{status}\">{}</span></td>\
             <td>{}</td><td>{:?}</td><td>{}</td><td>{}</td><td>{}",
            status_label(c.status),
            html(&c.cis_id),
            c.level,
            c.severity,
            html(&c.title),
            html(&c.message)
        );
        if !evidence.is_empty() {
            let _ = write!(
                out,
                "<div class=\"msg\">evidence: {}</div>",
                evidence.join("; ")
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n<h3>Findings</h3>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cis_ids_sort_part_by_part() {
        let mut ids = vec!["2.14", "2.2", "7.1", "1.1.10", "1.1.2"];
        ids.sort_by_key(|id| cis_key(id));
        assert_eq!(ids, ["1.1.2", "1.1.10", "2.2", "2.14", "7.1"]);
    }
}
