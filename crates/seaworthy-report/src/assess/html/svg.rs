//! The report's charts as inline SVG, drawn here so the page needs no script or library to show
//! them: findings by severity per area, findings per image layer, and the trend against the
//! baseline. Every bar carries its number as text (and a `<title>` for hover), so the charts read
//! without color too.

use std::fmt::Write as _;

use seaworthy_core::Severity;

use super::super::escape::html;
use super::super::{Assessment, LayerCount, Totals};

const WIDTH: u32 = 900;
const LABEL_W: u32 = 150;
const BAR_W: f64 = 380.0;
const ROW_H: u32 = 26;
const GAP: u32 = 8;
/// Where the numbers after a bar start.
const TEXT_X: f64 = LABEL_W as f64 + BAR_W + 12.0;

/// Fill and text color of a severity: Paul Tol's and Okabe & Ito's color-blind safe hues.
pub(super) fn severity_colors(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Critical => ("#882255", "#ffffff"),
        Severity::High => ("#d55e00", "#ffffff"),
        Severity::Medium => ("#e69f00", "#000000"),
        Severity::Low => ("#56b4e9", "#000000"),
        Severity::Info => ("#bbbbbb", "#000000"),
        Severity::Unknown => ("#cc79a7", "#000000"),
    }
}

/// Counts by severity, worst first.
fn by_severity(t: &Totals) -> [(Severity, usize); 6] {
    Severity::ALL.map(|s| (s, t.by_severity(s)))
}

fn layer_counts(l: &LayerCount) -> [(Severity, usize); 6] {
    [
        (Severity::Critical, l.critical),
        (Severity::High, l.high),
        (Severity::Medium, l.medium),
        (Severity::Low, l.low),
        (Severity::Info, l.info),
        (Severity::Unknown, l.unknown),
    ]
}

/// `2 critical, 1 high` (`0` when there is nothing).
fn breakdown(counts: &[(Severity, usize)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "0".to_string()
    } else {
        parts.join(", ")
    }
}

fn open(out: &mut String, id: &str, title: &str, height: u32) {
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
         aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title>",
        html(title)
    );
}

/// Colored squares naming each severity, on one row at `y`.
fn legend(out: &mut String, y: u32) {
    let mut x = LABEL_W;
    for s in Severity::ALL {
        let (fill, _) = severity_colors(s);
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{fill}\"/>\
             <text x=\"{}\" y=\"{}\">{s}</text>",
            y,
            x + 16,
            y + 11
        );
        x += 95;
    }
}

/// One stacked bar of severity segments; `scale` is pixels per item. Numbers go inside the
/// segments wide enough to hold them and always, in full, after the bar.
fn stacked_bar(
    out: &mut String,
    y: u32,
    scale: f64,
    counts: &[(Severity, usize)],
    what: &str,
    dashed: bool,
) {
    let mut x = f64::from(LABEL_W);
    for (s, n) in counts.iter().filter(|(_, n)| *n > 0) {
        let (fill, ink) = severity_colors(*s);
        let w = *n as f64 * scale;
        let _ = write!(
            out,
            "<rect class=\"seg sev-{s}\" x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{ROW_H}\" \
             fill=\"{fill}\"><title>{}: {n} {s}</title></rect>",
            html(what)
        );
        if w >= 18.0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" fill=\"{ink}\" text-anchor=\"middle\">{n}</text>",
                x + w / 2.0,
                y + 17
            );
        }
        x += w;
    }
    if dashed {
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        let w = (total as f64 * scale).max(4.0);
        let _ = write!(
            out,
            "<rect class=\"base-mark\" x=\"{LABEL_W}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" \
             fill=\"none\" stroke=\"#000000\" stroke-dasharray=\"4 3\"/>",
            y - 2,
            ROW_H + 4
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"value\" x=\"{TEXT_X:.0}\" y=\"{}\">{}</text>",
        y + 17,
        breakdown(counts)
    );
}

/// Pixels per item so the longest bar fills [`BAR_W`].
fn scale_for(max: usize) -> f64 {
    if max == 0 { 0.0 } else { BAR_W / max as f64 }
}

/// (a) Active findings by severity, one stacked bar per area.
pub(super) fn severity_by_area(a: &Assessment) -> String {
    let rows = a.areas.len() as u32;
    let height = 30 + rows * (ROW_H + GAP) + 10;
    let mut out = String::new();
    open(
        &mut out,
        "chart-severity",
        "Active findings by severity per area",
        height,
    );
    legend(&mut out, 4);
    let scale = scale_for(
        a.areas
            .iter()
            .map(|r| r.summary.active())
            .max()
            .unwrap_or(0),
    );
    for (n, r) in a.areas.iter().enumerate() {
        let y = 30 + n as u32 * (ROW_H + GAP);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"0\" y=\"{}\">{}</text>",
            y + 17,
            r.area.title()
        );
        stacked_bar(
            &mut out,
            y,
            scale,
            &by_severity(&r.summary),
            r.area.title(),
            false,
        );
    }
    out.push_str("</svg>\n");
    out
}

/// (b) Active findings per image layer, grouped by image; base-image layers have a dashed
/// outline and say `base`. None when no layer was counted.
pub(super) fn per_layer(layers: &[LayerCount]) -> Option<String> {
    if layers.is_empty() {
        return None;
    }
    let mut sorted: Vec<&LayerCount> = layers.iter().collect();
    sorted.sort_by(|x, y| (&x.image, x.layer).cmp(&(&y.image, y.layer)));
    let images = {
        let mut v: Vec<&str> = sorted.iter().map(|l| l.image.as_str()).collect();
        v.dedup();
        v.len() as u32
    };
    let height = 30 + images * 24 + sorted.len() as u32 * (ROW_H + GAP) + 10;
    let mut out = String::new();
    open(
        &mut out,
        "chart-layers",
        "Active findings per image layer",
        height,
    );
    legend(&mut out, 4);
    let total = |l: &LayerCount| layer_counts(l).iter().map(|(_, n)| n).sum::<usize>();
    let scale = scale_for(sorted.iter().map(|l| total(l)).max().unwrap_or(0));
    let mut y = 30;
    let mut image = None;
    for l in sorted {
        if image != Some(&l.image) {
            image = Some(&l.image);
            let _ = writeln!(
                out,
                "<text class=\"image\" x=\"0\" y=\"{}\">{}</text>",
                y + 16,
                html(&l.image)
            );
            y += 24;
        }
        let label = if l.from_base {
            format!("layer {} (base)", l.layer)
        } else {
            format!("layer {}", l.layer)
        };
        let _ = write!(
            out,
            "<text class=\"label\" x=\"0\" y=\"{}\">{label}<title>{}</title></text>",
            y + 17,
            html(l.created_by.as_deref().unwrap_or(""))
        );
        stacked_bar(
            &mut out,
            y,
            scale,
            &layer_counts(l),
            &format!("layer {}", l.layer),
            l.from_base,
        );
        y += ROW_H + GAP;
    }
    out.push_str("</svg>\n");
    Some(out)
}

/// (c) Against the baseline: resolved, unchanged and new items as three bars, and the totals
/// before and now. None without a baseline.
pub(super) fn baseline_trend(a: &Assessment) -> Option<String> {
    let b = a.baseline.as_ref()?;
    let resolved = b.resolved.len();
    let unchanged = a.summary.unchanged;
    let new = a.summary.new;
    let bars = [
        ("resolved", resolved, "#009e73", "#ffffff"),
        ("unchanged", unchanged, "#999999", "#000000"),
        ("new", new, "#d55e00", "#ffffff"),
    ];
    let height = 30 + 3 * (ROW_H + GAP) + 10;
    let mut out = String::new();
    open(
        &mut out,
        "chart-baseline",
        "Against the baseline: resolved, unchanged and new items",
        height,
    );
    let _ = writeln!(
        out,
        "<text class=\"caption\" x=\"0\" y=\"16\">baseline {} → now {}</text>",
        resolved + unchanged,
        unchanged + new
    );
    let scale = scale_for(resolved.max(unchanged).max(new));
    for (n, (name, value, fill, ink)) in bars.iter().enumerate() {
        let y = 30 + n as u32 * (ROW_H + GAP);
        let w = *value as f64 * scale;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"0\" y=\"{}\">{name}</text>\
             <rect class=\"trend-{name}\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w:.1}\" \
             height=\"{ROW_H}\" fill=\"{fill}\"><title>{value} {name}</title></rect>",
            y + 17
        );
        if w >= 18.0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" fill=\"{ink}\" text-anchor=\"middle\">{value}</text>",
                f64::from(LABEL_W) + w / 2.0,
                y + 17
            );
        }
        let _ = writeln!(
            out,
            "<text class=\"value\" x=\"{TEXT_X:.0}\" y=\"{}\">{value}</text>",
            y + 17
        );
    }
    out.push_str("</svg>\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdown_names_each_nonzero_severity() {
        let t = Totals {
            critical: 2,
            medium: 1,
            ..Totals::default()
        };
        assert_eq!(breakdown(&by_severity(&t)), "2 critical, 1 medium");
        assert_eq!(breakdown(&by_severity(&Totals::default())), "0");
    }
}
