//! The assess table: what changed first, a row per area, waivers, details, the verdict.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use seaworthy_core::{Location, Severity};
use seaworthy_report::assess::{AreaKind, Assessment, render_table};

fn fixture() -> Assessment {
    common::assess::assessment()
}

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(render_table(&fixture(), false));
}

#[test]
fn table_color_snapshot() {
    insta::assert_snapshot!(render_table(&fixture(), true));
}

#[test]
fn no_escape_codes_without_color_and_color_adds_only_styling() {
    let plain = render_table(&fixture(), false);
    assert!(!plain.contains('\u{1b}'), "escape code in plain output");
    let colored = render_table(&fixture(), true);
    assert!(colored.contains("\u{1b}["));
    assert_eq!(strip_ansi(&colored), plain);
}

#[test]
fn leads_with_what_changed() {
    let a = fixture();
    let out = render_table(&a, false);
    let b = a.baseline.as_ref().expect("baseline");
    let first = out.lines().next().expect("a first line");
    assert_eq!(
        first,
        format!(
            "What changed since previous.json: {} new, {} unchanged, 1 resolved",
            b.new, b.unchanged
        )
    );
    assert!(b.new > 0 && b.unchanged > 0);
    assert!(
        out.contains("resolved high CVE-2023-31484 in perl-base (Image,"),
        "{out}"
    );
    // Every new item is listed before the summary table.
    let table_at = out.find("\narea ").expect("summary table");
    assert_eq!(out[..table_at].matches("\n  new ").count(), b.new);
}

#[test]
fn summary_row_per_area_and_total() {
    let a = fixture();
    let out = render_table(&a, false);
    let row = |title: &str| {
        out.lines()
            .find(|l| l.starts_with(title))
            .unwrap_or_else(|| panic!("no row for {title}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for area in &a.areas {
        let s = &area.summary;
        let title = area.area.title();
        let status = area.status.as_str().to_ascii_uppercase();
        // The fixture has an unrated vulnerability: an `unknown` column after `info`.
        let expected = format!(
            "{status} {} {} {} {} {} {} {} {} {}",
            s.critical, s.high, s.medium, s.low, s.info, s.unknown, s.waived, s.new, s.gating
        );
        assert!(
            row(title).ends_with(&expected),
            "{title}: {} vs {expected}",
            row(title)
        );
    }
    assert!(row("total").ends_with(&format!(" {}", a.summary.gating)));
    assert!(out.contains("Docker host  report  WARN"), "{out}");
}

#[test]
fn waivers_expired_and_unused() {
    let out = render_table(&fixture(), false);
    assert!(out.contains(
        "  expired SW-DF-003 (seaworthy.toml:21) expires 2026-10-31: base image pinned by the platform team's mirror (fails the run)"
    ), "{out}");
    assert!(
        out.contains(
            "  unused CVE-2019-* (.trivyignore:4): legacy scanner noise (matched nothing)"
        )
    );
}

#[test]
fn gating_items_come_first_with_their_markers() {
    let a = fixture();
    let out = render_table(&a, false);
    let image = a.area(AreaKind::Image).expect("image");
    let section = &out[out
        .find("Image (gate, fail-on high, fail-on-kev, fail-on-epss 0.5) FAIL")
        .expect("image section")..];
    let section = &section[..section.find("\nContainer (").expect("next section")];
    let gating: Vec<&str> = image
        .items
        .iter()
        .filter(|i| i.gating)
        .map(|i| i.finding.rule_id.as_str())
        .collect();
    assert_eq!(gating.len(), image.summary.gating);
    let last_gating = gating
        .iter()
        .map(|id| section.find(&format!(" {id} ")).expect("gating item shown"))
        .max()
        .expect("some");
    // The base-image critical does not gate (ignore-base) and follows the gating ones.
    let base = section.find("CVE-2023-45853").expect("base item shown");
    assert!(base > last_gating, "{section}");
    assert!(
        section.contains("critical KEV EPSS 62% CVE-2024-45491 in libexpat1 GATING NEW\n"),
        "{section}"
    );
    assert!(
        section.contains(
            "    risk: in CISA KEV since 2025-01-15 (remediate by 2025-02-05); EPSS 62% \
             (percentile 98%); CWE-190; severity from cvss 3.1 (nvd)\n"
        ),
        "{section}"
    );
    // Unrated: listed as `unknown`, not gating without unknown-severity.
    assert!(
        section.contains("  unknown CVE-2026-0042 in curl\n"),
        "{section}"
    );
    assert!(
        section.contains("critical CVE-2023-45853 in zlib1g BASE\n"),
        "{section}"
    );
    assert!(section.contains("    from: Dockerfile:2 RUN\n"));
    assert!(section.contains("    from: Dockerfile:1 FROM debian:bookworm-slim\n"));
    // The fix is the remediation here: said once.
    assert_eq!(
        section
            .matches("Upgrade libexpat1 to 2.5.0-1+deb12u1 or later\n")
            .count(),
        1
    );
    assert!(section.contains("waived (2):"));
    assert!(section.contains(
        "CVE-2023-4039 registry.example.com/shop/api:1.4.2 /var/lib/dpkg/status [waiver seaworthy.toml:14: only affects -fstack-protector on AArch64 (expires 2027-03-31)]"
    ), "{section}");
}

#[test]
fn host_check_counts_and_verdict() {
    let out = render_table(&fixture(), false);
    assert!(out.contains("  checks: 1 pass, 1 warn, 1 info, 1 n/a\n"));
    let last = out.lines().last().expect("a verdict");
    assert!(last.starts_with("FAILED: "), "{last}");
    assert!(last.contains("(Dockerfile, Image, Container)"), "{last}");
    assert!(last.ends_with(", 1 expired waiver"), "{last}");
}

#[test]
fn passing_run_without_baseline() {
    let mut a = fixture();
    a.baseline = None;
    a.waivers = Default::default();
    for area in &mut a.areas {
        for i in &mut area.items {
            i.change = None;
            i.gating = false;
        }
    }
    a.finish();
    assert!(a.passed);
    let out = render_table(&a, false);
    assert!(out.starts_with("area "), "{out}");
    assert!(!out.contains("Waivers"));
    assert!(!out.contains(" NEW"));
    let last = out.lines().last().expect("a verdict");
    assert_eq!(last, "PASSED (warnings in Docker host)");
}

#[test]
fn long_areas_are_capped_and_hostile_text_is_neutralised() {
    let mut a = fixture();
    let container = a
        .areas
        .iter_mut()
        .find(|x| x.area == AreaKind::Container)
        .expect("container");
    let template = container.items[1].clone();
    for n in 0..25 {
        let mut i = template.clone();
        i.gating = false;
        i.finding.severity = Severity::Low;
        i.finding.message = format!("evil \u{1b}[2J message {n}");
        i.finding.location = Location::Container {
            container: format!("c{n:02}"),
            image: None,
            field: Some("HostConfig.ReadonlyRootfs".to_string()),
        };
        container.items.push(i);
    }
    a.finish();
    let out = render_table(&a, false);
    assert!(!out.contains('\u{1b}'));
    assert!(out.contains("evil \\x1b[2J message"));
    // 26 non-gating active items in the area, 10 shown.
    assert!(
        out.contains("  … and 16 more below the gate (all are in --format json)"),
        "{out}"
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
