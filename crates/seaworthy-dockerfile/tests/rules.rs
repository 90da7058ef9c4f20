//! The meta-test of the registry: every rule has docs, cross-references where they exist, and
//! cases that fire and stay quiet; the findings of its firing cases are snapshotted.

use seaworthy_dockerfile::rules::RULES;
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

#[test]
fn registry_is_sorted_unique_and_documented() {
    let mut seen = std::collections::HashSet::new();
    let mut last = "";
    for rule in RULES {
        let m = rule.meta();
        assert!(seen.insert(m.id), "{} registered twice", m.id);
        assert!(m.id > last, "{} is out of order (after {last})", m.id);
        last = m.id;
        assert!(
            m.id.starts_with("SW-DF-") && m.id.len() == 9,
            "bad id {}",
            m.id
        );
        assert!(!m.title.is_empty() && !m.remediation.is_empty(), "{}", m.id);
        assert!(
            m.docs.contains("## Why") && m.docs.contains("## Fix"),
            "{} lacks doc sections",
            m.id
        );
        assert!(
            !rule.fire_cases().is_empty() && !rule.quiet_cases().is_empty(),
            "{} lacks cases",
            m.id
        );
    }
    assert!(RULES.len() >= 45, "only {} rules", RULES.len());
}

#[test]
fn every_rule_fires_on_its_cases_and_stays_quiet_on_the_others() {
    let opts = options();
    for rule in RULES {
        let id = rule.meta().id;
        let mut snapshot = String::new();
        for (n, case) in rule.fire_cases().iter().enumerate() {
            let findings = lint_bytes("Dockerfile", case.as_bytes(), &opts)
                .unwrap_or_else(|e| panic!("{id} fire case {n} does not parse: {e}"));
            let mine: Vec<_> = findings.iter().filter(|f| f.rule_id == id).collect();
            assert!(!mine.is_empty(), "{id} did not fire on case {n}:\n{case}");
            snapshot.push_str(&format!("--- case {n}\n{case}"));
            for f in mine {
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
        for (n, case) in rule.quiet_cases().iter().enumerate() {
            let findings = lint_bytes("Dockerfile", case.as_bytes(), &opts)
                .unwrap_or_else(|e| panic!("{id} quiet case {n} does not parse: {e}"));
            let mine: Vec<_> = findings.iter().filter(|f| f.rule_id == id).collect();
            assert!(
                mine.is_empty(),
                "{id} fired on quiet case {n}:\n{case}\n{mine:#?}"
            );
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
                RULES.iter().any(|r| r.meta().id == id),
                "orphan snapshot {name}"
            );
        } else if let Some(file) = stem.strip_prefix("corpus__") {
            assert!(fixtures.join(file).is_file(), "orphan snapshot {name}");
        }
    }
}
