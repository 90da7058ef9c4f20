//! Composer (Packagist) versions: normalised like Composer's `VersionParser::normalize`
//! (`v` prefix, 4 numeric parts, stability suffixes, `-dev`, `dev-branch`) then ordered by PHP's
//! `version_compare`, date versions included. `1.x-dev` branch aliases are not supported (invalid).
//! Invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

fn expand_stability(s: &str) -> &str {
    match s {
        "a" => "alpha",
        "b" => "beta",
        "p" | "pl" => "patch",
        "rc" => "RC",
        other => other,
    }
}

fn take_digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (s.get(..n).unwrap_or(""), s.get(n..).unwrap_or(""))
}

/// Parses the `[._-]?(stability)(([.-]?\d+)*)([.-]?dev)?` modifier; returns the suffix.
fn modifier(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut out = String::new();
    let mut try_stab = rest;
    if let Some(r) = try_stab.strip_prefix(['.', '_', '-']) {
        try_stab = r;
    }
    const STABS: [&str; 9] = [
        "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p",
    ];
    if let Some(stab) = STABS.iter().find(|w| try_stab.starts_with(*w)) {
        rest = try_stab.get(stab.len()..).unwrap_or("");
        let mut nums = String::new();
        loop {
            let body = rest.strip_prefix(['.', '-']).unwrap_or(rest);
            let (d, after) = take_digits(body);
            if d.is_empty() {
                break;
            }
            nums.push_str(
                rest.get(..rest.len().saturating_sub(after.len()))
                    .unwrap_or(""),
            );
            rest = after;
        }
        if *stab == "stable" {
            return (rest.is_empty()).then(String::new);
        }
        out.push('-');
        out.push_str(expand_stability(stab));
        out.push_str(nums.trim_start_matches(['.', '-']));
    }
    let dev_rest = rest.strip_prefix(['.', '-']).unwrap_or(rest);
    if dev_rest == "dev" {
        out.push_str("-dev");
        rest = "";
    }
    rest.is_empty().then_some(out)
}

/// Composer's normalised form of `v`, or `None` when Composer would reject it.
pub fn normalize(v: &str) -> Option<String> {
    let mut s = v.trim();
    if let Some((head, stab)) = s.rsplit_once('@')
        && ["stable", "rc", "beta", "alpha", "dev"].contains(&stab.to_ascii_lowercase().as_str())
    {
        s = head;
    }
    if ["master", "trunk", "default"].contains(&s) {
        return Some(format!("dev-{s}"));
    }
    if s.len() >= 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("dev-")) {
        return Some(format!("dev-{}", s.get(4..).unwrap_or("")));
    }
    if let Some((head, build)) = s.split_once('+')
        && !head.is_empty()
        && !build.is_empty()
        && !build.contains(char::is_whitespace)
    {
        s = head;
    }
    let body = s.strip_prefix(['v', 'V']).unwrap_or(s);
    numbered(body).or_else(|| dated(body))
}

/// `X[.Y[.Z[.W]]]` plus modifier, padded to four parts.
fn numbered(body: &str) -> Option<String> {
    let (major, mut rest) = take_digits(body);
    if major.is_empty() || major.len() > 5 {
        return None;
    }
    let mut out = major.to_string();
    for _ in 0..3 {
        let (d, after) = rest
            .strip_prefix('.')
            .map(take_digits)
            .unwrap_or(("", rest));
        if d.is_empty() {
            out.push_str(".0");
        } else {
            out.push('.');
            out.push_str(d);
            rest = after;
        }
    }
    out.push_str(&modifier(rest)?);
    Some(out)
}

/// Date versions: `YYYY` then one to six `[.:-]?DD` groups, an optional `[.:-]?D{1,3}`, a
/// modifier; separators become `.`.
fn dated(body: &str) -> Option<String> {
    let year = body
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?;
    let mut out = year.to_string();
    let mut rest = body.get(4..)?;
    let group = |rest: &str, min: usize, max: usize| -> Option<(String, usize)> {
        let (sep, body) = match rest.strip_prefix(['.', ':', '-']) {
            Some(b) => (".", b),
            None => ("", rest),
        };
        let n = body.bytes().take_while(u8::is_ascii_digit).count().min(max);
        let digits = body.get(..n).filter(|_| n >= min)?;
        Some((
            format!("{sep}{digits}"),
            rest.len().saturating_sub(body.len()) + n,
        ))
    };
    let mut groups = 0;
    while groups < 6 {
        let Some((text, used)) = group(rest, 2, 2) else {
            break;
        };
        out.push_str(&text);
        rest = rest.get(used..)?;
        groups += 1;
    }
    if groups == 0 {
        return None;
    }
    if let Some((text, used)) = group(rest, 1, 3) {
        out.push_str(&text);
        rest = rest.get(used..)?;
    }
    out.push_str(&modifier(rest)?);
    Some(out)
}

/// The order of a `version_compare` special form (prefix match), `-1` when unknown.
fn special_order(part: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| part.starts_with(name))
        .map_or(-1, |(_, o)| *o)
}

/// PHP's canonical form: separators become `.`, digit/non-digit switches get a `.`.
fn canonical_parts(v: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut last: Option<char> = None;
    for c in v.chars() {
        let boundary = last
            .is_some_and(|l| l != '.' && c != '.' && (l.is_ascii_digit() != c.is_ascii_digit()));
        if last.is_none() {
            buf.push(c);
        } else if matches!(c, '-' | '_' | '+') || !c.is_ascii_alphanumeric() {
            if !buf.ends_with('.') {
                buf.push('.');
            }
        } else {
            if boundary && !buf.ends_with('.') {
                buf.push('.');
            }
            buf.push(c);
        }
        last = Some(c);
    }
    buf.split('.').map(str::to_string).collect()
}

fn is_num(p: &str) -> bool {
    p.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    let (a, _) = take_digits(a);
    let (b, _) = take_digits(b);
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// PHP's `version_compare`.
pub fn version_compare(a: &str, b: &str) -> Ordering {
    let pa = canonical_parts(a);
    let pb = canonical_parts(b);
    for i in 0..pa.len().max(pb.len()) {
        let o = match (pa.get(i), pb.get(i)) {
            (Some(x), Some(y)) => match (is_num(x), is_num(y)) {
                (true, true) => cmp_num(x, y),
                (false, false) => special_order(x).cmp(&special_order(y)),
                (true, false) => special_order("#").cmp(&special_order(y)),
                (false, true) => special_order(x).cmp(&special_order("#")),
            },
            (Some(x), None) if is_num(x) => Ordering::Greater,
            (Some(x), None) => special_order(x).cmp(&special_order("#")),
            (None, Some(y)) if is_num(y) => Ordering::Less,
            (None, Some(y)) => special_order("#").cmp(&special_order(y)),
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Total order on Composer version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (normalize(a), normalize(b)) {
        (Some(x), Some(y)) => version_compare(&x, &y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when Composer can normalise `v` (see module docs for unsupported forms).
pub fn is_valid(v: &str) -> bool {
    normalize(v).is_some()
}
