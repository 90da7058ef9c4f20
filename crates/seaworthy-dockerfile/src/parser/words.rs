//! Docker's own word rules (not the shell's): quote-aware splitting, unquoting and `$VAR`
//! expansion as BuildKit applies them to FROM, ENV, ARG, LABEL, COPY, EXPOSE, WORKDIR, USER…

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// A raw word: byte range in the text it was split from, quotes still in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawWord {
    pub start: usize,
    pub end: usize,
}

/// Splits `text` on unquoted whitespace. Quotes and the escape character keep words together.
pub fn split_raw(text: &str, escape: char) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == escape && q == '"' {
                    chars.next();
                }
            }
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(RawWord { start: s, end: i });
                }
            }
            None => {
                start.get_or_insert(i);
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    chars.next();
                }
            }
        }
    }
    if let Some(s) = start {
        words.push(RawWord {
            start: s,
            end: text.len(),
        });
    }
    words
}

/// Looks a variable up; `None` means unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The value of a word after quote removal and (with a lookup) variable expansion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expanded {
    pub value: String,
    /// Variables that were referenced but unset (and had no default).
    pub unresolved: Vec<String>,
    /// The expansion stopped at a bound of its [`Budget`]: `value` is cut short.
    pub truncated: bool,
}

/// The longest value one variable expansion may produce (`ARG V2=${V1}${V1}` doubling, a
/// 256 KiB value referenced many times in one word).
pub const MAX_EXPANDED_VALUE_BYTES: usize = 1 << 20;
/// The bytes all variable expansions of one Dockerfile may produce together, rules'
/// expansions and lookups included (each lookup counts [`LOOKUP_COST`] bytes). A file that
/// expands a large value on each of thousands of lines stops here instead of copying
/// gigabytes.
pub const MAX_EXPANSION_BYTES: usize = 64 << 20;
/// What one variable lookup counts against [`MAX_EXPANSION_BYTES`], so that a lookup chain
/// that fans out (`ENV V16=${V15}${V15}`, 2^16 lookups per use) is bounded in time too.
pub const LOOKUP_COST: usize = 64;

/// What the variable expansions of one Dockerfile may still produce (see
/// [`MAX_EXPANSION_BYTES`]) and the longest value each may produce.
#[derive(Debug)]
pub struct Budget {
    per_value: usize,
    left: AtomicUsize,
    /// Which bound was hit: 0 none, 1 a value, 2 the whole budget.
    hit: AtomicU8,
}

/// A bound of a [`Budget`] that an expansion hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetHit {
    /// One value would have been longer than the longest allowed.
    Value(usize),
    /// All expansions together would have produced more than allowed.
    Total(usize),
}

impl std::fmt::Display for BudgetHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BudgetHit::Value(max) => write!(
                f,
                "a variable expands to more than {max} bytes (the expansion budget for one value)"
            ),
            BudgetHit::Total(max) => write!(
                f,
                "variable expansions produce more than {max} bytes in all (the expansion budget \
                 for one Dockerfile)"
            ),
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(MAX_EXPANDED_VALUE_BYTES, MAX_EXPANSION_BYTES)
    }
}

impl Budget {
    pub fn new(per_value: usize, total: usize) -> Budget {
        Budget {
            per_value,
            left: AtomicUsize::new(total),
            hit: AtomicU8::new(0),
        }
    }

    /// The bound hit so far, if any (the first one).
    pub fn hit(&self, total: usize) -> Option<BudgetHit> {
        match self.hit.load(Ordering::Relaxed) {
            0 => None,
            1 => Some(BudgetHit::Value(self.per_value)),
            _ => Some(BudgetHit::Total(total)),
        }
    }

    /// True once any bound was hit.
    pub fn is_spent(&self) -> bool {
        self.hit.load(Ordering::Relaxed) != 0
    }

    fn record(&self, which: u8) {
        let _ = self
            .hit
            .compare_exchange(0, which, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Counts `bytes` against the whole budget; false (and recorded) when they do not fit.
    pub fn charge(&self, bytes: usize) -> bool {
        let fits = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .is_ok();
        if !fits {
            self.left.store(0, Ordering::Relaxed);
            self.record(2);
        }
        fits
    }

    /// The most one expansion may produce now.
    fn room(&self) -> usize {
        self.per_value.min(self.left.load(Ordering::Relaxed))
    }
}

/// Removes quotes and escapes; `$` is kept literally.
pub fn unquote(raw: &str, escape: char) -> String {
    process(raw, escape, None, usize::MAX).value
}

/// Removes quotes and escapes and expands `$V ${V} ${V:-d} ${V-d} ${V:+a} ${V+a} ${V:?m}`.
/// Unbounded: input-derived text goes through [`expand_within`].
pub fn expand(raw: &str, escape: char, lookup: Lookup<'_>) -> Expanded {
    process(raw, escape, Some(lookup), usize::MAX)
}

/// [`expand`] within `budget`: a value that would grow past what the budget allows is cut
/// short (`truncated`), the bound is recorded in the budget, and what was produced is charged.
pub fn expand_within(raw: &str, escape: char, lookup: Lookup<'_>, budget: &Budget) -> Expanded {
    let room = budget.room();
    let out = process(raw, escape, Some(lookup), room);
    if out.truncated {
        budget.record(if room < budget.per_value { 2 } else { 1 });
    }
    budget.charge(out.value.len());
    out
}

const MAX_DEPTH: usize = 8;

fn process(raw: &str, escape: char, lookup: Option<Lookup<'_>>, room: usize) -> Expanded {
    let mut out = Expanded::default();
    let chars: Vec<char> = raw.chars().collect();
    process_chars(&chars, escape, lookup, &mut out, 0, room);
    out
}

/// Appends a looked-up value unless it would make the expansion longer than `room`.
fn push_value(out: &mut Expanded, value: &str, room: usize) {
    if out.value.len().saturating_add(value.len()) > room {
        out.truncated = true;
    } else {
        out.value.push_str(value);
    }
}

fn process_chars(
    chars: &[char],
    escape: char,
    lookup: Option<Lookup<'_>>,
    out: &mut Expanded,
    depth: usize,
    room: usize,
) {
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() && !out.truncated {
        let c = chars[i];
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), _) => out.value.push(c),
            (None, '\'') | (None, '"') => quote = Some(c),
            (Some('"'), e) if e == escape => match chars.get(i + 1) {
                Some(&n) if n == '"' || n == '$' || n == escape => {
                    out.value.push(n);
                    i += 1;
                }
                _ => out.value.push(c),
            },
            (None, e) if e == escape => match chars.get(i + 1) {
                Some(&n) => {
                    out.value.push(n);
                    i += 1;
                }
                None => out.value.push(c),
            },
            (_, '$') if lookup.is_some() => {
                i = expand_var(chars, i, escape, lookup, out, depth, room);
                continue;
            }
            _ => out.value.push(c),
        }
        i += 1;
    }
}

/// Expands the variable at `chars[at] == '$'`; returns the index after it.
fn expand_var(
    chars: &[char],
    at: usize,
    escape: char,
    lookup: Option<Lookup<'_>>,
    out: &mut Expanded,
    depth: usize,
    room: usize,
) -> usize {
    let Some(lookup) = lookup else {
        out.value.push('$');
        return at + 1;
    };
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    match chars.get(at + 1) {
        Some('{') => {
            let Some(close) = matching_brace(chars, at + 2) else {
                out.value.extend(&chars[at..]);
                return chars.len();
            };
            let inner = &chars[at + 2..close];
            let name_len = inner.iter().take_while(|c| is_name(**c)).count();
            let name: String = inner[..name_len].iter().collect();
            let rest = &inner[name_len..];
            let value = lookup(&name);
            let (op, word) = split_modifier(rest);
            let substitute = |out: &mut Expanded| {
                if depth < MAX_DEPTH {
                    process_chars(word, escape, Some(lookup), out, depth + 1, room);
                }
            };
            match op {
                ":-" | "-" => {
                    let unset = value.is_none() || (op == ":-" && value.as_deref() == Some(""));
                    if unset {
                        substitute(out);
                    } else if let Some(v) = value {
                        push_value(out, &v, room);
                    }
                }
                ":+" | "+" => {
                    let set = value.is_some() && (op == "+" || value.as_deref() != Some(""));
                    if set {
                        substitute(out);
                    }
                }
                _ => match value {
                    Some(v) => push_value(out, &v, room),
                    None => out.unresolved.push(name),
                },
            }
            close + 1
        }
        Some(&c) if is_name(c) && !c.is_ascii_digit() => {
            let len = chars[at + 1..].iter().take_while(|c| is_name(**c)).count();
            let name: String = chars[at + 1..at + 1 + len].iter().collect();
            match lookup(&name) {
                Some(v) => push_value(out, &v, room),
                None => out.unresolved.push(name),
            }
            at + 1 + len
        }
        _ => {
            out.value.push('$');
            at + 1
        }
    }
}

fn matching_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate().skip(from) {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn split_modifier(rest: &[char]) -> (&'static str, &[char]) {
    let starts = |p: &str| {
        rest.iter()
            .zip(p.chars())
            .filter(|(a, b)| **a == *b)
            .count()
            == p.len()
    };
    for op in [":-", ":+", ":?", "-", "+", "?"] {
        if rest.len() >= op.len() && starts(op) {
            return (op, &rest[op.len()..]);
        }
    }
    ("", &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "V" => Some("1.2".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn splits_on_unquoted_space() {
        let t = r#"a "b c" 'd e' f\ g"#;
        let w: Vec<&str> = split_raw(t, '\\')
            .iter()
            .map(|w| &t[w.start..w.end])
            .collect();
        assert_eq!(w, vec!["a", "\"b c\"", "'d e'", "f\\ g"]);
    }

    #[test]
    fn expands_all_forms() {
        let e = |s: &str| expand(s, '\\', &env).value;
        assert_eq!(e("$V ${V} x${V}y"), "1.2 1.2 x1.2y");
        assert_eq!(e("${NOPE:-d} ${EMPTY:-d} ${EMPTY-d}"), "d d ");
        assert_eq!(e("${V:+a} ${EMPTY:+a} ${EMPTY+a}"), "a  a");
        assert_eq!(e("'$V' \"$V\" \\$V"), "$V 1.2 $V");
        assert_eq!(expand("$NOPE", '\\', &env).unresolved, vec!["NOPE"]);
        assert_eq!(e("${V:-${NOPE:-x}}"), "1.2");
        assert_eq!(e("${NOPE:-${V}}"), "1.2");
    }

    #[test]
    fn expansion_within_a_budget_is_cut_and_recorded() {
        let big = "x".repeat(100);
        let lookup = |n: &str| (n == "B").then(|| big.clone());
        let per_value = Budget::new(250, 10_000);
        let e = expand_within("$B$B$B", '\\', &lookup, &per_value);
        assert!(e.truncated && e.value.len() == 200);
        assert_eq!(per_value.hit(10_000), Some(BudgetHit::Value(250)));
        let total = Budget::new(1000, 250);
        assert!(!expand_within("$B$B", '\\', &lookup, &total).truncated);
        assert!(!total.is_spent());
        assert!(expand_within("$B$B", '\\', &lookup, &total).truncated);
        assert_eq!(total.hit(250), Some(BudgetHit::Total(250)));
    }

    #[test]
    fn unquote_keeps_dollar() {
        assert_eq!(unquote("\"a b\"$x", '\\'), "a b$x");
        assert_eq!(unquote("a`\"b", '`'), "a\"b");
    }
}
