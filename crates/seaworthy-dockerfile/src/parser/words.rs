//! Docker's own word rules (not the shell's): quote-aware splitting, unquoting and `$VAR`
//! expansion as BuildKit applies them to FROM, ENV, ARG, LABEL, COPY, EXPOSE, WORKDIR, USER…

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
}

/// Removes quotes and escapes; `$` is kept literally.
pub fn unquote(raw: &str, escape: char) -> String {
    process(raw, escape, None).value
}

/// Removes quotes and escapes and expands `$V ${V} ${V:-d} ${V-d} ${V:+a} ${V+a} ${V:?m}`.
pub fn expand(raw: &str, escape: char, lookup: Lookup<'_>) -> Expanded {
    process(raw, escape, Some(lookup))
}

const MAX_DEPTH: usize = 8;

fn process(raw: &str, escape: char, lookup: Option<Lookup<'_>>) -> Expanded {
    let mut out = Expanded::default();
    let chars: Vec<char> = raw.chars().collect();
    process_chars(&chars, escape, lookup, &mut out, 0);
    out
}

fn process_chars(
    chars: &[char],
    escape: char,
    lookup: Option<Lookup<'_>>,
    out: &mut Expanded,
    depth: usize,
) {
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
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
                i = expand_var(chars, i, escape, lookup, out, depth);
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
                    process_chars(word, escape, Some(lookup), out, depth + 1);
                }
            };
            match op {
                ":-" | "-" => {
                    let unset = value.is_none() || (op == ":-" && value.as_deref() == Some(""));
                    if unset {
                        substitute(out);
                    } else if let Some(v) = value {
                        out.value.push_str(&v);
                    }
                }
                ":+" | "+" => {
                    let set = value.is_some() && (op == "+" || value.as_deref() != Some(""));
                    if set {
                        substitute(out);
                    }
                }
                _ => match value {
                    Some(v) => out.value.push_str(&v),
                    None => out.unresolved.push(name),
                },
            }
            close + 1
        }
        Some(&c) if is_name(c) && !c.is_ascii_digit() => {
            let len = chars[at + 1..].iter().take_while(|c| is_name(**c)).count();
            let name: String = chars[at + 1..at + 1 + len].iter().collect();
            match lookup(&name) {
                Some(v) => out.value.push_str(&v),
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
    fn unquote_keeps_dollar() {
        assert_eq!(unquote("\"a b\"$x", '\\'), "a b$x");
        assert_eq!(unquote("a`\"b", '`'), "a\"b");
    }
}
