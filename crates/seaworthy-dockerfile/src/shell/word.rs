//! Shell word helpers: quote removal and command substitutions.

/// Removes shell quoting: `'…'` literal, `"…"` with `\` escaping `$ \` " \\`, `$'…'`, `\x`.
pub fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n @ ('$' | '`' | '"' | '\\')) => {
                                out.push(n);
                                chars.next();
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            _ => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            },
            '$' if chars.peek() == Some(&'\'') => {}
            c => out.push(c),
        }
    }
    out
}

/// The inner texts of `$(…)` and `` `…` `` in a word (not inside single quotes).
pub fn substitutions(word: &str) -> Vec<String> {
    let mut found = Vec::new();
    if !word.contains("$(") && !word.contains('`') {
        return found;
    }
    let bytes = word.as_bytes();
    let mut i = 0;
    let mut in_single = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_single = !in_single,
            b'\\' => i += 1,
            b'$' if !in_single
                && bytes.get(i + 1) == Some(&b'(')
                && bytes.get(i + 2) != Some(&b'(') =>
            {
                let mut depth = 0usize;
                let start = i + 2;
                let mut j = start;
                while j < bytes.len() {
                    match bytes[j] {
                        b'(' => depth += 1,
                        b')' if depth == 0 => break,
                        b')' => depth -= 1,
                        b'\\' => j += 1,
                        _ => {}
                    }
                    j += 1;
                }
                if let Some(inner) = word.get(start..j.min(bytes.len())) {
                    found.push(inner.to_string());
                }
                i = j;
            }
            b'`' if !in_single => {
                let start = i + 1;
                let end = word[start..].find('`').map_or(word.len(), |e| start + e);
                if let Some(inner) = word.get(start..end) {
                    found.push(inner.to_string());
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes() {
        assert_eq!(unquote(r#"'a b'"c\"d"e\ f"#), "a bc\"de f");
        assert_eq!(unquote("\"$HOME\""), "$HOME");
    }

    #[test]
    fn finds_substitutions() {
        assert_eq!(substitutions("x$(a $(b))y`c`"), vec!["a $(b)", "c"]);
        assert!(substitutions("'$(no)'").is_empty());
        assert!(substitutions("$((1+2))").is_empty());
    }
}
