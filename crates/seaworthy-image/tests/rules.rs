//! Every image rule: documented, with cases that fire and cases that stay quiet, and a snapshot of
//! what its firing cases report.

use std::fmt::Write as _;

use seaworthy_image::{RULES, Subject, case, run_rule};

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
fn every_rule_is_documented_and_has_cases() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.meta().id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    for rule in RULES {
        let m = rule.meta();
        assert!(m.id.starts_with("SW-IMG-"), "{}", m.id);
        for section in ["## Why", "## Fix"] {
            assert!(m.docs.contains(section), "{} lacks {section}", m.id);
        }
        assert!(!m.remediation.is_empty(), "{}", m.id);
        assert!(!rule.fire_cases().is_empty(), "{} has no firing case", m.id);
        assert!(!rule.quiet_cases().is_empty(), "{} has no quiet case", m.id);
    }
}

#[test]
fn firing_cases_fire_and_quiet_cases_stay_quiet() {
    for rule in RULES {
        let id = rule.meta().id;
        for (i, c) in rule.fire_cases().iter().enumerate() {
            assert!(
                !findings_of(c, *rule).is_empty(),
                "{id} fire case {i} is quiet:\n{c}"
            );
        }
        for (i, c) in rule.quiet_cases().iter().enumerate() {
            let found = findings_of(c, *rule);
            assert!(
                found.is_empty(),
                "{id} quiet case {i} fired: {found:#?}\n{c}"
            );
        }
    }
}

#[test]
fn snapshots_of_firing_cases() {
    for rule in RULES {
        let mut out = String::new();
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let _ = writeln!(out, "# case {i}");
            for f in findings_of(c, *rule) {
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
