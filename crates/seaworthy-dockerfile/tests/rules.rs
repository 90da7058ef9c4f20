//! The meta-test of the registry: every rule has docs, cross-references where they exist, and
//! cases that fire and stay quiet; the findings of its firing cases are snapshotted.

use seaworthy_core::Finding;
use seaworthy_core::rule::testing::RegistryCheck;
use seaworthy_dockerfile::rules::{DockerfileRule, REGISTRY};
use seaworthy_dockerfile::{Config, LintOptions, lint_bytes};

fn options() -> LintOptions {
    LintOptions {
        config: Config {
            trusted_registries: vec!["docker.io".into(), "gcr.io".into()],
            ..Config::default()
        },
        ..LintOptions::default()
    }
}

/// The rule's own findings on one case.
fn findings_of(rule: &dyn DockerfileRule, case: &str) -> Vec<Finding> {
    let id = rule.meta().id;
    let findings = lint_bytes("Dockerfile", case.as_bytes(), &options())
        .unwrap_or_else(|e| panic!("{id}: a case does not parse: {e}\n{case}"));
    findings.into_iter().filter(|f| f.rule_id == id).collect()
}

#[test]
fn every_rule_is_documented_fires_on_its_cases_and_stays_quiet_on_the_others() {
    RegistryCheck::new(&REGISTRY)
        .cases(|rule, case| !findings_of(rule, case).is_empty())
        .run();
}

#[test]
fn registry_is_sorted_by_three_digit_ids() {
    let mut last = "";
    for rule in REGISTRY.iter() {
        let id = rule.meta().id;
        assert!(id > last, "{id} is out of order (after {last})");
        assert_eq!(id.len(), 9, "bad id {id}");
        last = id;
    }
    assert!(REGISTRY.len() >= 45, "only {} rules", REGISTRY.len());
}

#[test]
fn snapshots_of_firing_cases() {
    for rule in REGISTRY.iter() {
        let id = rule.meta().id;
        let mut snapshot = String::new();
        for (n, case) in rule.fire_cases().iter().enumerate() {
            snapshot.push_str(&format!("--- case {n}\n{case}"));
            for f in findings_of(rule, case) {
                snapshot.push_str(&format!(
                    ">>> {} {} {}: {}{}\n",
                    f.location.display(),
                    f.severity,
                    f.rule_id,
                    f.message,
                    f.evidence
                        .as_deref()
                        .map(|e| format!(" [{e}]"))
                        .unwrap_or_default()
                ));
            }
        }
        insta::assert_snapshot!(id, snapshot);
    }
}

#[test]
fn no_orphan_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        if let Some(id) = stem.strip_prefix("rules__") {
            assert!(
                REGISTRY.iter().any(|r| r.meta().id == id),
                "orphan snapshot {name}"
            );
        } else if let Some(file) = stem.strip_prefix("corpus__") {
            assert!(fixtures.join(file).is_file(), "orphan snapshot {name}");
        }
    }
}
