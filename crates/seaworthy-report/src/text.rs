//! Small text helpers shared by the renderers.

use seaworthy_core::RuleMeta;
use seaworthy_core::text::{self, MESSAGE_MAX};

/// A rule's markdown documentation without the one leading space every doc-comment line has.
pub(crate) fn rule_docs(meta: &RuleMeta) -> String {
    let mut out = String::with_capacity(meta.docs.len());
    for line in meta.docs.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim().to_string()
}

/// The first paragraph of the docs as one line (doc-comment line breaks become spaces).
pub(crate) fn rule_summary(meta: &RuleMeta) -> String {
    meta.summary()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Cross-references of a rule in the `peer:id` form findings use (e.g. `hadolint:DL3008`).
pub(crate) fn rule_refs(meta: &RuleMeta) -> Vec<String> {
    let mut refs = meta.references();
    refs.sort();
    refs.dedup();
    refs
}

/// Makes untrusted text safe for a terminal, a table or a CI log: every control character
/// (C0 with line breaks and tabs, DEL, C1) and bidirectional override becomes a visible escape
/// (`\x1b`, `\n`, `\u{202e}`, see [`seaworthy_core::text`]), so an input cannot move the cursor,
/// change colors, start a line of its own (a forged `::error` workflow command) or reorder what
/// the user reads; capped at [`MESSAGE_MAX`] bytes.
pub(crate) fn terminal_safe(s: &str) -> String {
    text::escape_capped(s, MESSAGE_MAX)
}

/// One character of untrusted text, as [`terminal_safe`] writes it (for renderers that treat
/// some characters their own way first).
pub(crate) fn push_safe(out: &mut String, c: char) {
    text::push_escaped(out, c);
}

/// JSON text, pretty-printed as `serde_json::to_string_pretty` does, with DEL, the C1 controls,
/// the line and paragraph separators and the bidi marks, overrides and isolates in strings
/// written as `\uXXXX` escapes as well (serde_json escapes only C0): the same data once parsed,
/// but a report `cat` to a terminal or printed in a CI log carries no 8-bit CSI or override.
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeJson::default());
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json's pretty formatter, escaping the characters [`json_pretty`] names in strings.
#[derive(Default)]
struct SafeJson<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for SafeJson<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if text::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // All of them are in the Basic Multilingual Plane: one escape each.
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `1 finding`, `2 findings`.
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// A probability as a short percentage: `94%`, `1.2%`, `0.04%`.
pub(crate) fn percent(p: f64) -> String {
    let pct = p * 100.0;
    if pct >= 10.0 {
        format!("{pct:.0}%")
    } else if pct >= 1.0 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.2}%")
    }
}

/// FNV-1a, 64 bit: a small hash that never changes between releases or platforms.
pub(crate) fn fnv1a64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            // A separator that cannot occur in UTF-8 text keeps ("ab","c") apart from ("a","bc").
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Serialized XML with every character [`text::is_unsafe`] except line breaks and tabs written
/// as its visible escape: XML 1.0 forbids most C0 controls (a parser rejects the whole report),
/// and CI test tabs would show the rest (ESC, bidi overrides) as they are. Markup has none of
/// these characters, so only text and attribute values change.
pub(crate) fn xml_safe(xml: String) -> String {
    if !xml
        .chars()
        .any(|c| text::is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r'))
    {
        return xml;
    }
    let mut out = String::with_capacity(xml.len() + 16);
    for c in xml.chars() {
        if matches!(c, '\n' | '\t' | '\r') {
            out.push(c);
        } else {
            text::push_escaped(&mut out, c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_neutralises_escapes() {
        assert_eq!(terminal_safe("a\u{1b}[31mb"), "a\\x1b[31mb");
        assert_eq!(terminal_safe("x\u{9b}y\u{202e}z"), "x\\u{9b}y\\u{202e}z");
        assert_eq!(
            terminal_safe("tab\there\r\n::error file=x::forged"),
            "tab\\there\\r\\n::error file=x::forged"
        );
        assert!(terminal_safe(&"p".repeat(1 << 20)).len() <= MESSAGE_MAX);
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_keeps_the_data() {
        let value = serde_json::json!({
            "a": ["x\u{1b}[2J\u{7f}\u{9b}\u{202e}\u{2028}y\n", 1, {"k\u{85}": null}],
            "plain": "é 漢 / \\ \"",
            "empty": [], "obj": {},
        });
        let text = json_pretty(&value);
        assert!(
            !text.chars().any(|c| text::is_unsafe(c) && c != '\n'),
            "{text}"
        );
        assert!(
            text.contains(r"x\u001b[2J\u007f\u009b\u202e\u2028y\n"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, value);
        // Layout as serde_json's own pretty printer.
        let plain = serde_json::json!({"a": [1, {"b": "c"}], "d": [], "e": {}});
        assert_eq!(
            json_pretty(&plain),
            serde_json::to_string_pretty(&plain).unwrap_or_default()
        );
    }

    #[test]
    fn fnv_is_stable_and_separates_parts() {
        // Reference value of FNV-1a 64 for "a".
        assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
    }
}
