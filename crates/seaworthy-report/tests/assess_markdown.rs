//! The assess Markdown summary: snapshot of the shared fixture, escaping of untrusted text, the
//! per-area cap and the comment size limit.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use seaworthy_core::Severity;
use seaworthy_report::assess::{
    AreaKind, Assessment, ITEMS_PER_AREA, Item, MARKDOWN_LIMIT, render_markdown,
};

fn area_mut(a: &mut Assessment, kind: AreaKind) -> &mut seaworthy_report::assess::AreaReport {
    a.areas.iter_mut().find(|r| r.area == kind).expect("area")
}

/// The lines of the table under the `#### {title}:` heading.
fn gating_rows<'a>(md: &'a str, title: &str) -> Vec<&'a str> {
    let start = md
        .find(&format!("#### {title}:"))
        .unwrap_or_else(|| panic!("no {title} section in\n{md}"));
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with("|---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .collect()
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render_markdown(&common::assess::assessment()));
}

#[test]
fn verdict_summary_and_changes_follow_the_fixture() {
    let a = common::assess::assessment();
    let md = render_markdown(&a);
    assert!(md.contains("## seaworthy assess: FAIL\n"), "{md}");
    // What changed comes before the area table when there is a baseline.
    let changed = md.find("### What changed").expect("what changed");
    let areas = md.find("### Areas").expect("areas");
    assert!(changed < areas);
    let image = a.area(AreaKind::Image).unwrap();
    let t = &image.summary;
    // The fixture has an unrated vulnerability: an Unknown column after Info.
    let row = format!(
        "| Image | gate (≥ high, fail-on-kev, fail-on-epss 0.5) | FAIL | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        t.critical, t.high, t.medium, t.low, t.info, t.unknown, t.waived, t.new, t.gating
    );
    assert!(md.contains(&row), "missing {row} in\n{md}");
    assert!(md.contains(
        "| Image | gate (≥ high, fail-on-kev, fail-on-epss 0.5) | FAIL | 2 | 1 | 1 | 0 | 0 | 1 | 2 | 1 | 2 |"
    ));
    assert!(md.contains("| Unknown |"));
    assert!(
        md.contains("| `CVE-2024-45491` | critical KEV EPSS 62% |"),
        "{md}"
    );
    assert!(md.contains("`CVE-2023-31484`"), "resolved item listed");
    assert!(
        md.contains("| `SW-DF-003` | seaworthy.toml:21 |"),
        "expired waiver"
    );
    // Inside code the glob needs no escape.
    assert!(
        md.contains("| `CVE-2019-*` | .trivyignore:4 |"),
        "unused waiver"
    );
    // The host area reports: its warning is listed, but not as gating.
    assert!(md.contains("#### Docker host: 1 at or above the threshold, not gating"));
    assert!(md.contains("Docker host checks: 1 pass, 1 warn, 1 info, 1 not applicable."));
}

#[test]
fn no_baseline_means_no_changes_section() {
    let mut a = common::assess::assessment();
    a.baseline = None;
    let md = render_markdown(&a);
    assert!(!md.contains("What changed"));
    assert!(md.contains(
        "| Image | gate (≥ high, fail-on-kev, fail-on-epss 0.5) | FAIL | 2 | 1 | 1 | 0 | 0 | 1 | 2 | - | 2 |"
    ));
}

#[test]
fn untrusted_text_is_escaped_in_cells() {
    let mut a = common::assess::assessment();
    let image = area_mut(&mut a, AreaKind::Image);
    let item = image.items.iter_mut().find(|i| i.gating).unwrap();
    item.finding.title = "pwn | <img src=x onerror=alert(1)> `rm -rf` *bold*\nsecond line".into();
    item.finding.rule_id = "CVE-`x`".into();
    let md = render_markdown(&a);
    let rows = gating_rows(&md, "Image");
    let row = rows
        .iter()
        .find(|r| r.contains("pwn"))
        .expect("the item is listed");
    assert!(
        row.ends_with(
            "| pwn \\| &lt;img src=x onerror=alert(1)&gt; \\`rm -rf\\` \\*bold\\* second line |"
        ),
        "{row}"
    );
    assert!(row.starts_with("| CVE-\\`x\\` |"), "{row}");
    // Every row still has exactly four cells.
    for r in rows {
        assert_eq!(r.matches(" | ").count(), 3, "{r}");
    }
    assert!(!md.contains("<img"));
}

#[test]
fn gating_items_are_capped_per_area() {
    let mut a = common::assess::assessment();
    let image = area_mut(&mut a, AreaKind::Image);
    let template: Item = image.items.iter().find(|i| i.gating).unwrap().clone();
    for n in 0..45 {
        let mut i = template.clone();
        i.finding.rule_id = format!("CVE-2099-{n:04}");
        i.fingerprint = format!("extra-{n}");
        image.items.push(i);
    }
    a.finish();
    let gating = a.area(AreaKind::Image).unwrap().summary.gating;
    assert_eq!(gating, 47);
    let md = render_markdown(&a);
    assert!(md.contains("#### Image: 47 gating\n"), "{md}");
    assert_eq!(gating_rows(&md, "Image").len(), ITEMS_PER_AREA);
    assert!(md.contains(&format!("…and {} more items.", 47 - ITEMS_PER_AREA)));
}

#[test]
fn long_reports_are_truncated_under_the_comment_limit() {
    let mut a = common::assess::assessment();
    for r in &mut a.areas {
        for i in &mut r.items {
            i.finding.title = "long title ".repeat(1000);
            i.finding.severity = Severity::Critical;
        }
        r.mark_gating(false, false);
    }
    a.finish();
    let md = render_markdown(&a);
    assert!(md.len() <= MARKDOWN_LIMIT, "{}", md.len());
    assert!(md.contains("**Truncated**"), "the cut is said");
    assert!(md.starts_with("<!-- seaworthy-assess -->\n## seaworthy assess: FAIL"));
    // Untruncated, it would have been far longer.
    let gating: usize = a.areas.iter().map(|r| r.summary.gating).sum();
    assert!(gating * 11_000 > 2 * MARKDOWN_LIMIT, "{gating}");
}
