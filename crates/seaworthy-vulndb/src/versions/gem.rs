//! RubyGems versions, ordered like `Gem::Version#<=>`: segments of digits or letters, any
//! letter segment makes a prerelease (`1.0.a < 1.0`), trailing zeros are insignificant, `-` means
//! `.pre.`. Invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, Clone)]
enum Seg {
    /// Digits without leading zeros (`""` is zero).
    Num(String),
    Str(String),
}

fn is_zero(s: &Seg) -> bool {
    matches!(s, Seg::Num(d) if d.is_empty())
}

/// Checks `Gem::Version::ANCHORED_VERSION_PATTERN` on a trimmed, non-empty string.
fn well_formed(s: &str) -> bool {
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

fn canonical_segments(v: &str) -> Option<Vec<Seg>> {
    let t = v.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() {
        return Some(Vec::new());
    }
    if !well_formed(t) {
        return None;
    }
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut cur_digit = false;
    let flush = |cur: &mut String, digit: bool, segs: &mut Vec<Seg>| {
        if !cur.is_empty() {
            segs.push(if digit {
                Seg::Num(cur.trim_start_matches('0').to_string())
            } else {
                Seg::Str(std::mem::take(cur))
            });
            cur.clear();
        }
    };
    for c in t.replace('-', ".pre.").chars() {
        let digit = c.is_ascii_digit();
        if !c.is_ascii_alphanumeric() || digit != cur_digit {
            flush(&mut cur, cur_digit, &mut segs);
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c);
            cur_digit = digit;
        }
    }
    flush(&mut cur, cur_digit, &mut segs);
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut strings = segs.split_off(split);
    while segs.last().is_some_and(is_zero) {
        segs.pop();
    }
    while strings.last().is_some_and(is_zero) {
        strings.pop();
    }
    segs.append(&mut strings);
    Some(segs)
}

fn cmp_segments(a: &[Seg], b: &[Seg]) -> Ordering {
    let zero = Seg::Num(String::new());
    for i in 0..a.len().max(b.len()) {
        let l = a.get(i).unwrap_or(&zero);
        let r = b.get(i).unwrap_or(&zero);
        let o = match (l, r) {
            (Seg::Num(x), Seg::Num(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
            (Seg::Str(x), Seg::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Total order on RubyGems version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (canonical_segments(a), canonical_segments(b)) {
        (Some(x), Some(y)) => cmp_segments(&x, &y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when `Gem::Version.correct?(v)` would accept `v`.
pub fn is_valid(v: &str) -> bool {
    canonical_segments(v).is_some()
}
