//! Licenses a Debian package declares in `usr/share/doc/<name>/copyright`, read as Syft reads
//! them: the first line of every `License:` field (the short names of a machine-readable DEP-5
//! file, <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>; the full text
//! follows indented and is not read), split at `or`, `and` and `,`; and every
//! `/usr/share/common-licenses/<NAME>` a file points at, the only names most older, free-form
//! files give. Sorted and deduplicated.
//!
//! Hostile files are bounded: at most [`MAX_BYTES`] are read, names are stripped of control
//! characters and dropped past [`MAX_NAME_CHARS`], and at most [`MAX_LICENSES`] are kept.

use std::collections::BTreeSet;

use seaworthy_core::text;

/// Largest copyright file read (Debian 12's Boost packages ship 2 MB ones).
pub const MAX_BYTES: u64 = 8 << 20;
/// Most licenses kept for one package (the first, sorted).
pub const MAX_LICENSES: usize = 64;
/// Longer "names" are prose, not license short names.
pub const MAX_NAME_CHARS: usize = 128;

const COMMON_LICENSES: &str = "/usr/share/common-licenses/";

/// The licenses a copyright file names; none for a file over [`MAX_BYTES`].
pub fn licenses(data: &[u8]) -> Vec<String> {
    if data.len() as u64 > MAX_BYTES {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(data);
    let mut found = BTreeSet::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(value) = field_value(line, "License") {
            found.extend(split_expression(value).unwrap_or_default());
        }
        found.extend(common_licenses(line));
    }
    found.into_iter().take(MAX_LICENSES).collect()
}

/// The value of `line` when it starts field `name` (deb822 field names ignore case).
fn field_value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (field, value) = line.split_once(':')?;
    field.eq_ignore_ascii_case(name).then_some(value)
}

/// `GPL-2+ or Artistic-2.0, and BSD-3-clause` → its short names; `GPL-2+ with Autoconf
/// exception` stays one. A value with a part that is not a short name is prose (a `License:`
/// heading in a free-form file: `Redistribution and use …`) and names nothing.
fn split_expression(value: &str) -> Option<Vec<String>> {
    // Unsafe characters go first, so none can hide an operator (`o\x1br`).
    let value: String = value
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if text::is_unsafe(c) => None,
            c => Some(c),
        })
        .collect();
    let mut names = Vec::new();
    for part in value.split(',') {
        let mut group: Vec<&str> = Vec::new();
        for word in part.split_whitespace() {
            if word.eq_ignore_ascii_case("or") || word.eq_ignore_ascii_case("and") {
                names.extend(short_name(&group)?);
                group.clear();
            } else {
                group.push(word);
            }
        }
        names.extend(short_name(&group)?);
    }
    Some(names)
}

/// One word, or `<name> with <keyword…> exception`; none (but no failure) for no words, as
/// between `,` and `and`.
fn short_name(words: &[&str]) -> Option<Option<String>> {
    if words.is_empty() {
        return Some(None);
    }
    let name = match words {
        [name] => clean(name),
        [name, with, .., exception]
            if with.eq_ignore_ascii_case("with") && exception.eq_ignore_ascii_case("exception") =>
        {
            clean(name)?;
            clean(&words.join(" "))
        }
        _ => None,
    };
    name.map(Some)
}

/// The names in every `/usr/share/common-licenses/<NAME>` of `line` (`GPL-2` from
/// `` `/usr/share/common-licenses/GPL-2'. ``).
fn common_licenses(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(COMMON_LICENSES) {
        rest = &rest[at + COMMON_LICENSES.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(rest.len());
        names.extend(clean(&rest[..end]));
        rest = &rest[end..];
    }
    names
}

/// Without a sentence's final `.`; `None` when it has no letter or digit, is longer than
/// [`MAX_NAME_CHARS`], or is `none` or an operator.
fn clean(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.');
    let ok = name.chars().any(char::is_alphanumeric)
        && name.chars().count() <= MAX_NAME_CHARS
        && !["none", "or", "and", "with"]
            .iter()
            .any(|w| name.eq_ignore_ascii_case(w));
    ok.then(|| name.to_string())
}

/// What a captured copyright file is kept as: its licenses as `License:` lines, which
/// [`licenses`] reads back the same (a few bytes where the file may hold megabytes).
pub fn reduce(data: &[u8]) -> Vec<u8> {
    let mut out = String::new();
    for name in licenses(data) {
        out.push_str("License: ");
        out.push_str(&name);
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/testdata/dpkg/copyright/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn dep5_license_fields() {
        assert_eq!(licenses(&fixture("zlib1g")), ["Zlib"]);
        assert_eq!(
            licenses(&fixture("bash")),
            [
                "BSD-4-clause-UC",
                "GFDL-1.3",
                "GFDL-NIV-1.3",
                "GPL-2",
                "GPL-2+",
                "GPL-3",
                "GPL-3+",
                "GPL-3+ with Bison exception",
                "Latex2e",
                "MIT-like",
                "permissive",
            ]
        );
    }

    #[test]
    fn free_form_file_gives_its_common_licenses() {
        assert_eq!(licenses(&fixture("libc6")), ["GPL-2", "LGPL-2.1"]);
    }

    #[test]
    fn expressions_split_into_short_names() {
        let l = |s: &str| licenses(s.as_bytes());
        assert_eq!(
            l("License: GFDL-1.2+ or CC-BY-SA-3.0 OR CC-BY-SA-2.0-IT, and CC-BY-3.0-US\n"),
            [
                "CC-BY-3.0-US",
                "CC-BY-SA-2.0-IT",
                "CC-BY-SA-3.0",
                "GFDL-1.2+"
            ]
        );
        assert_eq!(
            l("license: Apache-2.0 with LLVM exception and MIT\r\n"),
            ["Apache-2.0 with LLVM exception", "MIT"]
        );
        // Prose after a heading, continuation lines and empty values name nothing.
        assert!(l("License: This program is free software\n").is_empty());
        assert!(l("License: Redistribution and use in source and binary forms\n").is_empty());
        assert!(l("License: Permission to use, copy, modify\n").is_empty());
        assert!(l("License:\n GPL-2\nLicense: none\nLicense: --\n").is_empty());
        assert!(l("Files: *\n License: MIT\n").is_empty());
        assert_eq!(
            l("see /usr/share/common-licenses/GPL-3. or /usr/share/common-licenses/Apache-2.0\n"),
            ["Apache-2.0", "GPL-3"]
        );
        assert!(l("/usr/share/common-licenses/\n/usr/share/common-licenses/'\n").is_empty());
    }

    #[test]
    fn hostile_names_are_cleaned_and_bounded() {
        let l = |s: &str| licenses(s.as_bytes());
        assert_eq!(l("License: M\u{1b}[31mIT\u{202e}\n"), ["M[31mIT"]);
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(l(&format!("License: {long}\n")).is_empty());
        let many: String = (0..1000).map(|i| format!("License: L{i:04}\n")).collect();
        let kept = l(&many);
        assert_eq!(kept.len(), MAX_LICENSES);
        assert_eq!(kept.first().map(String::as_str), Some("L0000"));
        let huge = vec![b'a'; usize::try_from(MAX_BYTES).unwrap_or(usize::MAX) + 1];
        assert!(licenses(&huge).is_empty());
        assert!(l("License: \u{fffd}\u{0}\n\u{ff}").is_empty());
    }

    #[test]
    fn reduced_file_reads_back_the_same() {
        for name in ["zlib1g", "bash", "libc6"] {
            let data = fixture(name);
            let reduced = reduce(&data);
            assert!(reduced.len() < data.len(), "{name}");
            assert_eq!(licenses(&reduced), licenses(&data), "{name}");
        }
        let hostile = "License: a\u{1b}b with o\u{1b}r. exception, c., o\u{7f}r.\n\
                       /usr/share/common-licenses/D.\n";
        assert_eq!(
            licenses(&reduce(hostile.as_bytes())),
            licenses(hostile.as_bytes())
        );
    }
}
