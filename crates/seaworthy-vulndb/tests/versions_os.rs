//! OS package version orderings (dpkg, rpm, apk) against recorded oracle results and
//! property tests. Data and its origin: testdata/versions/SOURCES.md.

use std::cmp::Ordering;

use proptest::prelude::*;
use seaworthy_vulndb::versions::{apk, dpkg, rpm};

fn data(name: &str) -> String {
    let path = format!("{}/testdata/versions/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn op(s: &str) -> Ordering {
    match s {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        other => panic!("bad op {other:?}"),
    }
}

/// Reads `a<TAB>b<TAB>op` lines.
fn tsv(name: &str) -> Vec<(String, String, Ordering)> {
    data(name)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{name}: {l:?}");
            (f[0].to_string(), f[1].to_string(), op(f[2]))
        })
        .collect()
}

#[test]
fn dpkg_matches_dpkg_compare_versions() {
    let pairs = tsv("dpkg-pairs.tsv");
    assert!(pairs.len() > 3000, "{}", pairs.len());
    let bad: Vec<_> = pairs
        .iter()
        .filter(|(a, b, want)| dpkg::compare(a, b) != *want)
        .collect();
    assert!(
        bad.is_empty(),
        "{} mismatches, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    assert!(
        pairs
            .iter()
            .all(|(a, b, _)| dpkg::is_valid(a) && dpkg::is_valid(b))
    );
}

/// rpm calls `1.0` and `1.0-1` equal (release compared only when both have one), which is not
/// transitive; our order puts the release-less one first. Those pairs are checked separately.
fn rpm_release_missing_on_one_side(a: &str, b: &str) -> bool {
    let has_release = |v: &str| v.contains('-');
    has_release(a) != has_release(b)
}

#[test]
fn rpm_matches_rpm_vercmp() {
    let pairs = tsv("rpm-pairs.tsv");
    assert!(pairs.len() > 3000, "{}", pairs.len());
    let mut lenient = 0;
    let mut bad = Vec::new();
    for (a, b, want) in &pairs {
        let got = rpm::compare(a, b);
        if rpm_release_missing_on_one_side(a, b) && *want == Ordering::Equal {
            lenient += 1;
            assert_ne!(got, Ordering::Equal, "{a} {b}");
            continue;
        }
        if got != *want {
            bad.push((a, b, want, got));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    assert!(lenient < 100, "{lenient}");
    assert!(
        pairs
            .iter()
            .all(|(a, b, _)| rpm::is_valid(a) && rpm::is_valid(b))
    );
}

#[test]
fn rpm_tilde_and_caret() {
    use Ordering::*;
    for (a, b, want) in [
        ("1.0~rc1", "1.0", Less),
        ("1.0~rc1", "1.0~rc2", Less),
        ("1.0~~", "1.0~", Less),
        ("1.0^", "1.0", Greater),
        ("1.0^git1", "1.0.1", Less),
        ("1.0^git1", "1.0", Greater),
        ("1.0~rc1^git1", "1.0~rc1", Greater),
        ("1.0~rc1^git1", "1.0", Less),
        ("2:1.0-1", "1:9.9-9", Greater),
        ("0:1.0-1", "1.0-1", Equal),
        ("1.010", "1.10", Equal),
        ("1.a", "1.1", Less),
    ] {
        assert_eq!(rpm::compare(a, b), want, "{a} vs {b}");
        assert_eq!(rpm::compare(b, a), want.reverse(), "{b} vs {a}");
    }
}

/// apk-tools' own test vectors (test/version.data, see SOURCES.md).
#[test]
fn apk_matches_apk_tools_test_vectors() {
    let mut n = 0;
    for line in data("apk-version.data").lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 3, "{line:?}");
        assert_eq!(apk::compare(f[0], f[2]), op(f[1]), "{line}");
        assert_eq!(
            apk::compare(f[2], f[0]),
            op(f[1]).reverse(),
            "{line} (swapped)"
        );
        n += 1;
    }
    assert!(n > 150, "{n}");
}

#[test]
fn apk_validity() {
    for v in [
        "1.0",
        "1.2.3_rc1-r0",
        "1.0_alpha_pre2",
        "2.5.1a-r1",
        "3.1_p16",
        "1.0_git20200101",
    ] {
        assert!(apk::is_valid(v), "{v}");
    }
    // apk-tools itself accepts "1.0-r" (revision 0) and "1..2".
    assert!(apk::is_valid("1.0-r") && apk::is_valid("1..2"));
    for v in [
        "",
        "1.0bc",
        "1.0_foo",
        "1.0-1",
        "1.0 ",
        "1234567890123456789",
    ] {
        assert!(!apk::is_valid(v), "{v}");
    }
}

#[test]
fn dpkg_edge_cases() {
    use Ordering::*;
    assert_eq!(dpkg::compare("1.0~rc1", "1.0"), Less);
    assert_eq!(dpkg::compare("1:0.1", "9.9"), Greater);
    assert_eq!(dpkg::compare("1.0", "1.0-0"), Equal);
    let big = "123456789012345678901234567890";
    assert_eq!(dpkg::compare(big, "123456789012345678901234567891"), Less);
    assert_eq!(dpkg::compare(&format!("000{big}"), big), Equal);
    for v in [
        "",
        "1.0-",
        ":1.0",
        "a:1.0",
        "1:",
        "1.0 2",
        "1.0-a_b",
        "99999999999:1",
    ] {
        assert!(!dpkg::is_valid(v), "{v:?}");
        assert_eq!(dpkg::compare("1.0", v), Less, "{v:?}");
    }
}

fn check_order(cmp: fn(&str, &str) -> Ordering, a: &str, b: &str, c: &str) {
    assert_eq!(cmp(a, a), Ordering::Equal);
    assert_eq!(cmp(a, b), cmp(b, a).reverse(), "{a:?} {b:?}");
    let (ab, bc, ac) = (cmp(a, b), cmp(b, c), cmp(a, c));
    if ab != Ordering::Greater && bc != Ordering::Greater {
        assert_ne!(ac, Ordering::Greater, "{a:?} <= {b:?} <= {c:?}");
        if ab == Ordering::Less || bc == Ordering::Less {
            assert_eq!(ac, Ordering::Less, "{a:?} {b:?} {c:?}");
        }
    }
    if ab == Ordering::Equal && bc == Ordering::Equal {
        assert_eq!(ac, Ordering::Equal, "{a:?} {b:?} {c:?}");
    }
}

/// Checks every ordering of the three so each transitivity direction is covered.
fn check_all(cmp: fn(&str, &str) -> Ordering, a: &str, b: &str, c: &str) {
    for (x, y, z) in [
        (a, b, c),
        (a, c, b),
        (b, a, c),
        (b, c, a),
        (c, a, b),
        (c, b, a),
    ] {
        check_order(cmp, x, y, z);
    }
}

const DPKG_RE: &str = "([0-9]{1,2}:)?[0-9a-z.+~]{1,8}(-[0-9a-z.+~]{1,4})?";
const RPM_RE: &str = "([0-9]{1,2}:)?[0-9a-z.^~_]{1,8}(-[0-9a-z.^~]{1,4})?";
const APK_RE: &str = "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}[a-c]?(_(alpha|beta|pre|rc|p|git)[0-9]{0,2}){0,2}(-r[0-9]{1,2})?";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dpkg_is_a_total_order(a in DPKG_RE, b in DPKG_RE, c in DPKG_RE) {
        check_all(dpkg::compare, &a, &b, &c);
    }

    #[test]
    fn rpm_is_a_total_order(a in RPM_RE, b in RPM_RE, c in RPM_RE) {
        check_all(rpm::compare, &a, &b, &c);
    }

    #[test]
    fn apk_is_a_total_order(a in APK_RE, b in APK_RE, c in APK_RE) {
        prop_assert!(apk::is_valid(&a), "{}", a);
        check_all(apk::compare, &a, &b, &c);
    }

    #[test]
    fn never_panics_and_orders_arbitrary_strings(a in "\\PC{0,12}", b in ".{0,12}", c in "[0-9a-z.:~^_+-]{0,10}") {
        check_all(dpkg::compare, &a, &b, &c);
        check_all(rpm::compare, &a, &b, &c);
        check_all(apk::compare, &a, &b, &c);
    }
}
