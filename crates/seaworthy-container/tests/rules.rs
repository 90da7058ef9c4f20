//! Every container rule: documented for `docker run` and compose, with cases that warn and cases
//! that do not, a snapshot of what its warning cases report, and the registry matching CIS 1.6.0
//! section 5 check for check.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::fmt::Write as _;

use seaworthy_container::rules::run_rule;
use seaworthy_container::{ContainerRule, REGISTRY, case, check};
use seaworthy_core::rule::testing::RegistryCheck;
use seaworthy_core::{CheckResult, Level, Status};

fn result_of(case_text: &str, rule: &dyn ContainerRule) -> CheckResult {
    let (spec, ctx) =
        case::parse(case_text).unwrap_or_else(|e| panic!("{}: {e}\n{case_text}", rule.meta().id));
    run_rule(rule, &spec, &ctx)
}

/// Section 5 of the CIS list: (id, title, automated, level).
fn cis_section5() -> Vec<(String, String, bool, String)> {
    include_str!("../testdata/cis-section5.tsv")
        .lines()
        .filter(|l| l.starts_with("5\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[2].to_string(),
                f[3].to_string(),
                f[4] == "Automated",
                f[6].to_string(),
            )
        })
        .collect()
}

#[test]
fn the_registry_is_cis_section_5() {
    let cis = cis_section5();
    assert_eq!(cis.len(), 32);
    assert_eq!(REGISTRY.len(), cis.len());
    for (rule, (id, title, automated, level)) in REGISTRY.iter().zip(&cis) {
        let c = rule.extra();
        assert_eq!(rule.cis_id(), id, "{title}");
        assert_eq!(rule.meta().id, format!("SW-CTR-{id}"));
        // 5.23 is automated in CIS but needs exec sessions, which only running containers have.
        assert_eq!(c.automated, *automated, "{id} {title}");
        let want = if level.starts_with("L2") {
            Level::L2
        } else {
            Level::L1
        };
        assert_eq!(c.level, want, "{id}");
    }
}

/// Manual checks only report facts; 5.1 (swarm) is a host fact. Every other check fires.
fn reports_facts_only(rule: &dyn ContainerRule) -> bool {
    !rule.extra().automated || rule.cis_id() == "5.1"
}

#[test]
fn every_rule_passes_the_meta_test() {
    RegistryCheck::new(&REGISTRY)
        .sections(&["## Why", "## Fix", "## Example"])
        .cases(|rule, case| result_of(case, rule).status == Status::Warn)
        .fire_optional(reports_facts_only)
        .run();
}

#[test]
fn every_rule_has_docker_and_compose_examples() {
    for rule in REGISTRY.iter() {
        let m = rule.meta();
        assert!(
            m.docs.contains("docker run") || m.docs.contains("docker exec"),
            "{} has no docker example",
            m.id
        );
        assert!(
            m.docs.contains("services:"),
            "{} has no compose example",
            m.id
        );
        if !reports_facts_only(rule) {
            assert!(
                rule.fire_cases().iter().any(|c| c.starts_with("services:"))
                    || rule.cis_id() == "5.7"
                    || rule.cis_id() == "5.23",
                "{} has no compose firing case",
                m.id
            );
        }
    }
}

#[test]
fn warnings_carry_evidence_and_manual_checks_report_facts() {
    for rule in REGISTRY.iter() {
        let id = rule.meta().id;
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let r = result_of(c, rule);
            assert!(!r.evidence.is_empty(), "{id} fire case {i} has no evidence");
        }
        if !rule.extra().automated {
            for c in rule.quiet_cases() {
                let r = result_of(c, rule);
                assert!(
                    matches!(r.status, Status::Info | Status::NotApplicable),
                    "{id}: manual checks report facts: {r:#?}"
                );
            }
        }
    }
}

#[test]
fn one_result_per_check_in_cis_order() {
    let (spec, ctx) = case::parse("docker run --privileged alpine").unwrap();
    let results = check(&spec, &ctx);
    let ids: Vec<&str> = results.iter().map(|r| r.cis_id.as_str()).collect();
    let want: Vec<String> = cis_section5().into_iter().map(|c| c.0).collect();
    assert_eq!(ids, want);
    let swarm = &results[0];
    assert_eq!(swarm.status, Status::NotApplicable);
}

#[test]
fn snapshots_of_firing_cases() {
    for rule in REGISTRY.iter() {
        let mut out = String::new();
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let r = result_of(c, rule);
            let _ = writeln!(out, "# case {i}");
            let _ = writeln!(
                out,
                "{} {} {} {}",
                r.status.as_str(),
                r.severity,
                r.rule_id,
                r.message
            );
            let _ = writeln!(out, "  at {}", r.location.display());
            for e in &r.evidence {
                let _ = writeln!(out, "  evidence {} ({})", e.value, e.source);
            }
        }
        if out.is_empty() {
            continue;
        }
        insta::assert_snapshot!(rule.meta().id, out);
    }
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

/// The AppArmor rule fires on `--privileged` too; its help then says to drop `--privileged`,
/// not to remove an `apparmor=unconfined` that was never given (issue 19 item 10).
#[test]
fn apparmor_help_names_the_setting_that_fired() {
    let rule = REGISTRY
        .iter()
        .find(|r| r.meta().id == "SW-CTR-5.2")
        .expect("SW-CTR-5.2");
    let privileged = result_of("docker run --privileged alpine", rule);
    assert!(
        privileged.remediation.contains("Remove `--privileged`")
            && !privileged.remediation.contains("apparmor=unconfined"),
        "{}",
        privileged.remediation
    );
    let unconfined = result_of("docker run --security-opt apparmor=unconfined alpine", rule);
    assert!(
        unconfined.remediation.contains("apparmor=unconfined"),
        "{}",
        unconfined.remediation
    );
}
