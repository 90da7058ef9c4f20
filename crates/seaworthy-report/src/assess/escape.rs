//! Escaping of untrusted text (paths, messages, package names from images) for the assess
//! Markdown and HTML outputs. Control characters and bidirectional overrides are neutralised
//! first (as for the terminal), so a finding cannot reorder or hide what the reader sees.

use crate::text::push_safe;

/// Text for a Markdown table cell or list line: one line, no markup of its own. Backslash escapes
/// the characters that start emphasis, code, links or strikethrough and the cell separator `|`;
/// `<`, `>` and `&` become entities so no HTML or autolink gets through, and `@` cannot mention.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // A word joiner after `@` keeps a finding from mentioning (notifying) a user.
            '@' => out.push_str("@\u{2060}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => push_safe(&mut out, c),
        }
    }
    out
}

/// `text` as inline code when it can be (no backtick, no line break), else as escaped text.
/// A `|` stays escaped inside code: GitHub splits table cells before it reads code spans.
pub(crate) fn md_code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '\n', '\r']) || s.chars().any(char::is_control) {
        return md(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('`');
    for c in s.chars() {
        if c == '|' {
            out.push_str("\\|");
        } else {
            push_safe(&mut out, c);
        }
    }
    out.push('`');
    out
}

/// Text for HTML element content and quoted attribute values.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => push_safe(&mut out, c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_carry_no_markup() {
        assert_eq!(
            md("a|b <img src=x> `c` *d* [e](f)\nnext"),
            "a\\|b &lt;img src=x&gt; \\`c\\` \\*d\\* \\[e\\](f) next"
        );
        assert_eq!(md("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(md("a\u{1b}[2Jb"), "a\\x1b\\[2Jb");
        assert_eq!(md("cc @octocat"), "cc @\u{2060}octocat", "no mention");
    }

    #[test]
    fn code_spans_fall_back_to_text() {
        assert_eq!(md_code("SW-DF-003"), "`SW-DF-003`");
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("a`b"), "a\\`b");
    }

    #[test]
    fn html_escapes_all_five() {
        assert_eq!(
            html("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
