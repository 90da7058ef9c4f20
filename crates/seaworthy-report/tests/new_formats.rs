//! The formats issue 19 added: Markdown of a findings report, the assessment as GitHub workflow
//! commands. Snapshots of the shared fixtures, and input text that tries to escape its place.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::render_fixture;
use seaworthy_report::Format;
use seaworthy_report::assess::render_github;

#[test]
fn findings_markdown() {
    let md = render_fixture(Format::Markdown);
    assert!(md.starts_with("## seaworthy: "), "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn assess_github() {
    let log = render_github(&common::assess::assessment());
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    insta::assert_snapshot!(log);
}

#[test]
fn assess_github_keeps_input_text_in_its_annotation() {
    let mut a = common::assess::assessment();
    let item = a
        .areas
        .iter_mut()
        .flat_map(|r| r.items.iter_mut())
        .find(|i| !i.is_waived())
        .expect("an active item");
    item.finding.message = "x\n::error file=forged::owned\r\u{1b}[2J".to_string();
    let log = render_github(&a);
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    assert!(!log.contains("\n::error file=forged"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
}
