//! Language-ecosystem version orderings checked against real oracles (node semver, Go's
//! x/mod/semver, packaging.version, Gem::Version, Composer, Maven ComparableVersion) on
//! version pairs from the advisory corpus, plus property tests of the order itself.

use std::cmp::Ordering;

use proptest::prelude::*;
use seaworthy_vulndb::versions::{composer, gem, golang, maven, nuget, pep440, semver};

type Compare = fn(&str, &str) -> Ordering;
type IsValid = fn(&str) -> bool;

const SCHEMES: [(&str, Compare, IsValid); 7] = [
    ("semver", semver::compare, semver::is_valid),
    ("golang", golang::compare, golang::is_valid),
    ("pep440", pep440::compare, pep440::is_valid),
    ("maven", maven::compare, maven::is_valid),
    ("gem", gem::compare, gem::is_valid),
    ("composer", composer::compare, composer::is_valid),
    ("nuget", nuget::compare, nuget::is_valid),
];

fn expected(n: &str) -> Ordering {
    match n {
        "-1" => Ordering::Less,
        "0" => Ordering::Equal,
        "1" => Ordering::Greater,
        other => panic!("bad oracle value {other:?}"),
    }
}

/// Checks every pair of `testdata/versions-lang/<name>-pairs.tsv` (corpus versions) and
/// `<name>-synthetic.tsv` (generated tricky spellings) against `cmp`.
fn check_oracle(name: &str, cmp: Compare, valid: IsValid) {
    check_file(name, "pairs", 300, cmp, valid, &[]);
    check_file(name, "synthetic", 100, cmp, valid, &[]);
}

/// Synthetic Maven spellings where Maven's `ComparableVersion` is not transitive (items of
/// different kinds next to padding) and seaworthy's total order answers the other way (see
/// `maven::cmp_lists`). Every real version pair of the corpus agrees with Maven.
const MAVEN_INTRANSITIVE: &[(&str, &str)] = &[
    ("10.RELEASE-rc2-0", "10.RELEASE.1.11-0"),
    ("1.x-0cr.Final", "1.x-foo-foo"),
    ("0.2.x-sp11-0", "0.2cr"),
    ("1.2-alpha-", "1.2.x-0.Final"),
    ("1.2.x-0.Final", "1.2b0a11"),
    ("0.x-0a11", "0.x-S0APSHOT-sp1"),
    ("0-spcr.11", "0-0m2.1-0"),
    ("1.x-foo-foo", "1a1"),
    ("0--rc0", "0-S11APSHOT"),
    ("2.x-11.RELEASE", "2cr"),
    ("10cr-rc0.x", "10.RELEASE.1.11-0"),
    ("10-rc1-2-rc11-alpha", "10.RELEASEcr-S2APSHOT"),
    ("1.x-sp.", "1b0"),
    ("2-rc2.RELEASE-sp", "2.x-11.RELEASE"),
    ("0-sp2m11-foo", "0-0-alpha"),
    ("0-sp1.-0", "0-0-alpha"),
    ("1-0-rc1a1.Final", "1-S11APSHOT-0-sp"),
    ("1-alpha", "1.x-sp."),
    ("1b11.-sp-sp", "1.x-sp."),
    ("0-sp-1-sp.", "0-0b2.0"),
    ("0-sp.x", "0-0m2.1-0"),
];

fn check_file(
    name: &str,
    kind: &str,
    min: usize,
    cmp: Compare,
    valid: IsValid,
    deviations: &[(&str, &str)],
) {
    let path = format!(
        "{}/testdata/versions-lang/{name}-{kind}.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [a, b, want] = f.as_slice() else {
            panic!("{path}: bad line {line:?}")
        };
        count += 1;
        assert!(
            valid(a) && valid(b),
            "{name}: {a:?} / {b:?} should be valid"
        );
        let want = expected(want);
        if deviations.contains(&(*a, *b)) {
            assert_ne!(
                cmp(a, b),
                want,
                "{a} vs {b} agrees with Maven now: drop it from the list"
            );
            continue;
        }
        if cmp(a, b) != want || cmp(b, a) != want.reverse() {
            failures.push(format!("{a} vs {b}: want {want:?}, got {:?}", cmp(a, b)));
        }
    }
    assert!(count >= min, "{path}: only {count} pairs");
    assert!(
        failures.is_empty(),
        "{path}: {} of {count} wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Checks `testdata/versions-lang/<name>-validity.tsv` (string, oracle's 1|0) against `valid`.
fn check_validity(name: &str, valid: IsValid) {
    let path = format!(
        "{}/testdata/versions-lang/{name}-validity.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let wrong: Vec<&str> = text
        .lines()
        .filter(|l| match l.rsplit_once('\t') {
            Some((v, ok)) => valid(v) != (ok == "1"),
            None => panic!("{path}: bad line {l:?}"),
        })
        .collect();
    assert!(text.lines().count() >= 300, "{path}: too few lines");
    assert!(wrong.is_empty(), "{path}: validity differs for {wrong:#?}");
}

#[test]
fn validity_matches_oracles() {
    check_validity("semver", semver::is_valid);
    check_validity("golang", golang::is_valid);
    check_validity("pep440", pep440::is_valid);
    check_validity("gem", gem::is_valid);
    check_validity("composer", composer::is_valid);
}

#[test]
fn semver_matches_node_semver() {
    check_oracle("semver", semver::compare, semver::is_valid);
}

#[test]
fn golang_matches_x_mod_semver() {
    check_oracle("golang", golang::compare, golang::is_valid);
}

#[test]
fn pep440_matches_packaging() {
    check_oracle("pep440", pep440::compare, pep440::is_valid);
}

#[test]
fn maven_matches_comparable_version() {
    check_file("maven", "pairs", 300, maven::compare, maven::is_valid, &[]);
    check_file(
        "maven",
        "synthetic",
        100,
        maven::compare,
        maven::is_valid,
        MAVEN_INTRANSITIVE,
    );
}

#[test]
fn gem_matches_gem_version() {
    check_oracle("gem", gem::compare, gem::is_valid);
}

#[test]
fn composer_matches_composer_semver() {
    check_oracle("composer", composer::compare, composer::is_valid);
}

/// Sorted ascending, each strictly below the next unless marked equal in the oracle comment.
fn assert_ascending(cmp: Compare, vs: &[&str]) {
    for w in vs.windows(2) {
        if let [a, b] = w {
            assert_eq!(cmp(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(cmp(b, a), Ordering::Greater, "{b} > {a}");
        }
    }
}

#[test]
fn semver_prefix_and_build_metadata() {
    assert_eq!(semver::compare("v1.2.3", "1.2.3"), Ordering::Equal);
    assert_eq!(semver::compare("1.2.3+a", "1.2.3+b"), Ordering::Equal);
    assert_ascending(
        semver::compare,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-rc.1",
            "1.0.0",
            "not-a-version",
        ],
    );
}

#[test]
fn golang_incompatible_and_pseudo_versions() {
    // Examples from the Go modules reference ("Pseudo-versions", "+incompatible").
    assert_eq!(
        golang::compare("v2.0.0+incompatible", "v2.0.0"),
        Ordering::Equal
    );
    assert_eq!(golang::compare("2.0.0", "v2.0.0"), Ordering::Equal);
    assert_ascending(
        golang::compare,
        &[
            "v0.0.0-20191109021931-daa7c04131f5",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
        ],
    );
    assert!(!golang::is_valid("vv1.0.0"));
    assert_eq!(golang::compare("v1.2", "v1.2.0"), Ordering::Equal);
    assert_eq!(golang::compare("v1", "v1.0.0"), Ordering::Equal);
    assert!(!golang::is_valid("v1.2-pre"));
    assert!(!golang::is_valid("v1.02.0"));
}

#[test]
fn pep440_spec_ordering() {
    // The ordering example from PEP 440 "Summary of permitted suffixes and relative ordering".
    assert_ascending(
        pep440::compare,
        &[
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ],
    );
    assert_eq!(pep440::compare("1.0.0", "1"), Ordering::Equal);
    assert_eq!(pep440::compare("1.0-1", "1.0.post1"), Ordering::Equal);
    assert_eq!(pep440::compare("1.0ALPHA1", "1.0a1"), Ordering::Equal);
    assert!(!pep440::is_valid("1.0+"));
}

#[test]
fn nuget_four_parts_and_case_insensitive_prerelease() {
    // Examples from NuGet's "Package versioning" documentation.
    assert_eq!(nuget::compare("1.0", "1.0.0.0"), Ordering::Equal);
    assert_eq!(nuget::compare("1.0.0-BETA", "1.0.0-beta"), Ordering::Equal);
    assert_eq!(nuget::compare("1.0.0+git.abc", "1.0.0"), Ordering::Equal);
    assert_ascending(
        nuget::compare,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
        ],
    );
    assert!(!nuget::is_valid("1.0.0.0.0"));
}

#[test]
fn composer_normalisation() {
    assert_eq!(composer::normalize("v1.2").as_deref(), Some("1.2.0.0"));
    assert_eq!(
        composer::normalize("1.0.0-beta.2").as_deref(),
        Some("1.0.0.0-beta2")
    );
    assert_eq!(
        composer::normalize("1.0RC1").as_deref(),
        Some("1.0.0.0-RC1")
    );
    assert_eq!(
        composer::normalize("1.0.0-pl3").as_deref(),
        Some("1.0.0.0-patch3")
    );
    // Date versions, checked with Composer's VersionParser::normalize (see SOURCES.md).
    for (v, n) in [
        ("20230101", "20230101"),
        ("2023-01-01", "2023.01.01"),
        ("2023.01.01.123", "2023.01.01.123"),
        ("v2023010112-beta1", "2023010112-beta1"),
        ("123456", "123456"),
        ("2023.1", "2023.1.0.0"),
        ("2023-01-01-dev", "2023.01.01-dev"),
    ] {
        assert_eq!(composer::normalize(v).as_deref(), Some(n), "{v}");
    }
    assert_ascending(
        composer::compare,
        &[
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
        ],
    );
}

/// Maven's own order is not transitive where items of different kinds meet padding; ours is,
/// and agrees with Maven on the corpus pairs above (`maven_matches_comparable_version`).
#[test]
fn maven_order_is_transitive_where_maven_is_not() {
    for [a, b, c] in [
        ["1.0.alpha.1", "1", "1-sp"],
        ["0a0", "0", "x"],
        ["0a0", "", " "],
    ] {
        assert_eq!(maven::compare(a, b), Ordering::Less, "{a} < {b}");
        assert_eq!(maven::compare(b, c), Ordering::Less, "{b} < {c}");
        assert_eq!(maven::compare(a, c), Ordering::Less, "{a} < {c}");
    }
    // A sort of hostile event versions sees a consistent order (std's sort may panic otherwise).
    let mut versions = vec![
        "1-sp",
        "1.0.alpha.1",
        "1",
        "x",
        "0a0",
        "0",
        "1.0.1",
        "1.0-sp1",
    ];
    versions.sort_by(|a, b| maven::compare(a, b));
    assert_eq!(
        versions,
        [
            "0a0",
            "0",
            "x",
            "1.0.alpha.1",
            "1",
            "1-sp",
            "1.0-sp1",
            "1.0.1"
        ]
    );
}

fn version_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-zA-Z.+!_-]{0,16}",
        "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}(-[a-z0-9.]{1,6})?(\\+[a-z0-9]{1,4})?",
        "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}(a|b|rc|alpha|beta|pre|sp|final|dev|post|-|\\.)?[0-9]{0,2}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn orders_are_total_antisymmetric_and_transitive(
        a in version_like(), b in version_like(), c in version_like()
    ) {
        for (name, cmp, valid) in SCHEMES {
            let _ = (valid(&a), valid(&b), valid(&c));
            prop_assert_eq!(cmp(&a, &a), Ordering::Equal, "{} reflexive {:?}", name, a);
            prop_assert_eq!(cmp(&a, &b), cmp(&b, &a).reverse(), "{} antisymmetric {:?} {:?}", name, a, b);
            let (ab, bc, ac) = (cmp(&a, &b), cmp(&b, &c), cmp(&a, &c));
            if ab != Ordering::Greater && bc != Ordering::Greater {
                prop_assert_ne!(ac, Ordering::Greater, "{} transitive {:?} {:?} {:?}", name, a, b, c);
            }
            if ab == Ordering::Equal && bc == Ordering::Equal {
                prop_assert_eq!(ac, Ordering::Equal, "{} equality transitive {:?} {:?} {:?}", name, a, b, c);
            }
        }
    }
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep = "1-".repeat(100_000);
    let long_num = "9".repeat(10_000);
    let mixed = "a1".repeat(50_000);
    // Deep but still valid Maven nesting, compared recursively without overflowing; like
    // ComparableVersion says for `1-a1-a > 1-a1-a1`, the trailing `a` is not `alpha`.
    let nested = "1-a".repeat(150);
    assert!(maven::is_valid(&nested));
    assert_eq!(
        maven::compare(&nested, &format!("{nested}1")),
        Ordering::Greater
    );
    assert!(!maven::is_valid(&deep));
    for (_, cmp, valid) in SCHEMES {
        for v in [
            deep.as_str(),
            long_num.as_str(),
            mixed.as_str(),
            "",
            " ",
            "\u{0}",
            "é.1",
        ] {
            let _ = valid(v);
            let _ = cmp(v, "1.0");
            let _ = cmp(v, v);
        }
    }
}
