//! dpkg versions (`[epoch:]upstream[-revision]`), compared as `dpkg --compare-versions` does.
//! Digit runs are compared as strings (no overflow), `~` sorts before everything, even the end.

use std::cmp::Ordering;

/// A parsed version: epoch digits without leading zeros, upstream, revision (`""` if absent).
struct Parsed<'a> {
    epoch: &'a str,
    upstream: &'a str,
    revision: &'a str,
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let v = v.trim();
    if v.is_empty() || v.chars().any(char::is_whitespace) {
        return None;
    }
    let (epoch, rest) = match v.split_once(':') {
        Some((e, rest)) => {
            if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let e = e.trim_start_matches('0');
            // dpkg rejects epochs above INT_MAX.
            if e.len() > 10 || (e.len() == 10 && e > "2147483647") {
                return None;
            }
            (e, rest)
        }
        None => ("", v),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => {
            if r.is_empty() {
                return None;
            }
            (u, r)
        }
        None => (rest, ""),
    };
    let upstream_ok = !upstream.is_empty()
        && upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+~:".contains(&b));
    let revision_ok = revision
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b));
    (upstream_ok && revision_ok).then_some(Parsed {
        epoch,
        upstream,
        revision,
    })
}

/// True if dpkg accepts `v` (it may still warn, e.g. for a non-digit start).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// Total order: valid versions by dpkg's rules; invalid ones after all valid ones, bytewise.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => compare_parsed(&x, &y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

fn compare_parsed(a: &Parsed<'_>, b: &Parsed<'_>) -> Ordering {
    compare_digits(a.epoch.as_bytes(), b.epoch.as_bytes())
        .then_with(|| verrevcmp(a.upstream.as_bytes(), b.upstream.as_bytes()))
        .then_with(|| verrevcmp(a.revision.as_bytes(), b.revision.as_bytes()))
}

/// Weight of a non-digit character; the end of the string weighs 0.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// Compares two digit runs numerically, whatever their length.
fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let a = a.get(strip(a)..).unwrap_or_default();
    let b = b.get(strip(b)..).unwrap_or_default();
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn verrevcmp(mut a: &[u8], mut b: &[u8]) -> Ordering {
    while !a.is_empty() || !b.is_empty() {
        // Non-digit prefix, character by character.
        loop {
            let (ca, cb) = (a.first().copied(), b.first().copied());
            let a_nd = ca.is_some_and(|c| !c.is_ascii_digit());
            let b_nd = cb.is_some_and(|c| !c.is_ascii_digit());
            if !a_nd && !b_nd {
                break;
            }
            let (oa, ob) = (order(ca), order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            a = a.get(1..).unwrap_or_default();
            b = b.get(1..).unwrap_or_default();
        }
        // Digit run.
        let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
        let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let (da, rest_a) = a.split_at(na);
        let (db, rest_b) = b.split_at(nb);
        let ord = compare_digits(da, db);
        if ord != Ordering::Equal {
            return ord;
        }
        a = rest_a;
        b = rest_b;
    }
    Ordering::Equal
}
