//! NuGet versions: SemVer 2 with up to four numeric parts (`1.2.3.4`, missing parts are zero,
//! leading zeros allowed), prerelease labels compared case-insensitively, metadata ignored.
//! Invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

struct Parsed<'a> {
    numbers: [&'a str; 4],
    pre: Option<Vec<&'a str>>,
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let t = v.trim();
    let (t, meta) = match t.split_once('+') {
        Some((h, m)) => (h, Some(m)),
        None => (t, None),
    };
    if meta.is_some_and(|m| !m.split('.').all(is_label)) {
        return None;
    }
    let (core, pre) = match t.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (t, None),
    };
    let mut numbers = ["0"; 4];
    let mut count = 0usize;
    for part in core.split('.') {
        if !is_digits(part) {
            return None;
        }
        *numbers.get_mut(count)? = part;
        count = count.saturating_add(1);
    }
    let pre = match pre {
        Some(p) => {
            let labels: Vec<&str> = p.split('.').collect();
            if !labels.iter().all(|l| is_label(l)) {
                return None;
            }
            Some(labels)
        }
        None => None,
    };
    Some(Parsed { numbers, pre })
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn cmp_label(a: &str, b: &str) -> Ordering {
    match (is_digits(a), is_digits(b)) {
        (true, true) => cmp_num(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
    }
}

fn cmp_parsed(a: &Parsed<'_>, b: &Parsed<'_>) -> Ordering {
    for (x, y) in a.numbers.iter().zip(b.numbers.iter()) {
        let o = cmp_num(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    match (&a.pre, &b.pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            for (l, r) in x.iter().zip(y.iter()) {
                let o = cmp_label(l, r);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
    }
}

/// Total order on NuGet version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => cmp_parsed(&x, &y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when `v` is a NuGet version.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}
