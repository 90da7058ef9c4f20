//! Showing text that came from an input (a path in an image, a tag, a compose key, a `docker run`
//! flag, a feed's file name) to a person: on a terminal, in a CI log, in a table or Markdown.
//!
//! Input text may hold anything. Written raw, an ESC starts a terminal escape sequence (colors,
//! cursor moves, window titles, hyperlinks), a CR overwrites what the line said, a LF starts a
//! line of the attacker's choosing (in a GitHub Actions log, `::error file=…::` is a workflow
//! command) and a bidirectional override reorders what the reader sees. [`escape_for_terminal`]
//! writes every such character as a visible escape instead; [`cap`] bounds the length, so a
//! 200 MB path cannot make a 200 MB message.
//!
//! These are for text meant for people. JSON and SARIF carry input text as data.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The longest one input-derived value inside a message may be, in bytes, once escaped
/// ([`shown`]): room for any real path (PATH_MAX is 4096 bytes, but real ones are short).
pub const VALUE_MAX: usize = 1024;

/// The longest one message may be, in bytes, once escaped ([`for_message`]).
pub const MESSAGE_MAX: usize = 4096;

/// How many items of an input-derived list a message names ([`list`]).
pub const LIST_MAX: usize = 10;

/// Whether `c` must not reach a terminal as it is: C0 controls (tab and line breaks included),
/// DEL, C1 controls, the Unicode line and paragraph separators and the bidirectional marks,
/// embeddings, overrides and isolates.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Appends one character as it may be shown: itself, or its visible escape (`\n`, `\t`, `\r`,
/// `\x1b` for the other C0 controls and DEL, `\u{9b}`, `\u{202e}` for the rest). For renderers
/// that treat some characters their own way (Markdown, code frames) and the rest as here.
pub fn push_escaped(out: &mut String, c: char) {
    let _ = write_escaped(out, c);
}

fn write_escaped(out: &mut impl fmt::Write, c: char) -> fmt::Result {
    if !is_unsafe(c) {
        return out.write_char(c);
    }
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\0'..='\u{1f}' | '\u{7f}' => write!(out, "\\x{:02x}", c as u32),
        _ => write!(out, "\\u{{{:x}}}", c as u32),
    }
}

/// `s` with every character [`is_unsafe`] written as a visible escape: `\x1b`, `\x07`, `\r`,
/// `\n`, `\t`, `\x7f`, `\u{9b}`, `\u{202e}`. Everything else, backslashes included, is kept, so
/// escaping twice changes nothing more and Windows paths read as they are. Borrows when nothing
/// needs escaping.
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// The marker that ends capped text: ` … [N more bytes]`.
fn omitted(n: usize) -> String {
    format!(" … [{n} more bytes]")
}

/// The longest the marker can be (`usize::MAX` has 20 digits).
const MARKER_MAX: usize = " … [".len() + 20 + " more bytes]".len();

/// `s` cut to at most `max` bytes (on a character boundary) when longer, ending with
/// ` … [N more bytes]` to say how much was left out. The result is never longer than `max`
/// bytes; below the marker's own length (about 40 bytes) it is a plain cut.
pub fn cap(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let keep = |room: usize| floor_char_boundary(s, room);
    let mut end = keep(max.saturating_sub(MARKER_MAX));
    let mut marker = omitted(s.len() - end);
    if end + marker.len() > max {
        // A marker longer than the room left: a plain cut.
        end = keep(max);
        marker.clear();
    } else {
        // The marker is usually shorter than its bound: keep as much of `s` as still fits.
        while let Some(next) = s[end..].chars().next() {
            let longer = end + next.len_utf8();
            let m = omitted(s.len() - longer);
            if longer + m.len() > max {
                break;
            }
            end = longer;
            marker = m;
        }
    }
    let mut out = String::with_capacity(end + marker.len());
    out.push_str(&s[..end]);
    out.push_str(&marker);
    Cow::Owned(out)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// [`escape_for_terminal`] then [`cap`] to `max` bytes, without escaping more of `s` than can be
/// shown: cheap for a 200 MB input.
pub fn escape_capped(s: &str, max: usize) -> String {
    // Every character escapes to at most 10 bytes (`\u{202e}`), so this prefix is enough to
    // fill `max` bytes and to know whether anything is left over.
    let prefix = &s[..floor_char_boundary(s, max.saturating_add(1))];
    let escaped = escape_for_terminal(prefix);
    if prefix.len() == s.len() && escaped.len() <= max {
        return escaped.into_owned();
    }
    // Cut the escaped text, then count what is left out in bytes of the original.
    let mut end = 0;
    let mut shown = 0;
    let mut out = String::new();
    for c in prefix.chars() {
        let mut one = String::new();
        push_escaped(&mut one, c);
        // The marker only gets shorter as more is kept: today's length bounds the final one.
        if shown + one.len() + omitted(s.len() - end).len() > max {
            break;
        }
        out.push_str(&one);
        shown += one.len();
        end += c.len_utf8();
    }
    let marker = omitted(s.len() - end);
    if out.len() + marker.len() > max {
        // Too small a `max` for any marker: what fits of the escaped text.
        return cap(&escaped, max).into_owned();
    }
    out.push_str(&marker);
    out
}

/// One input-derived value inside a message: escaped and capped to [`VALUE_MAX`]. For
/// `format!("no image tagged {}", shown(tag))` and the like; no allocation when the value is
/// short and clean.
pub fn shown(s: &str) -> Shown<'_> {
    Shown(s)
}

/// See [`shown`].
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() <= VALUE_MAX && !self.0.chars().any(is_unsafe) {
            return f.pad(self.0);
        }
        f.pad(&escape_capped(self.0, VALUE_MAX))
    }
}

/// A whole message for a person (an error, a warning, a progress line): escaped and capped to
/// [`MESSAGE_MAX`]. A message is one line: a line break inside it shows as `\n`.
pub fn for_message(s: &str) -> Cow<'_, str> {
    within(s, MESSAGE_MAX)
}

/// [`escape_capped`] to `max` bytes, borrowing when `s` is already clean and short enough.
pub fn within(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max && !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(escape_capped(s, max))
}

/// [`within`] for an owned string: kept as it is (no copy) when already clean and short enough.
pub fn within_owned(s: String, max: usize) -> String {
    if s.len() <= max && !s.chars().any(is_unsafe) {
        return s;
    }
    escape_capped(&s, max)
}

/// An input-derived list inside a message: the first [`LIST_MAX`] items, each [`shown`] (in
/// quotes when `quote` is set), then `and N more` for the rest.
pub fn list<I>(items: I, quote: bool) -> String
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut out = String::new();
    let mut more = 0usize;
    for (i, item) in items.into_iter().enumerate() {
        if i >= LIST_MAX {
            more += 1;
            continue;
        }
        if i > 0 {
            out.push_str(", ");
        }
        let item = shown(item.as_ref());
        let _ = if quote {
            write!(out, "\"{item}\"")
        } else {
            write!(out, "{item}")
        };
    }
    if more > 0 {
        let _ = write!(out, " and {more} more");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible() {
        assert_eq!(escape_for_terminal("plain/path:1"), "plain/path:1");
        assert!(matches!(escape_for_terminal("x"), Cow::Borrowed(_)));
        assert_eq!(
            escape_for_terminal("a\u{1b}[31mb\u{7}c\rd\ne\tf\0"),
            "a\\x1b[31mb\\x07c\\rd\\ne\\tf\\x00"
        );
        assert_eq!(
            escape_for_terminal("\u{7f}\u{9b}\u{85}x\u{202e}y\u{2066}\u{2028}"),
            "\\x7f\\u{9b}\\u{85}x\\u{202e}y\\u{2066}\\u{2028}"
        );
        assert_eq!(escape_for_terminal("C:\\x é 漢"), "C:\\x é 漢");
    }

    #[test]
    fn a_forged_workflow_command_stays_on_our_line() {
        let s = escape_for_terminal("svc\n::error file=x::forged\r\n");
        assert_eq!(s, "svc\\n::error file=x::forged\\r\\n");
        assert_eq!(s.lines().count(), 1);
    }

    #[test]
    fn cap_keeps_short_text_and_marks_cuts() {
        assert_eq!(cap("short", 100), "short");
        let long = "a".repeat(1000);
        let c = cap(&long, 100);
        assert!(c.len() <= 100, "{c}");
        assert!(c.len() == 100 && c.ends_with(" … [921 more bytes]"), "{c}");
        assert!(c.starts_with("aaaa"));
        // Never in the middle of a character.
        let wide = "漢".repeat(100);
        let c = cap(&wide, 50);
        assert!(c.len() <= 50 && c.ends_with("more bytes]"), "{c}");
        // Too small for the marker: a plain cut.
        assert_eq!(cap("abcdef", 3), "abc");
        assert_eq!(cap("漢字", 4), "漢");
    }

    #[test]
    fn escape_capped_counts_the_original_bytes_left_out() {
        let s = format!("{}{}", "\u{1b}".repeat(10), "b".repeat(1_000_000));
        let out = escape_capped(&s, 200);
        assert!(out.len() <= 200, "{}", out.len());
        assert!(out.starts_with("\\x1b\\x1b"));
        let (head, _) = out.split_once(" … [").unwrap_or_default();
        // Each `\x1b` and each `b` stands for one byte of `s`, and each has one `b`.
        let kept = head.matches('b').count();
        assert!(out.ends_with(&format!(" … [{} more bytes]", s.len() - kept)));
        assert_eq!(escape_capped("a\nb", 200), "a\\nb");
    }

    #[test]
    fn shown_and_for_message() {
        assert_eq!(shown("tag\u{1b}").to_string(), "tag\\x1b");
        assert_eq!(
            format!("{:<6}|", shown("a\n")),
            "a\\n   |",
            "width and fill apply"
        );
        assert!(shown(&"p".repeat(200_000)).to_string().len() <= VALUE_MAX);
        assert!(for_message(&"m".repeat(10_000_000)).len() <= MESSAGE_MAX);
        assert_eq!(for_message("one: two"), "one: two");
        assert!(matches!(within("ok", 2), Cow::Borrowed("ok")));
        assert_eq!(within_owned("a\u{7}".into(), 100), "a\\x07");
        assert!(within_owned("z".repeat(5000), 100).len() <= 100);
    }

    #[test]
    fn lists_name_a_few_and_count_the_rest() {
        let tags: Vec<String> = (0..70_000).map(|i| format!("t{i}")).collect();
        let l = list(&tags, true);
        assert!(l.starts_with("\"t0\", \"t1\""), "{l}");
        assert!(l.ends_with("\"t9\" and 69990 more"), "{l}");
        assert_eq!(list(["a\n", "b"], false), "a\\n, b");
        assert_eq!(list(Vec::<String>::new(), false), "");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Text rich in what must never get through: controls, bidi, wide characters, the
        /// escape characters themselves.
        fn hostile() -> impl Strategy<Value = String> {
            let c = prop_oneof![
                any::<char>(),
                prop::sample::select(vec![
                    '\u{1b}', '\u{7}', '\r', '\n', '\t', '\0', '\u{7f}', '\u{9b}', '\u{85}',
                    '\u{202e}', '\u{2066}', '\u{2029}', '\\', ':', '漢', '…',
                ]),
            ];
            prop::collection::vec(c, 0..300).prop_map(|v| v.into_iter().collect())
        }

        proptest! {
            #[test]
            fn no_unsafe_character_gets_through(s in hostile()) {
                let e = escape_for_terminal(&s);
                prop_assert!(!e.chars().any(is_unsafe), "{e:?}");
                prop_assert!(!e.bytes().any(|b| b < 0x20 || b == 0x7f), "{e:?}");
                // Idempotent: escaping what was escaped changes nothing.
                prop_assert_eq!(escape_for_terminal(&e), e.clone());
                // Nothing is lost but the unsafe characters.
                let kept: String = s.chars().filter(|c| !is_unsafe(*c)).collect();
                let e_kept: String = {
                    let mut t = String::new();
                    let mut rest = e.as_ref();
                    for c in s.chars() {
                        let mut one = String::new();
                        push_escaped(&mut one, c);
                        prop_assert!(rest.starts_with(&one));
                        rest = &rest[one.len()..];
                        if !is_unsafe(c) {
                            t.push(c);
                        }
                    }
                    prop_assert!(rest.is_empty());
                    t
                };
                prop_assert_eq!(kept, e_kept);
            }

            #[test]
            fn capped_output_is_short_safe_and_stable(s in hostile(), max in 0usize..400) {
                let c = cap(&s, max);
                prop_assert!(c.len() <= max);
                prop_assert!(s.starts_with(c.split(" … [").next().unwrap_or_default()));
                let e = escape_capped(&s, max);
                prop_assert!(e.len() <= max, "{} > {max}", e.len());
                prop_assert!(!e.chars().any(is_unsafe), "{e:?}");
                prop_assert_eq!(escape_capped(&e, max), e.clone());
                if escape_for_terminal(&s).len() <= max {
                    prop_assert_eq!(e, escape_for_terminal(&s).into_owned());
                }
                let m = for_message(&s);
                prop_assert!(m.len() <= MESSAGE_MAX && !m.chars().any(is_unsafe));
            }
        }
    }
}
