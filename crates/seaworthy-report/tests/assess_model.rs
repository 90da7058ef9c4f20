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
