//! apk (Alpine) versions: `digit{.digit}...{letter}{_suffix{#}}...{-r#}`, compared as
//! apk-tools' `version.c` does. Suffix order: `_alpha < _beta < _pre < _rc < (none) < _cvs <
//! _svn < _git < _hg < _p`. A leading-zero component (`.05`) sorts below any non-zero one.

use std::cmp::Ordering;

/// Token kinds, in apk-tools' order (the order matters for the comparison).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tok {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    RevisionNo,
    End,
}

const PRE: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
const POST: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];
/// apk-tools rejects digit runs this long (they would not fit its integers).
const MAX_DIGITS: usize = 18;

fn tail(s: &[u8], n: usize) -> &[u8] {
    s.get(n..).unwrap_or_default()
}

/// Decides the next token kind from the separator at the start of `s`, consuming it.
fn next_token(t: Tok, s: &mut &[u8]) -> Tok {
    let mut n = Tok::Invalid;
    match s.first().copied() {
        None | Some(0) => n = Tok::End,
        Some(c) if matches!(t, Tok::Digit | Tok::DigitOrZero) && c.is_ascii_lowercase() => {
            n = Tok::Letter;
        }
        Some(c) if t == Tok::Letter && c.is_ascii_digit() => n = Tok::Digit,
        Some(c) if t == Tok::Suffix && c.is_ascii_digit() => n = Tok::SuffixNo,
        Some(c) => {
            match c {
                b'.' => n = Tok::DigitOrZero,
                b'_' => n = Tok::Suffix,
                b'-' if s.get(1) == Some(&b'r') => {
                    n = Tok::RevisionNo;
                    *s = tail(s, 1);
                }
                _ => {}
            }
            *s = tail(s, 1);
        }
    }
    let allowed_back = matches!(
        (n, t),
        (Tok::DigitOrZero, Tok::Digit) | (Tok::Suffix, Tok::SuffixNo) | (Tok::Digit, Tok::Letter)
    );
    if n < t && !allowed_back {
        Tok::Invalid
    } else {
        n
    }
}

/// Reads the value of a token of kind `*t`, then moves `*t` to the next kind.
fn get_token(t: &mut Tok, s: &mut &[u8]) -> i64 {
    if s.is_empty() {
        *t = Tok::End;
        return 0;
    }
    let mut next = None;
    let (v, used) = match *t {
        Tok::DigitOrZero if s.first() == Some(&b'0') => {
            let zeros = s.iter().take_while(|&&c| c == b'0').count();
            next = Some(Tok::Digit);
            (
                0i64.saturating_sub(i64::try_from(zeros).unwrap_or(i64::MAX)),
                zeros,
            )
        }
        Tok::DigitOrZero | Tok::Digit | Tok::SuffixNo | Tok::RevisionNo => {
            let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
            if n >= MAX_DIGITS {
                *t = Tok::Invalid;
                return -1;
            }
            let v = s.iter().take(n).fold(0i64, |acc, &c| {
                acc.saturating_mul(10).saturating_add(i64::from(c - b'0'))
            });
            (v, n)
        }
        Tok::Letter => (s.first().map_or(0, |&c| i64::from(c)), 1),
        Tok::Suffix => {
            let pre = PRE.iter().position(|p| s.starts_with(p));
            let post = POST.iter().position(|p| s.starts_with(p));
            match (pre, post) {
                (Some(i), _) => (
                    i64::try_from(i).unwrap_or(0) - 4,
                    PRE.get(i).map_or(0, |p| p.len()),
                ),
                (None, Some(i)) => (
                    i64::try_from(i).unwrap_or(0),
                    POST.get(i).map_or(0, |p| p.len()),
                ),
                (None, None) => {
                    *t = Tok::Invalid;
                    return -1;
                }
            }
        }
        Tok::Invalid | Tok::End => {
            *t = Tok::Invalid;
            return -1;
        }
    };
    *s = tail(s, used);
    *t = if s.is_empty() {
        Tok::End
    } else if let Some(n) = next {
        n
    } else {
        next_token(*t, s)
    };
    v
}

/// True if apk-tools accepts `v` as a version.
pub fn is_valid(v: &str) -> bool {
    if v.is_empty() || v.as_bytes().contains(&0) {
        return false;
    }
    let (mut t, mut s) = (Tok::Digit, v.as_bytes());
    // Every token consumes at least one byte, so this ends.
    while t != Tok::End && t != Tok::Invalid {
        get_token(&mut t, &mut s);
    }
    t == Tok::End
}

/// Total order: valid versions by apk's rules; invalid ones after all valid ones, bytewise.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (is_valid(a), is_valid(b)) {
        (true, true) => compare_valid(a.as_bytes(), b.as_bytes()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.as_bytes().cmp(b.as_bytes()),
    }
}

fn compare_valid(mut a: &[u8], mut b: &[u8]) -> Ordering {
    let (mut at, mut bt) = (Tok::Digit, Tok::Digit);
    let (mut av, mut bv) = (0i64, 0i64);
    while at == bt && at != Tok::End && at != Tok::Invalid && av == bv {
        av = get_token(&mut at, &mut a);
        bv = get_token(&mut bt, &mut b);
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if at == bt {
        return Ordering::Equal;
    }
    // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
    let (mut at2, mut bt2) = (at, bt);
    if at == Tok::Suffix && get_token(&mut at2, &mut a) < 0 {
        return Ordering::Less;
    }
    if bt == Tok::Suffix && get_token(&mut bt2, &mut b) < 0 {
        return Ordering::Greater;
    }
    bt.cmp(&at)
}
