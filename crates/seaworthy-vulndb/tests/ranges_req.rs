//! Version requirements in each ecosystem's syntax: the documented examples of each tool, the
//! real tools' verdicts on the corpus's own range strings (`testdata/ranges/*-oracle.tsv`,
//! see its SOURCES.md), the dispatch used by the matcher, and no panics on arbitrary input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use seaworthy_vulndb::ReqSyntax;
use seaworthy_vulndb::ranges::{
    self, MAX_COMPARATORS, MAX_EXPR_LEN, cargo, composer, gem, lowest_fix, npm,
    requirement_matches, requirements_affect,
};

/// Asserts `expr` contains every version of `inside` and none of `outside`.
fn check(
    name: &str,
    matches: impl Fn(&str, &str) -> Result<bool, ranges::RangeError>,
    expr: &str,
    inside: &[&str],
    outside: &[&str],
) {
    for v in inside {
        assert_eq!(
            matches(expr, v),
            Ok(true),
            "{name}: {v} should satisfy {expr:?}"
        );
    }
    for v in outside {
        assert_eq!(
            matches(expr, v),
            Ok(false),
            "{name}: {v} should not satisfy {expr:?}"
        );
    }
}

fn oracle_rows(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/testdata/ranges/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn verdict(want: &str) -> Option<bool> {
    match want {
        "1" => Some(true),
        "0" => Some(false),
        "invalid" => None,
        other => panic!("bad oracle verdict {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// npm: node-semver README, "Advanced Range Syntax"
// (https://github.com/npm/node-semver#advanced-range-syntax) and node-semver's own test fixtures
// test/fixtures/range-include.js / range-exclude.js (strict mode cases).

fn npm_default(r: &str, v: &str) -> Result<bool, ranges::RangeError> {
    npm::matches(r, v, false)
}

fn npm_incpr(r: &str, v: &str) -> Result<bool, ranges::RangeError> {
    npm::matches(r, v, true)
}

#[test]
fn npm_readme_hyphen_ranges() {
    // `1.2.3 - 2.3.4` := `>=1.2.3 <=2.3.4`
    check(
        "npm",
        npm_default,
        "1.2.3 - 2.3.4",
        &["1.2.3", "2.3.4", "2.0.0"],
        &["1.2.2", "2.3.5"],
    );
    // `1.2 - 2.3.4` := `>=1.2.0 <=2.3.4`
    check(
        "npm",
        npm_default,
        "1.2 - 2.3.4",
        &["1.2.0", "2.3.4"],
        &["1.1.9", "2.3.5"],
    );
    // `1.2.3 - 2.3` := `>=1.2.3 <2.4.0-0`
    check(
        "npm",
        npm_default,
        "1.2.3 - 2.3",
        &["2.3.99"],
        &["2.4.0", "1.2.2"],
    );
    // `1.2.3 - 2` := `>=1.2.3 <3.0.0-0`
    check("npm", npm_default, "1.2.3 - 2", &["2.99.99"], &["3.0.0"]);
}

#[test]
fn npm_readme_x_ranges() {
    check("npm", npm_default, "*", &["0.0.0", "1.2.3"], &[]);
    check("npm", npm_default, "", &["1.0.0"], &[]);
    check(
        "npm",
        npm_default,
        "1.x",
        &["1.0.0", "1.99.0"],
        &["2.0.0", "0.9.9"],
    );
    check(
        "npm",
        npm_default,
        "1.2.x",
        &["1.2.0", "1.2.99"],
        &["1.3.0", "1.1.9"],
    );
    check("npm", npm_default, "1", &["1.0.0", "1.9.9"], &["2.0.0"]);
    check("npm", npm_default, "1.2", &["1.2.0", "1.2.9"], &["1.3.0"]);
    check("npm", npm_default, "1.2.*", &["1.2.3"], &["1.3.3"]);
}

#[test]
fn npm_readme_tilde_ranges() {
    check(
        "npm",
        npm_default,
        "~1.2.3",
        &["1.2.3", "1.2.9"],
        &["1.3.0", "1.2.2"],
    );
    check("npm", npm_default, "~1.2", &["1.2.0", "1.2.9"], &["1.3.0"]);
    check("npm", npm_default, "~1", &["1.0.0", "1.9.0"], &["2.0.0"]);
    check(
        "npm",
        npm_default,
        "~0.2.3",
        &["0.2.3", "0.2.9"],
        &["0.3.0"],
    );
    check("npm", npm_default, "~0.2", &["0.2.0"], &["0.3.0"]);
    check("npm", npm_default, "~0", &["0.0.0", "0.9.9"], &["1.0.0"]);
    // prereleases of 1.2.3 at or above beta.2 only
    check(
        "npm",
        npm_default,
        "~1.2.3-beta.2",
        &["1.2.3-beta.4", "1.2.3"],
        &["1.2.4-beta.2", "1.2.3-beta.1"],
    );
}

#[test]
fn npm_readme_caret_ranges() {
    check(
        "npm",
        npm_default,
        "^1.2.3",
        &["1.2.3", "1.9.9"],
        &["2.0.0", "1.2.2"],
    );
    check(
        "npm",
        npm_default,
        "^0.2.3",
        &["0.2.3", "0.2.9"],
        &["0.3.0"],
    );
    check(
        "npm",
        npm_default,
        "^0.0.3",
        &["0.0.3"],
        &["0.0.4", "0.0.2"],
    );
    check(
        "npm",
        npm_default,
        "^1.2.3-beta.2",
        &["1.2.3-beta.4", "1.9.0"],
        &["1.2.4-beta.2"],
    );
    check(
        "npm",
        npm_default,
        "^0.0.3-beta",
        &["0.0.3-pr.2", "0.0.3"],
        &["0.0.4"],
    );
    check(
        "npm",
        npm_default,
        "^1.2.x",
        &["1.2.0", "1.9.0"],
        &["2.0.0"],
    );
    check(
        "npm",
        npm_default,
        "^0.0.x",
        &["0.0.0", "0.0.9"],
        &["0.1.0"],
    );
    check("npm", npm_default, "^0.0", &["0.0.5"], &["0.1.0"]);
    check("npm", npm_default, "^1.x", &["1.0.0"], &["2.0.0"]);
    check("npm", npm_default, "^0.x", &["0.9.0"], &["1.0.0"]);
}

#[test]
fn npm_readme_prerelease_rule() {
    // `>1.2.3-alpha.3` matches 1.2.3-alpha.7 but not 3.4.5-alpha.9; 3.4.5 does.
    check(
        "npm",
        npm_default,
        ">1.2.3-alpha.3",
        &["1.2.3-alpha.7", "3.4.5"],
        &["3.4.5-alpha.9"],
    );
    // with includePrerelease the ordering alone decides
    check("npm", npm_incpr, ">1.2.3-alpha.3", &["3.4.5-alpha.9"], &[]);
}

/// Strict-mode rows of node-semver's test/fixtures/range-include.js and range-exclude.js.
#[test]
fn npm_node_semver_fixtures() {
    let include: &[(&str, &str, bool)] = &[
        ("1.0.0 - 2.0.0", "1.2.3", false),
        ("^1.2.3+build", "1.2.3", false),
        ("^1.2.3+build", "1.3.0", false),
        ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3", false),
        ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2", false),
        ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha", false),
        ("1.2.3+asdf - 2.4.3+asdf", "1.2.3", false),
        (">=*", "0.2.4", false),
        (">= 1.0.0", "1.0.0", false),
        (">=  1.0.0", "1.0.1", false),
        ("<\t2.0.0", "0.2.9", false),
        ("0.1.20 || 1.2.4", "1.2.4", false),
        (">=0.2.3 || <0.0.1", "0.0.0", false),
        ("||", "1.3.4", false),
        ("2.x.x", "2.1.3", false),
        ("1.2.x || 2.x", "2.1.3", false),
        ("x", "1.2.3", false),
        ("~x", "0.0.9", false),
        ("~>3.2.1", "3.2.2", false),
        ("~> 1", "1.2.3", false),
        ("~ 1.0.3", "1.0.12", false),
        ("~v0.5.4-pre", "0.5.5", false),
        ("=0.7.x", "0.7.2", false),
        ("<=0.7.x", "0.6.2", false),
        ("~1.2.1 >=1.2.3 1.2.3", "1.2.3", false),
        ("^1.2 ^1", "1.4.2", false),
        ("^0.0.1-alpha", "0.0.1-beta", false),
        ("x - 1.0.0", "0.9.7", false),
        ("1.x - x", "1.9.7", false),
        ("<=7.x", "7.9.9", false),
        ("2.x", "2.0.0-pre.0", true),
        ("*", "1.0.0-rc1", true),
        ("^1.0.0-0", "1.0.1-rc1", true),
        ("^1.0.0", "1.1.0-rc1", true),
        ("1 - 2", "2.0.0-pre", true),
        ("1 - 2", "1.0.0-pre", true),
        ("=0.7.x", "0.7.0-asdf", true),
        ("<=0.7.x", "0.7.0-asdf", true),
        (">=1.0.0 <=1.1.0", "1.1.0-pre", true),
    ];
    let exclude: &[(&str, &str, bool)] = &[
        ("1.0.0 - 2.0.0", "2.2.3", false),
        ("1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha", false),
        ("^1.2.3+build", "2.0.0", false),
        ("^1.2.3", "1.2.3-pre", false),
        (">1.2", "1.3.0-beta", false),
        ("<=1.2.3", "1.2.3-beta", false),
        ("=0.7.x", "0.7.0-asdf", false),
        (">=0.2.3 || <0.0.1", "0.0.3", false),
        ("2.*.*", "3.1.3", false),
        ("~0.0.1", "0.1.0-alpha", false),
        ("~>3.2.1", "3.2.0", false),
        ("<1", "1.0.0", false),
        ("~v0.5.4-beta", "0.5.4-alpha", false),
        ("<0.7.x", "0.7.2", false),
        ("<1.2.3", "1.2.3-beta", false),
        (">1.2", "1.2.8", false),
        ("^0.0.1", "0.0.2-alpha", false),
        ("^1.2.3", "2.0.0-alpha", false),
        ("2.x", "3.0.0-pre.0", true),
        ("^1.0.0", "1.0.0-rc1", true),
        ("^1.0.0", "2.0.0-rc1", true),
        ("^1.2.3-rc2", "2.0.0", true),
        ("1 - 2", "3.0.0-pre", true),
        ("1 - 2", "2.0.0-pre", false),
        ("1.1.x", "1.2.0-a", true),
        ("1.1.x", "1.0.0-a", true),
        ("1.x", "2.0.0-a", true),
        (">=1.0.0 <1.1.0", "1.1.0", true),
        (">=1.0.0 <1.1.0", "1.1.0-pre", false),
        (">=1.0.0 <1.1.0-pre", "1.1.0-pre", false),
    ];
    for (range, v, incpr) in include {
        assert_eq!(
            npm::matches(range, v, *incpr),
            Ok(true),
            "{range:?} ∋ {v} ({incpr})"
        );
    }
    for (range, v, incpr) in exclude {
        assert_eq!(
            npm::matches(range, v, *incpr),
            Ok(false),
            "{range:?} ∌ {v} ({incpr})"
        );
    }
    // node-semver answers `false` for a version it cannot parse; we say why instead.
    assert!(npm::matches("*", "not a version", false).is_err());
}

#[test]
fn npm_invalid_ranges_are_errors() {
    for bad in [
        ">=",
        "1.2.3.4",
        "01.2.3",
        "^1.2.3 || >x.y",
        "a.b.c",
        "1.2-beta",
        ">=1.0.0<2.0.0",
        "1 | 2",
    ] {
        let err = npm::matches(bad, "1.2.3", false).expect_err(bad);
        assert!(
            err.to_string()
                .contains(bad.split_whitespace().next().unwrap_or(bad)),
            "{err}"
        );
    }
}

/// node-semver 7.6.2 on every `vulnerable_versions`/`patched_versions` range of the Node.js
/// security WG corpus, against versions taken from and around each range.
#[test]
fn npm_agrees_with_node_semver_on_corpus_ranges() {
    let rows = oracle_rows("npm-oracle.tsv");
    assert!(rows.len() > 2500, "{} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [range, version, incpr, want] = row.as_slice() else {
            panic!("bad row {row:?}")
        };
        let got = npm::matches(range, version, incpr == "1").ok();
        if got != verdict(want) {
            failures.push(format!(
                "{range:?} {version} incpr={incpr}: want {want}, got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Cargo: the Cargo book, "Specifying Dependencies"
// (https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html), its tables of
// caret, tilde, wildcard and comparison requirements.

#[test]
fn cargo_book_caret_requirements() {
    let c = cargo::matches;
    check(
        "cargo",
        c,
        "^1.2.3",
        &["1.2.3", "1.99.0"],
        &["2.0.0", "1.2.2"],
    );
    check("cargo", c, "^1.2", &["1.2.0", "1.9.9"], &["2.0.0", "1.1.9"]);
    check("cargo", c, "^1", &["1.0.0", "1.9.9"], &["2.0.0", "0.9.9"]);
    check(
        "cargo",
        c,
        "^0.2.3",
        &["0.2.3", "0.2.9"],
        &["0.3.0", "0.2.2"],
    );
    check("cargo", c, "^0.2", &["0.2.0"], &["0.3.0"]);
    check("cargo", c, "^0.0.3", &["0.0.3"], &["0.0.4", "0.0.2"]);
    check("cargo", c, "^0.0", &["0.0.0", "0.0.9"], &["0.1.0"]);
    check("cargo", c, "^0", &["0.0.0", "0.9.9"], &["1.0.0"]);
    // "0.1.12" without a sigil is a caret requirement
    check("cargo", c, "0.1.12", &["0.1.13"], &["0.2.0"]);
    check("cargo", c, "1.0", &["1.1.0"], &["2.0.0"]);
}

#[test]
fn cargo_book_tilde_wildcard_comparison() {
    let c = cargo::matches;
    check("cargo", c, "~1.2.3", &["1.2.3", "1.2.9"], &["1.3.0"]);
    check("cargo", c, "~1.2", &["1.2.0", "1.2.9"], &["1.3.0"]);
    check("cargo", c, "~1", &["1.0.0", "1.9.0"], &["2.0.0"]);
    check("cargo", c, "*", &["0.0.0", "9.9.9"], &[]);
    check("cargo", c, "1.*", &["1.0.0", "1.9.0"], &["2.0.0", "0.9.0"]);
    check("cargo", c, "1.2.*", &["1.2.0"], &["1.3.0"]);
    check("cargo", c, ">= 1.2.0", &["1.2.0", "9.0.0"], &["1.1.9"]);
    check("cargo", c, "> 1", &["2.0.0"], &["1.9.9"]);
    check("cargo", c, "< 2", &["1.9.9"], &["2.0.0"]);
    check("cargo", c, "= 1.2.3", &["1.2.3"], &["1.2.4"]);
    check(
        "cargo",
        c,
        ">= 1.2, < 1.5",
        &["1.2.0", "1.4.9"],
        &["1.5.0", "1.1.0"],
    );
}

#[test]
fn cargo_prereleases_are_ordered_not_filtered() {
    let c = cargo::matches;
    // RustSec `patched = [">= 1.0.0"]`: 1.0.0-alpha is before the fix, so still vulnerable.
    check("cargo", c, "< 1.0.0", &["1.0.0-alpha", "0.9.0"], &["1.0.0"]);
    check("cargo", c, ">= 1.0.0", &["1.0.1-rc.1"], &["1.0.0-alpha"]);
    check(
        "cargo",
        c,
        ">= 0.2.0, < 0.2.5",
        &["0.2.5-beta"],
        &["0.2.0-beta"],
    );
    check(
        "cargo",
        c,
        "^0.3",
        &["0.3.1-dev"],
        &["0.4.0-alpha", "0.3.0-alpha"],
    );
    check(
        "cargo",
        c,
        "< 1.4",
        &["1.3.99-rc"],
        &["1.4.0-alpha", "1.4.0"],
    );
    check("cargo", c, "<= 1.4", &["1.4.5-rc"], &["1.5.0-alpha"]);
}

#[test]
fn cargo_invalid_requirements_are_errors() {
    for bad in ["", ">=", "1.2.3 - 2", ">= 1.2.3 || < 1", "v1.0", "x.y"] {
        assert!(cargo::matches(bad, "1.2.3").is_err(), "{bad:?}");
    }
    assert!(cargo::matches("^18446744073709551615", "1.0.0").is_err());
    assert!(cargo::matches(">= 1.0", "not.a.version").is_err());
}

/// Real RustSec requirement strings (crates/*/RUSTSEC-*.md `patched`/`unaffected` of the
/// corpus's rustsec-advisory-db.tar.gz).
#[test]
fn cargo_rustsec_requirements() {
    let c = cargo::matches;
    check("cargo", c, ">= 0.11.1", &["0.11.1"], &["0.11.0"]);
    check("cargo", c, "^0.9.28", &["0.9.30"], &["0.10.0", "0.9.27"]);
    check(
        "cargo",
        c,
        ">= 1.0.0-alpha.3",
        &["1.0.0-alpha.3", "1.0.0"],
        &["1.0.0-alpha.2"],
    );
    check("cargo", c, ">= 0.3.0, < 0.4.0", &["0.3.5"], &["0.4.0"]);
    check("cargo", c, "< 0.1.0", &["0.0.9"], &["0.1.0"]);
}

// ---------------------------------------------------------------------------------------------
// RubyGems: the RubyGems guides, "Patterns" → "Pessimistic version constraint"
// (https://guides.rubygems.org/patterns/#pessimistic-version-constraint), and the table in
// Gem::Version's documentation ("~> 3.0" 3.0 … 4.0, "~> 3.0.0" 3.0.0 … 3.1, …).

#[test]
fn gem_pessimistic_operator() {
    let g = gem::matches;
    check(
        "gem",
        g,
        "~> 2.2",
        &["2.2", "2.2.1", "2.9.9"],
        &["3.0", "2.1.9"],
    );
    check("gem", g, "~> 3.0", &["3.0", "3.9"], &["4.0"]);
    check("gem", g, "~> 3.0.0", &["3.0.0", "3.0.9"], &["3.1", "3.1.0"]);
    check("gem", g, "~> 3.5", &["3.5", "3.99"], &["4.0", "3.4"]);
    check("gem", g, "~> 3.5.0", &["3.5.0"], &["3.6"]);
    check(
        "gem",
        g,
        "~> 1.2.3",
        &["1.2.3", "1.2.99"],
        &["1.3", "1.2.2"],
    );
    // prereleases of the bound: release of v is compared with the bump
    check("gem", g, "~> 1.2", &["1.9.a"], &["2.0.a", "1.2.a"]);
    check(
        "gem",
        g,
        "~> 5.2.4.rc1",
        &["5.2.4.rc1", "5.2.9"],
        &["5.3.0", "5.2.4.beta1"],
    );
}

#[test]
fn gem_operators_and_lists() {
    let g = gem::matches;
    check("gem", g, "= 1.0", &["1.0", "1.0.0"], &["1.0.1"]);
    check("gem", g, "1.0", &["1.0.0"], &["1.1"]);
    check("gem", g, "!= 1.0", &["1.1"], &["1.0.0"]);
    check("gem", g, "> 1.0", &["1.0.1"], &["1.0"]);
    check("gem", g, "< 1.0", &["0.9", "1.0.a"], &["1.0"]);
    check(
        "gem",
        g,
        ">= 1.0.0.beta",
        &["1.0.0.rc1", "1.0.0"],
        &["1.0.0.alpha"],
    );
    check("gem", g, "<= 1.0", &["1.0"], &["1.0.1"]);
    // ruby-advisory-db actionpack CVE-2020-8164 patched_versions[0]
    check(
        "gem",
        g,
        "~> 5.2.4, >= 5.2.4.3",
        &["5.2.4.3", "5.2.9"],
        &["5.2.4.2", "5.3.0", "6.0.0"],
    );
    check("gem", g, ">=1.0", &["1.0"], &["0.9"]);
}

#[test]
fn gem_invalid_requirements_are_errors() {
    for bad in ["", "~>", ">> 1.0", "1.0 || 2.0", "~> a.b", ">= 1.0,"] {
        assert!(gem::matches(bad, "1.0").is_err(), "{bad:?}");
    }
    assert!(gem::matches(">= 1.0", "x").is_err());
}

/// Gem::Requirement (RubyGems 3.3.15) on ruby-advisory-db `patched_versions` /
/// `unaffected_versions` requirements.
#[test]
fn gem_agrees_with_rubygems_on_corpus_requirements() {
    let rows = oracle_rows("gem-oracle.tsv");
    assert!(rows.len() > 3000, "{} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [req, version, want] = row.as_slice() else {
            panic!("bad row {row:?}")
        };
        let got = gem::matches(req, version).ok();
        if got != verdict(want) {
            failures.push(format!("{req:?} {version}: want {want}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Composer: the Composer docs, "Versions and constraints"
// (https://getcomposer.org/doc/articles/versions.md).

#[test]
fn composer_docs_ranges() {
    let c = composer::matches;
    check("composer", c, ">=1.0", &["1.0", "5.0"], &["0.9"]);
    check("composer", c, ">=1.0 <2.0", &["1.5"], &["2.0", "0.9"]);
    check(
        "composer",
        c,
        ">=1.0 <1.1 || >=1.2",
        &["1.0.5", "1.2", "3.0"],
        &["1.1", "1.1.9"],
    );
    check(
        "composer",
        c,
        ">=1.0,<1.1|>=1.2",
        &["1.0.5", "1.3"],
        &["1.1.0"],
    );
    // hyphen: `1.0 - 2.0` is `>=1.0.0 <2.1`, `1.0.0 - 2.1.0` is `>=1.0.0 <=2.1.0`
    check(
        "composer",
        c,
        "1.0 - 2.0",
        &["1.0.0", "2.0.9"],
        &["2.1", "0.9"],
    );
    check("composer", c, "1.0.0 - 2.1.0", &["2.1.0"], &["2.1.1"]);
    // wildcard: `1.0.*` is `>=1.0 <1.1`
    check(
        "composer",
        c,
        "1.0.*",
        &["1.0.0", "1.0.99"],
        &["1.1.0", "0.9"],
    );
    // tilde: `~1.2` is `>=1.2 <2.0.0`, `~1.2.3` is `>=1.2.3 <1.3.0`; `~1` acts as `~1.0`
    check("composer", c, "~1.2", &["1.2", "1.9"], &["2.0", "1.1"]);
    check("composer", c, "~1.2.3", &["1.2.3", "1.2.9"], &["1.3.0"]);
    check("composer", c, "~1", &["1.0", "1.9"], &["2.0"]);
    // "2.0-beta.1 is strictly speaking earlier than 2.0 … ~1.2 would not install it"
    check("composer", c, "~1.2", &[], &["2.0-beta.1"]);
    // caret: `^1.2.3` is `>=1.2.3 <2.0.0`, `^0.3` is `>=0.3.0 <0.4.0`
    check(
        "composer",
        c,
        "^1.2.3",
        &["1.2.3", "1.99"],
        &["2.0.0", "1.2.2"],
    );
    check("composer", c, "^0.3", &["0.3.0", "0.3.9"], &["0.4.0"]);
    // stability flags are ignored; the `v` prefix is accepted
    check("composer", c, "1.0.*@beta", &["1.0.2"], &["1.1.0"]);
    check("composer", c, ">=v2.0.0", &["v2.0.1", "2.0.0"], &["1.9"]);
}

#[test]
fn composer_dev_suffix_rules() {
    let c = composer::matches;
    // `<2.0.24` is `< 2.0.24.0-dev`: no prerelease of 2.0.24 is below it.
    check(
        "composer",
        c,
        "<2.0.24",
        &["2.0.23", "2.0.23-p1"],
        &["2.0.24-dev", "2.0.24-beta1", "2.0.24"],
    );
    // `>=2.0` is `>= 2.0.0.0-dev`: prereleases of 2.0 are in.
    check("composer", c, ">=2.0", &["2.0.0-RC1"], &["1.99"]);
    // branches only match themselves
    check(
        "composer",
        c,
        "dev-master",
        &["dev-master"],
        &["1.0.0", "dev-main"],
    );
    check("composer", c, ">=1.0", &[], &["dev-master"]);
}

#[test]
fn composer_invalid_constraints_are_errors() {
    for bad in ["", "~>1.2", ">=", "foo bar", "1.0 -", ">=1.0,,<2.0|"] {
        assert!(composer::matches(bad, "1.0").is_err(), "{bad:?}");
    }
    assert!(composer::matches(">=1.0", "not a version").is_err());
}

/// composer/semver 3.3.2 (`VersionParser::parseConstraints` + `matches`) on FriendsOfPHP branch
/// constraints.
#[test]
fn composer_agrees_with_composer_semver_on_corpus_constraints() {
    let rows = oracle_rows("composer-oracle.tsv");
    assert!(rows.len() > 3000, "{} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let [cons, version, want] = row.as_slice() else {
            panic!("bad row {row:?}")
        };
        let got = composer::matches(cons, version).ok();
        if got != verdict(want) {
            failures.push(format!("{cons:?} {version}: want {want}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Dispatch, verdicts and fixed versions as the matcher uses them.

#[test]
fn dispatch_includes_prereleases_for_npm() {
    assert_eq!(
        requirement_matches(ReqSyntax::Npm, "<2.0.0", "2.0.0-rc.1"),
        Ok(true)
    );
    assert_eq!(npm::matches("<2.0.0", "2.0.0-rc.1", false), Ok(false));
    assert_eq!(
        requirement_matches(ReqSyntax::Cargo, "< 1.0.0", "1.0.0-alpha"),
        Ok(true)
    );
    assert_eq!(
        requirement_matches(ReqSyntax::Gem, "~> 1.2", "1.5"),
        Ok(true)
    );
    assert_eq!(
        requirement_matches(ReqSyntax::Composer, ">=1.0,<1.2.5", "1.2.4"),
        Ok(true)
    );
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn rubysec_actionpack_cve_2020_8164() {
    // gems/actionpack/CVE-2020-8164.yml
    let unaffected = strings(&["~> 5.2.4, >= 5.2.4.3", ">= 6.0.3.1", "< 4.0.0"]);
    let affects = |v| requirements_affect(ReqSyntax::Gem, &[], &unaffected, v).unwrap();
    assert!(affects("5.2.4.2"));
    assert!(affects("6.0.3"));
    assert!(affects("4.2.11"));
    assert!(!affects("5.2.4.3"));
    assert!(!affects("6.0.3.1"));
    assert!(!affects("3.2.22"));
    assert_eq!(
        lowest_fix(ReqSyntax::Gem, &unaffected, "5.2.4.2").as_deref(),
        Some("5.2.4.3")
    );
    assert_eq!(
        lowest_fix(ReqSyntax::Gem, &unaffected, "6.0.3").as_deref(),
        Some("6.0.3.1")
    );
    assert_eq!(
        lowest_fix(ReqSyntax::Gem, &unaffected, "4.2.11").as_deref(),
        Some("5.2.4.3")
    );
}

#[test]
fn nodejs_wg_ranges() {
    // vuln/npm records: vulnerable / patched pairs from the corpus
    let affected = strings(&["<1.6.5 || < 2.1.7 > 2.0.0"]);
    let unaffected = strings(&[">=1.6.5 <2.0.0 || >= 2.1.7"]);
    let affects = |v| requirements_affect(ReqSyntax::Npm, &affected, &unaffected, v).unwrap();
    assert!(affects("1.6.4"));
    assert!(affects("2.1.6"));
    assert!(!affects("1.6.5"));
    assert!(!affects("2.0.0"));
    assert!(!affects("2.1.7"));
    assert_eq!(
        lowest_fix(ReqSyntax::Npm, &unaffected, "2.1.0").as_deref(),
        Some("2.1.7")
    );
    assert_eq!(
        lowest_fix(ReqSyntax::Npm, &unaffected, "1.0.0").as_deref(),
        Some("1.6.5")
    );
    // `^2.0.18 || ^3.0.16 …` patched sets
    let patched = strings(&["^2.0.18 || ^3.0.16 || ^3.1.6 || ^4.0.8 || ^5.0.0-beta.5"]);
    assert_eq!(
        lowest_fix(ReqSyntax::Npm, &patched, "3.1.0").as_deref(),
        Some("3.1.6")
    );
    assert_eq!(
        lowest_fix(ReqSyntax::Npm, &patched, "4.0.8"),
        Some("5.0.0-beta.5".into())
    );
    // `> 2.4.3` has no inclusive floor
    assert_eq!(
        lowest_fix(ReqSyntax::Npm, &strings(&["> 2.4.3"]), "2.4.3"),
        None
    );
}

#[test]
fn friendsofphp_symfony_branches() {
    // symfony/symfony/CVE-2019-10909.yaml, two of its branches
    let affected = strings(&[">=2.7.0,<2.7.51", ">=4.2.0,<4.2.7"]);
    let affects = |v| requirements_affect(ReqSyntax::Composer, &affected, &[], v).unwrap();
    assert!(affects("2.7.50"));
    assert!(affects("v4.2.6"));
    assert!(!affects("2.7.51"));
    assert!(!affects("3.0.0"));
    assert_eq!(
        lowest_fix(
            ReqSyntax::Composer,
            &strings(&[">=2.0.24", "^1.4.2"]),
            "1.4.0"
        )
        .as_deref(),
        Some("1.4.2")
    );
}

#[test]
fn cargo_fix_and_verdict() {
    let patched = strings(&[">= 1.2.3, < 1.3", ">= 1.4.1"]);
    let unaffected = strings(&["< 1.0"]);
    let both: Vec<String> = patched.iter().chain(&unaffected).cloned().collect();
    let affects = |v| requirements_affect(ReqSyntax::Cargo, &[], &both, v).unwrap();
    assert!(affects("1.2.2"));
    assert!(affects("1.3.5"));
    assert!(!affects("0.9.9"));
    assert!(!affects("1.2.4"));
    assert_eq!(
        lowest_fix(ReqSyntax::Cargo, &both, "1.3.5").as_deref(),
        Some("1.4.1")
    );
    assert_eq!(
        lowest_fix(ReqSyntax::Cargo, &strings(&["^0.3"]), "0.2.0").as_deref(),
        Some("0.3.0")
    );
}

#[test]
fn unparseable_expressions_are_errors_in_verdicts() {
    let bad = strings(&[">=> 1"]);
    assert!(requirements_affect(ReqSyntax::Npm, &bad, &[], "1.0.0").is_err());
    assert!(requirements_affect(ReqSyntax::Gem, &[], &bad, "1.0").is_err());
    assert_eq!(lowest_fix(ReqSyntax::Gem, &bad, "1.0"), None);
    // no affected list: everything not unaffected
    assert_eq!(
        requirements_affect(ReqSyntax::Gem, &[], &[], "1.0"),
        Ok(true)
    );
}

#[test]
fn limits_are_enforced() {
    let long = format!(">= {}", "1".repeat(MAX_EXPR_LEN));
    let many_npm = vec![">=1.0.0"; MAX_COMPARATORS + 1].join(" ");
    let many_cargo = vec![">= 1.0.0"; MAX_COMPARATORS + 1].join(", ");
    let many_gem = vec![">= 1.0"; MAX_COMPARATORS + 1].join(", ");
    let many_composer = vec![">=1.0"; MAX_COMPARATORS + 1].join(" || ");
    for syntax in [
        ReqSyntax::Npm,
        ReqSyntax::Cargo,
        ReqSyntax::Gem,
        ReqSyntax::Composer,
    ] {
        let err = requirement_matches(syntax, &long, "1.0.0").unwrap_err();
        assert!(err.why.contains("longer than"), "{err}");
        assert!(err.expr.len() < 300);
    }
    for (syntax, expr) in [
        (ReqSyntax::Npm, &many_npm),
        (ReqSyntax::Cargo, &many_cargo),
        (ReqSyntax::Gem, &many_gem),
        (ReqSyntax::Composer, &many_composer),
    ] {
        let err = requirement_matches(syntax, expr, "1.0.0").unwrap_err();
        assert!(err.why.contains("comparators"), "{syntax:?}: {err}");
    }
    // just under the limit is fine
    let ok = vec![">=1.0.0"; MAX_COMPARATORS - 1].join(" ");
    assert_eq!(npm::matches(&ok, "1.0.0", false), Ok(true));
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn version_parts() -> impl Strategy<Value = (u64, u64, u64)> {
    (0u64..4, 0u64..4, 0u64..4)
}

fn req_op() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("="),
        Just(">"),
        Just(">="),
        Just("<"),
        Just("<="),
        Just("~"),
        Just("^"),
        Just(""),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// On release versions our Cargo reading is exactly `semver::VersionReq::matches`; on
    /// prereleases it includes at least everything `semver` does.
    #[test]
    fn cargo_agrees_with_semver_crate(
        op in req_op(), (a, b, c) in version_parts(), len in 1usize..4,
        (x, y, z) in version_parts(), pre in prop_oneof![Just(""), Just("-alpha"), Just("-0")],
    ) {
        let parts = [a, b, c];
        let req = format!("{op}{}", parts[..len].iter().map(u64::to_string).collect::<Vec<_>>().join("."));
        let version = format!("{x}.{y}.{z}{pre}");
        let parsed = semver::VersionReq::parse(&req).unwrap();
        let v = semver::Version::parse(&version).unwrap();
        let ours = cargo::matches(&req, &version).unwrap();
        if pre.is_empty() {
            prop_assert_eq!(ours, parsed.matches(&v), "{} {}", req, version);
        } else if parsed.matches(&v) {
            prop_assert!(ours, "{} {}", req, version);
        }
    }

    #[test]
    fn no_panic_on_arbitrary_input(expr in ".{0,80}", version in ".{0,20}") {
        for syntax in [ReqSyntax::Npm, ReqSyntax::Cargo, ReqSyntax::Gem, ReqSyntax::Composer] {
            let _ = requirement_matches(syntax, &expr, &version);
            let _ = ranges::check_requirement(syntax, &expr);
            let _ = lowest_fix(syntax, std::slice::from_ref(&expr), &version);
        }
        let _ = npm::matches(&expr, &version, false);
    }

    #[test]
    fn no_panic_on_range_like_input(
        expr in "[ 0-9xX*.^~<>=|,@v-]{0,40}[a-z]{0,3}[ 0-9.<>=|,-]{0,20}",
        version in "v?[0-9]{1,3}(\\.[0-9x]{1,3}){0,4}(-[a-z0-9.]{1,6})?",
    ) {
        for syntax in [ReqSyntax::Npm, ReqSyntax::Cargo, ReqSyntax::Gem, ReqSyntax::Composer] {
            let _ = requirement_matches(syntax, &expr, &version);
            let _ = lowest_fix(syntax, std::slice::from_ref(&expr), &version);
        }
    }
}
