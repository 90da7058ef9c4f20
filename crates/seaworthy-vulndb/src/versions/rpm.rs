//! rpm versions (`[epoch:]version[-release]`), compared as rpm's `rpmvercmp` does, with `~`
//! (pre-release, sorts before) and `^` (post-release snapshot). Missing epoch = 0.
//! Unlike rpm, a missing release sorts before any release (rpm calls them equal, which
//! is not transitive); matching code that wants rpm's leniency compares versions only.

use std::cmp::Ordering;

struct Evr<'a> {
    epoch: &'a str,
    version: &'a str,
    release: &'a str,
}

fn is_allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._+~^".contains(&b)
}

fn parse(v: &str) -> Option<Evr<'_>> {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => (e, rest),
        Some(_) => return None,
        None => ("", v),
    };
    let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
    let ok = |s: &str| s.bytes().all(is_allowed);
    let valid = !version.is_empty()
        && ok(version)
        && ok(release)
        && (!release.is_empty() || !rest.contains('-'));
    valid.then_some(Evr {
        epoch,
        version,
        release,
    })
}

/// True for `[digits:]version[-release]` over rpm's usual characters (alnum and `._+~^`).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// Total order: valid versions by rpm's rules; invalid ones after all valid ones, bytewise.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => rpmvercmp(epoch(x.epoch), epoch(y.epoch))
            .then_with(|| rpmvercmp(x.version, y.version))
            .then_with(|| rpmvercmp(x.release, y.release)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// A missing epoch is 0.
fn epoch(e: &str) -> &str {
    if e.is_empty() { "0" } else { e }
}

fn tail(s: &[u8], n: usize) -> &[u8] {
    s.get(n..).unwrap_or_default()
}

/// rpm's segment-wise comparison of one version or release string.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        one = tail(one, one.iter().take_while(|c| sep(c)).count());
        two = tail(two, two.iter().take_while(|c| sep(c)).count());
        let (c1, c2) = (one.first().copied(), two.first().copied());
        if c1.is_none() && c2.is_none() {
            return Ordering::Equal;
        }
        if c1 == Some(b'~') || c2 == Some(b'~') {
            if c1 != Some(b'~') {
                return Ordering::Greater;
            }
            if c2 != Some(b'~') {
                return Ordering::Less;
            }
            one = tail(one, 1);
            two = tail(two, 1);
            continue;
        }
        if c1 == Some(b'^') || c2 == Some(b'^') {
            if c1.is_none() {
                return Ordering::Less;
            }
            if c2.is_none() {
                return Ordering::Greater;
            }
            if c1 != Some(b'^') {
                return Ordering::Greater;
            }
            if c2 != Some(b'^') {
                return Ordering::Less;
            }
            one = tail(one, 1);
            two = tail(two, 1);
            continue;
        }
        let (Some(c1), Some(_)) = (c1, c2) else {
            // One side ran out: the longer one is newer.
            return if c1.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let numeric = c1.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let n1 = one.iter().take_while(|c| class(c)).count();
        let n2 = two.iter().take_while(|c| class(c)).count();
        if n2 == 0 {
            // Different segment types: numeric is newer than alpha.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let s1 = one.get(..n1).unwrap_or_default();
        let s2 = two.get(..n2).unwrap_or_default();
        let ord = if numeric {
            let z1 = s1.iter().take_while(|&&c| c == b'0').count();
            let z2 = s2.iter().take_while(|&&c| c == b'0').count();
            let (s1, s2) = (tail(s1, z1), tail(s2, z2));
            s1.len().cmp(&s2.len()).then_with(|| s1.cmp(s2))
        } else {
            s1.cmp(s2)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        one = tail(one, n1);
        two = tail(two, n2);
    }
}
