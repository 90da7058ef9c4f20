//! The fallback when the shell parser rejects a script: a quote-aware tokenizer that splits on
//! `&& || ; | &`, newlines, parentheses and braces, and drops shell reserved words.

use super::Builder;

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case",
    "esac", "!", "{", "}", "function", "select",
];

pub(crate) fn collect(text: &str, b: &mut Builder, depth: usize, _level: usize, nested: bool) {
    let mut words: Vec<(String, usize, usize)> = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut pipeline = b.new_pipeline();
    let mut subshell = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;

    let flush_word =
        |words: &mut Vec<(String, usize, usize)>, start: &mut Option<usize>, end: usize| {
            if let Some(s) = start.take()
                && let Some(w) = text.get(s..end)
            {
                words.push((w.to_string(), s, end));
            }
        };
    let flush_cmd = |b: &mut Builder,
                     words: &mut Vec<(String, usize, usize)>,
                     pipeline: usize,
                     in_sub: bool| {
        let mut ws = std::mem::take(words);
        while ws.first().is_some_and(|w| RESERVED.contains(&w.0.as_str())) {
            ws.remove(0);
        }
        let mut assignments = Vec::new();
        while ws.first().is_some_and(|w| is_assignment(&w.0)) {
            let (w, _, _) = ws.remove(0);
            if let Some((k, v)) = w.split_once('=') {
                assignments.push((k.to_string(), super::unquote(v)));
            }
        }
        b.push(ws, assignments, pipeline, nested || in_sub, depth);
    };

    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => {
                word_start.get_or_insert(i);
                i = skip_quoted(bytes, i);
                continue;
            }
            b'\\' => {
                word_start.get_or_insert(i);
                i += 2;
                continue;
            }
            b'$' if bytes.get(i + 1) == Some(&b'(') => {
                word_start.get_or_insert(i);
                i = skip_parens(bytes, i + 1);
                continue;
            }
            b' ' | b'\t' | b'\r' => flush_word(&mut words, &mut word_start, i),
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                flush_word(&mut words, &mut word_start, i);
                flush_cmd(b, &mut words, pipeline, subshell > 0);
                let next = bytes.get(i + 1).copied();
                let single_pipe = c == b'|' && next != Some(b'|');
                match c {
                    b'(' => subshell += 1,
                    b')' => subshell = subshell.saturating_sub(1),
                    _ => {}
                }
                if !single_pipe {
                    pipeline = b.new_pipeline();
                }
                if (c == b'&' || c == b'|') && next == Some(c) {
                    i += 1;
                }
            }
            b'#' if word_start.is_none() => {
                flush_cmd(b, &mut words, pipeline, subshell > 0);
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {
                word_start.get_or_insert(i);
            }
        }
        i += 1;
    }
    flush_word(&mut words, &mut word_start, text.len());
    flush_cmd(b, &mut words, pipeline, subshell > 0);
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Index after the quoted section that starts at `at`.
fn skip_quoted(bytes: &[u8], at: usize) -> usize {
    let q = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if q != b'\'' => i += 1,
            c if c == q => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Index after the parenthesised section that starts at `at` (`(`).
fn skip_parens(bytes: &[u8], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            b'\'' | b'"' => {
                i = skip_quoted(bytes, i);
                continue;
            }
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}
