//! Every catalog pattern fires on its fixtures, stays quiet on its quiet ones, and never
//! shows more than four characters of what it found.

mod common;

use common::fixtures::{FIXTURES, Fixture};
use seaworthy_core::Severity;
use seaworthy_secrets::{Kind, Secret, patterns, scan_file, scan_text};

fn scan(f: &Fixture, text: &str) -> Vec<Secret> {
    match f.path {
        Some(path) => scan_file(&format!("home/app/{path}"), text.as_bytes()),
        None => scan_text(text),
    }
}

fn fixture(id: &str) -> Option<&'static Fixture> {
    FIXTURES.iter().find(|f| f.id == id)
}

#[test]
fn catalog_is_large_with_unique_kebab_case_ids() {
    let all = patterns();
    assert!(all.len() >= 30, "{} patterns", all.len());
    for (i, p) in all.iter().enumerate() {
        assert!(
            p.id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            p.id
        );
        assert!(
            all.iter().skip(i + 1).all(|q| q.id != p.id),
            "duplicate {}",
            p.id
        );
        assert!(!p.title.is_empty());
        assert!(
            p.kind == Kind::File || !p.anchors().is_empty(),
            "{} has no anchor",
            p.id
        );
    }
}

#[test]
fn severities_follow_the_kind_of_secret() {
    for p in patterns() {
        if p.kind == Kind::PrivateKey || p.id.starts_with("aws-") || p.id == "gcp-service-account" {
            assert_eq!(p.severity, Severity::Critical, "{}", p.id);
        }
    }
    let generic = seaworthy_secrets::pattern("generic-secret-assignment").map(|p| p.severity);
    assert_eq!(generic, Some(Severity::Medium));
}

#[test]
fn every_pattern_has_firing_and_quiet_fixtures() {
    for p in patterns() {
        let f = fixture(p.id).unwrap_or_else(|| panic!("no fixture for {}", p.id));
        assert!(!f.fire.is_empty() && !f.quiet.is_empty(), "{}", p.id);
    }
    for f in FIXTURES {
        assert!(
            seaworthy_secrets::pattern(f.id).is_some(),
            "fixture for unknown {}",
            f.id
        );
    }
}

#[test]
fn fixtures_fire() {
    let mut failures = Vec::new();
    for f in FIXTURES {
        for text in f.fire {
            let found = scan(f, text);
            if !found.iter().any(|s| s.id() == f.id) {
                let got: Vec<_> = found.iter().map(Secret::id).collect();
                failures.push(format!("{} did not fire on {text:?} (got {got:?})", f.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn text_fixtures_fire_in_any_file_too() {
    for f in FIXTURES.iter().filter(|f| f.path.is_none()) {
        for text in f.fire {
            let found = scan_file("srv/app/settings.txt", text.as_bytes());
            assert!(found.iter().any(|s| s.id() == f.id), "{} in a file", f.id);
        }
    }
}

#[test]
fn quiet_fixtures_stay_quiet() {
    let mut failures = Vec::new();
    for f in FIXTURES {
        for text in f.quiet {
            if let Some(s) = scan(f, text).iter().find(|s| s.id() == f.id) {
                failures.push(format!(
                    "{} fired on {text:?} at {}..{}",
                    f.id, s.start, s.end
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn masked_values_show_at_most_four_characters() {
    let mut checked = 0;
    for f in FIXTURES {
        for text in f.fire {
            for s in scan(f, text) {
                let value = text
                    .get(s.start..s.end)
                    .unwrap_or_else(|| panic!("{} range", f.id));
                assert!(
                    !s.masked.contains(value),
                    "{}: {} shows {value}",
                    f.id,
                    s.masked
                );
                let shown = s.masked.trim_end_matches('*');
                if s.pattern.kind == Kind::PrivateKey && value.starts_with("-----BEGIN") {
                    // The header line only; no body character.
                    assert!(
                        shown.starts_with("-----BEGIN") && shown.ends_with("-----"),
                        "{}",
                        s.masked
                    );
                    assert!(value.len() > shown.len() + 16, "{}", f.id);
                } else {
                    assert!(shown.chars().count() <= 4, "{}: {}", f.id, s.masked);
                    assert!(value.starts_with(shown), "{}: {}", f.id, s.masked);
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= patterns().len());
}

#[test]
fn lines_are_counted_from_one() {
    let text = "a=1\n\nGH=ghp_aB3dE6gH9jK2mN5pQ8rS1tU4vW7xY0zC3eF6\nAWS=AKIAZ7QWERTYUIOPASDF\n";
    let found = scan_text(text);
    let lines: Vec<_> = found.iter().map(|s| (s.id(), s.line)).collect();
    assert_eq!(lines, vec![("github-pat", 3), ("aws-access-key-id", 4)]);
}
