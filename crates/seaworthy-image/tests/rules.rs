//! Every image rule: documented, with cases that fire and cases that stay quiet, and a snapshot of
//! what its firing cases report.

use std::fmt::Write as _;

use seaworthy_core::rule::testing::RegistryCheck;
use seaworthy_image::{REGISTRY, Subject, case, run_rule};

fn findings_of(
    case_text: &str,
    rule: &dyn seaworthy_image::ImageRule,
) -> Vec<seaworthy_core::Finding> {
    let image = case::image(case_text).unwrap_or_else(|e| panic!("{}: {e}", rule.meta().id));
    let settings = case::settings(case_text);
    let subject = Subject::new(&image.info, &image.fs, &settings);
    run_rule(rule, &subject)
}

#[test]
fn every_rule_is_documented_fires_on_its_cases_and_stays_quiet_on_the_others() {
    RegistryCheck::new(&REGISTRY)
        .cases(|rule, case| !findings_of(case, rule).is_empty())
        .run();
}

#[test]
fn snapshots_of_firing_cases() {
    for rule in REGISTRY.iter() {
        let mut out = String::new();
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let _ = writeln!(out, "# case {i}");
            for f in findings_of(c, rule) {
                let _ = writeln!(out, "{} {} {}", f.severity, f.rule_id, f.message);
                let _ = writeln!(out, "  at {}", f.location.display());
                if let Some(o) = &f.origin {
                    let _ = writeln!(
                        out,
                        "  layer {:?} step {:?} {}",
                        o.layer,
                        o.step,
                        o.created_by.as_deref().unwrap_or("-")
                    );
                }
                if let Some(e) = &f.evidence {
                    let _ = writeln!(out, "  evidence {e}");
                }
            }
        }
        insta::assert_snapshot!(rule.meta().id, out);
    }
}

#[test]
fn registry_is_ordered_by_id() {
    let ids: Vec<&str> = REGISTRY.iter().map(|r| r.meta().id).collect();
    assert!(ids.is_sorted(), "{ids:?}");
}

#[test]
fn no_orphan_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name
            .strip_prefix("rules__")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            assert!(
                REGISTRY.iter().any(|r| r.meta().id == id),
                "orphan snapshot {name}"
            );
        }
    }
}
