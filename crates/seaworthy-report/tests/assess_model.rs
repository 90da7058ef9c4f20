//! The assessment model's totals and verdicts on the shared fixture.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use seaworthy_report::assess::{AreaKind, AreaStatus};

#[test]
fn fixture_totals_and_verdicts() {
    let a = common::assess::assessment();
    let status = |k| a.area(k).expect("area").status;
    assert_eq!(status(AreaKind::Dockerfile), AreaStatus::Fail);
    // The only critical of the image outside the base layer gates; base ones are shown apart.
    let image = a.area(AreaKind::Image).expect("image");
    assert_eq!(image.summary.gating, 2, "{:#?}", image.summary);
    assert_eq!(image.summary.base, 2);
    assert_eq!(image.summary.waived, 2);
    assert_eq!(status(AreaKind::Host), AreaStatus::Warn);
    assert_eq!(
        a.area(AreaKind::Host).expect("host").check_counts(),
        [1, 1, 1, 1]
    );
    assert!(!a.passed);
    assert_eq!(
        a.summary.new,
        a.areas.iter().map(|x| x.summary.new).sum::<usize>()
    );
    let json = serde_json::to_value(&a).expect("serializes");
    let back: seaworthy_report::assess::Assessment =
        serde_json::from_value(json).expect("round trips");
    assert_eq!(back, a);
}

/// Issue 19 item 2: in the image area a scanner's own threshold decides what gates.
#[test]
fn image_area_scanner_thresholds_decide_gating() {
    use seaworthy_core::{Scanner, Severity};
    let a = common::assess::assessment();
    let mut image = a.area(AreaKind::Image).expect("image").clone();
    let vulns_gating = |area: &seaworthy_report::assess::AreaReport| {
        area.items
            .iter()
            .filter(|i| i.gating && Scanner::of_rule(&i.finding.rule_id) == Scanner::Vuln)
            .count()
    };
    let at_high = vulns_gating(&image);
    assert!(at_high > 0, "the fixture has gating vulnerabilities");
    image.scanner_fail_on.insert(Scanner::Vuln, None);
    image.mark_gating(false, true);
    assert_eq!(vulns_gating(&image), 0, "vulnerabilities report only");
    image
        .scanner_fail_on
        .insert(Scanner::Vuln, Some(Severity::Low));
    image.mark_gating(false, true);
    assert!(vulns_gating(&image) >= at_high);
    image
        .scanner_fail_on
        .insert(Scanner::Vuln, Some(Severity::Critical));
    image.mark_gating(false, true);
    assert!(vulns_gating(&image) <= at_high);
    // Another area ignores image scanner thresholds.
    let mut dockerfile = a.area(AreaKind::Dockerfile).expect("dockerfile").clone();
    let before = dockerfile.items.iter().filter(|i| i.gating).count();
    dockerfile.scanner_fail_on.insert(Scanner::Vuln, None);
    dockerfile.scanner_fail_on.insert(Scanner::Config, None);
    dockerfile.mark_gating(false, true);
    assert_eq!(dockerfile.items.iter().filter(|i| i.gating).count(), before);
    // The thresholds are written only when set, and read back.
    let json = serde_json::to_value(&image).expect("serializes");
    assert_eq!(json["scanner_fail_on"]["vuln"], "critical");
    assert!(
        serde_json::to_value(&dockerfile)
            .unwrap()
            .get("scanner_fail_on")
            .is_some()
    );
}
