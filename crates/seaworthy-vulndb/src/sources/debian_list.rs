//! The Debian security tracker's own text files: `data/CVE/list` (one entry per CVE) and
//! `data/DSA/list`, `data/DLA/list`, `data/DTSA/list` (one entry per advisory).
//!
//! An entry is a header line at column 0 followed by indented annotation lines:
//!
//! ```text
//! CVE-2024-21096 (Vulnerability in the MySQL Server product of Oracle MySQL ...)
//!     {DLA-3891-1}
//!     - mariadb 1:10.11.8-1
//!     [bookworm] - mariadb 1:10.11.11-0+deb12u1
//!     [bullseye] - mariadb-10.5 <no-dsa> (Minor issue)
//!     NOTE: …
//! [29 Aug 2025] DSA-5990-1 libxml2 - security update
//!     {CVE-…}
//!     [bookworm] - libxml2 2.9.14+dfsg-1.3~deb12u4
//! ```
//!
//! Package lines without a `[release]` are about unstable (`debian:sid`). The grammar follows
//! the tracker's own parser (`lib/python/bugs.py`, `sectracker/parsers.py`). A malformed line
//! makes its entry skipped and counted; the rest of the file is read. One pass, linear time.

use std::collections::HashSet;

use super::debian_tracker::{clip, fixed_range, severity_of, summary_of, tagged_note};
use super::{FeedError, Parsed};
use crate::ecosystem;
use crate::model::{Advisory, Affected, Status};

/// Source name of the advisories read from `data/CVE/list`.
pub const SOURCE_CVE_LIST: &str = "debian-cve-list";
/// Source names for the advisory lists.
pub const SOURCE_DSA: &str = "debian-dsa";
pub const SOURCE_DLA: &str = "debian-dla";
pub const SOURCE_DTSA: &str = "debian-dtsa";

/// Reads `data/CVE/list`: one advisory per CVE (or `CVE-YYYY-XXXX` entry, named `TEMP-…` the
/// way the tracker names it) that has at least one package verdict. `REJECTED`, `NOT-FOR-US`
/// and `RESERVED` entries, and entries with only `<removed>`/`<itp>`/`TODO`, give none.
pub fn parse_cve_list(text: &str, file: &str) -> Result<Parsed, FeedError> {
    read_list(text, file, ListKind::Cve)
}

/// Reads `data/DSA/list`, `data/DLA/list` or `data/DTSA/list`: one advisory per entry, named by
/// its id (`DSA-5380-1`), with the `{CVE …}` line as aliases and the `[release] - package
/// version` lines as fixed versions. `source` names the list (`debian-dsa`, …).
pub fn parse_advisory_list(text: &str, file: &str, source: &str) -> Result<Parsed, FeedError> {
    read_list(text, file, ListKind::Advisories { source })
}

#[derive(Clone, Copy)]
enum ListKind<'s> {
    Cve,
    Advisories { source: &'s str },
}

fn read_list(text: &str, file: &str, kind: ListKind<'_>) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut current: Option<Entry<'_>> = None;
    let mut headers = 0usize;
    let mut content_lines = 0usize;
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with("--") {
            continue;
        }
        content_lines += 1;
        if line.starts_with([' ', '\t']) {
            let entry = current.get_or_insert_with(|| {
                Entry::broken(line_no, "", "annotation line before any entry".to_string())
            });
            entry.annotate(line.trim(), line_no, kind);
            continue;
        }
        if let Some(done) = current.take() {
            done.finish(kind, &mut parsed);
        }
        if is_ignored_header(line) {
            continue;
        }
        let entry = match kind {
            ListKind::Cve => Entry::cve_header(line, line_no),
            ListKind::Advisories { .. } => Entry::advisory_header(line, line_no),
        };
        if entry.error.is_none() {
            headers += 1;
        }
        current = Some(entry);
    }
    if let Some(done) = current.take() {
        done.finish(kind, &mut parsed);
    }
    if headers == 0 && content_lines > 0 {
        let what = match kind {
            ListKind::Cve => "no CVE entries found (not a tracker data/CVE/list file?)",
            ListKind::Advisories { .. } => "no advisory entries found (not a tracker list file?)",
        };
        return Err(FeedError::new(file, what));
    }
    Ok(parsed)
}

/// Lines at column 0 that are not entries: claims and the `STOP:` marker of `data/CVE/list`.
fn is_ignored_header(line: &str) -> bool {
    line.starts_with("STOP:")
        || line.starts_with("begin claimed by ")
        || line.starts_with("end claimed by ")
}

/// One entry being read.
struct Entry<'a> {
    line: usize,
    /// As written: `CVE-2024-1234`, `CVE-2023-XXXX`, `DSA-5380-1`.
    id: &'a str,
    /// Header text after the id, without the enclosing `()`/`[]` of CVE headers.
    title: &'a str,
    published: Option<String>,
    aliases: Vec<String>,
    affected: Vec<Affected>,
    /// The first Debian bug number of the package lines (names `CVE-YYYY-XXXX` entries).
    first_bug: Option<u64>,
    reserved: bool,
    rejected: bool,
    not_for_us: bool,
    /// Set at the first malformed line; the entry is then skipped.
    error: Option<String>,
}

impl<'a> Entry<'a> {
    fn new(line: usize, id: &'a str, title: &'a str) -> Entry<'a> {
        Entry {
            line,
            id,
            title,
            published: None,
            aliases: Vec::new(),
            affected: Vec::new(),
            first_bug: None,
            reserved: false,
            rejected: false,
            not_for_us: false,
            error: None,
        }
    }

    fn broken(line: usize, id: &'a str, error: String) -> Entry<'a> {
        let mut entry = Entry::new(line, id, "");
        entry.error = Some(error);
        entry
    }

    /// `CVE-2024-1234 (description …)`, `CVE-2023-XXXX [title]`, `TEMP-0000000-1A2B3C …`.
    fn cve_header(line: &'a str, line_no: usize) -> Entry<'a> {
        let (id, rest) = split_word(line);
        if !is_cve_list_id(id) {
            return Entry::broken(line_no, "", format!("malformed header {:?}", clip(line)));
        }
        let rest = rest.trim();
        let title = match rest.as_bytes().first() {
            Some(b'(') => rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')),
            Some(b'[') => rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')),
            _ => Some(rest),
        };
        match title {
            Some(title) => Entry::new(line_no, id, title),
            None => Entry::broken(line_no, id, "unclosed description".to_string()),
        }
    }

    /// `[29 Mar 2023] DSA-5380-1 firefox-esr - security update`,
    /// `[December 5th, 2005] DTSA-26-1 trackballs - symlink attack`.
    fn advisory_header(line: &'a str, line_no: usize) -> Entry<'a> {
        let parsed = line.strip_prefix('[').and_then(|rest| {
            let (date, rest) = rest.split_once(']')?;
            let (id, title) = split_word(rest.trim_start());
            is_advisory_id(id).then_some((date, id, title.trim()))
        });
        match parsed {
            Some((date, id, title)) => {
                let mut entry = Entry::new(line_no, id, title);
                entry.published = iso_date(date);
                entry
            }
            None => Entry::broken(line_no, "", format!("malformed header {:?}", clip(line))),
        }
    }

    /// Reads one annotation line (already trimmed).
    fn annotate(&mut self, line: &'a str, line_no: usize, kind: ListKind<'_>) {
        if self.error.is_some() {
            return;
        }
        if let Err(what) = self.try_annotate(line, kind) {
            self.error = Some(format!("line {line_no}: {what}: {:?}", clip(line)));
        }
    }

    fn try_annotate(&mut self, line: &'a str, kind: ListKind<'_>) -> Result<(), &'static str> {
        let cve_list = matches!(kind, ListKind::Cve);
        if line.starts_with('{') {
            let inner = line
                .strip_prefix('{')
                .and_then(|l| l.strip_suffix('}'))
                .ok_or("unclosed cross-reference")?;
            for id in inner.split_whitespace() {
                if !is_xref(id) {
                    return Err("invalid cross-reference");
                }
                if id != self.id && !self.aliases.iter().any(|a| a == id) {
                    self.aliases.push(id.to_string());
                }
            }
            return Ok(());
        }
        if line.starts_with('[') || line.starts_with('-') {
            let package_line = PackageLine::parse(line)?;
            if !cve_list && package_line.release.is_none() {
                return Err("package line without a release");
            }
            if self.first_bug.is_none() {
                self.first_bug = package_line.bug;
            }
            if let Some(affected) = package_line.affected() {
                self.affected.push(affected);
            }
            return Ok(());
        }
        if let Some(note) = line.strip_prefix("NOTE:") {
            // The old spellings of RESERVED/REJECTED (bugs.py accepts them).
            match note.trim() {
                "reserved" if cve_list => self.reserved = true,
                "rejected" if cve_list => self.rejected = true,
                _ => {}
            }
            return Ok(());
        }
        if line.starts_with("TODO:") {
            return Ok(());
        }
        if cve_list {
            match line {
                "RESERVED" => self.reserved = true,
                "REJECTED" => self.rejected = true,
                _ if line.starts_with("NOT-FOR-US:") => self.not_for_us = true,
                _ => return Err("unknown annotation"),
            }
            return Ok(());
        }
        Err("unknown annotation")
    }

    /// Adds the advisory (or counts the skip) to `parsed`.
    fn finish(self, kind: ListKind<'_>, parsed: &mut Parsed) {
        if let Some(error) = self.error {
            let name = if self.id.is_empty() {
                format!("line {}", self.line)
            } else {
                format!("{} (line {})", self.id, self.line)
            };
            parsed.skip(format!("{name}: {error}"));
            return;
        }
        let source = match kind {
            ListKind::Cve => {
                if self.rejected || self.not_for_us || self.affected.is_empty() {
                    return;
                }
                SOURCE_CVE_LIST
            }
            ListKind::Advisories { source } => source,
        };
        let id = if self.id.ends_with("-XXXX") {
            temp_name(self.first_bug.unwrap_or(0), self.title)
        } else {
            self.id.to_string()
        };
        let mut seen = HashSet::new();
        let aliases = self
            .aliases
            .into_iter()
            .filter(|a| *a != id && seen.insert(a.clone()))
            .collect();
        parsed.advisories.push(Advisory {
            id,
            aliases,
            source: source.to_string(),
            summary: summary_of(self.title),
            published: self.published,
            affected: self.affected,
            ..Advisory::default()
        });
    }
}

/// `[release] - package version-or-<kind> (annotations)`.
struct PackageLine<'a> {
    release: Option<&'a str>,
    package: &'a str,
    verdict: Verdict<'a>,
    severity: Option<String>,
    bug: Option<u64>,
}

enum Verdict<'a> {
    Fixed(&'a str),
    /// `<kind>` with its free text (`<no-dsa> (Minor issue)`).
    Pseudo(&'a str, Option<&'a str>),
    /// No version at all: unfixed.
    NoVersion,
}

/// `<kind>`s whose parenthesis is free text, not `urgency; bug #N` annotations.
const FREE_TEXT_KINDS: &[&str] = &[
    "no-dsa",
    "not-affected",
    "end-of-life",
    "ignored",
    "postponed",
];
const STRUCTURED_KINDS: &[&str] = &["unfixed", "removed", "itp", "undetermined"];

impl<'a> PackageLine<'a> {
    fn parse(line: &'a str) -> Result<PackageLine<'a>, &'static str> {
        let (release, rest) = match line.strip_prefix('[') {
            Some(rest) => {
                let (release, rest) = rest.split_once(']').ok_or("unclosed release")?;
                if !is_release(release) {
                    return Err("invalid release");
                }
                (Some(release), rest.trim_start())
            }
            None => (None, line),
        };
        let rest = rest.strip_prefix('-').ok_or("expected '- package'")?;
        if !rest.starts_with([' ', '\t']) {
            return Err("expected '- package'");
        }
        let (package, rest) = split_word(rest.trim_start());
        if package.is_empty() || !package.chars().all(is_package_char) {
            return Err("invalid package name");
        }
        let rest = rest.trim();
        let (verdict, annotations) = if let Some(pseudo) = rest.strip_prefix('<') {
            let (kind, after) = pseudo.split_once('>').ok_or("unclosed <kind>")?;
            let inner = parenthesis(after.trim())?;
            if FREE_TEXT_KINDS.contains(&kind) {
                (Verdict::Pseudo(kind, inner), None)
            } else if STRUCTURED_KINDS.contains(&kind) {
                (Verdict::Pseudo(kind, None), inner)
            } else {
                return Err("unknown <kind>");
            }
        } else if rest.is_empty() || rest.starts_with('(') {
            (Verdict::NoVersion, parenthesis(rest)?)
        } else {
            let (version, after) = split_word(rest);
            if !version.chars().all(is_version_char) {
                return Err("invalid version");
            }
            (Verdict::Fixed(version), parenthesis(after.trim())?)
        };
        let mut severity = None;
        let mut bug = None;
        for part in annotations.unwrap_or("").split(';').map(str::trim) {
            if part.is_empty() || part == "bug filed" {
                continue;
            }
            if let Some(number) = part.strip_prefix("bug #") {
                let number: u64 = number.parse().map_err(|_| "invalid bug number")?;
                bug = bug.or(Some(number));
            } else if is_urgency(part) {
                severity = severity.or_else(|| severity_of(part));
            } else {
                return Err("unknown package annotation");
            }
        }
        Ok(PackageLine {
            release,
            package,
            verdict,
            severity,
            bug,
        })
    }

    /// The verdict in our model; `None` for `<removed>` and `<itp>` (no package to match).
    fn affected(self) -> Option<Affected> {
        let mut affected = Affected {
            ecosystem: ecosystem::debian(self.release.unwrap_or("sid")),
            package: self.package.to_string(),
            status: Status::Unfixed,
            ranges: Vec::new(),
            versions: Vec::new(),
            severity: self.severity,
            note: None,
        };
        match self.verdict {
            Verdict::Fixed("0") => affected.status = Status::NotAffected,
            Verdict::Fixed(version) => {
                affected.status = Status::Affected;
                affected.ranges.push(fixed_range(version));
            }
            Verdict::NoVersion | Verdict::Pseudo("unfixed", _) => {}
            Verdict::Pseudo("undetermined", _) => affected.note = Some("undetermined".to_string()),
            Verdict::Pseudo(kind, text) => {
                affected.status = match kind {
                    "no-dsa" => Status::NoDsa,
                    "ignored" => Status::Ignored,
                    "postponed" => Status::Postponed,
                    "end-of-life" => Status::EndOfLife,
                    "not-affected" => Status::NotAffected,
                    _ => return None, // removed, itp
                };
                affected.note = Some(tagged_note(kind, text.unwrap_or("")));
            }
        }
        Some(affected)
    }
}

/// `(text)` → `Some(text)`, `` → `None`; anything else is malformed.
fn parenthesis(text: &str) -> Result<Option<&str>, &'static str> {
    if text.is_empty() {
        return Ok(None);
    }
    text.strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .map(|t| Some(t.trim()))
        .ok_or("text after the version outside parentheses")
}

/// The first whitespace-separated word and the rest.
fn split_word(text: &str) -> (&str, &str) {
    match text.find([' ', '\t']) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

fn is_urgency(word: &str) -> bool {
    matches!(
        word.trim_end_matches('*'),
        "unimportant" | "low" | "medium" | "high" | "end-of-life" | "not yet assigned"
    )
}

fn is_package_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-')
}

fn is_version_char(c: char) -> bool {
    is_package_char(c) || c == '~'
}

fn is_release(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `CVE-2024-1234`, `CVE-2023-XXXX`, `TEMP-0000000-1A2B3C`.
fn is_cve_list_id(id: &str) -> bool {
    if let Some(rest) = id.strip_prefix("CVE-") {
        let Some((year, number)) = rest.split_once('-') else {
            return false;
        };
        return year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && (number == "XXXX"
                || (number.len() >= 4
                    && number.len() <= 12
                    && number.bytes().all(|b| b.is_ascii_digit())));
    }
    if let Some(rest) = id.strip_prefix("TEMP-") {
        return rest
            .split_once('-')
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && id.len() <= 64;
    }
    false
}

/// `DSA-5380-1`, `DSA-1304`, `DLA-3380-1`, `DTSA-26-1`.
fn is_advisory_id(id: &str) -> bool {
    let Some((prefix, numbers)) = id.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.len() <= 10
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && id.len() <= 40
        && numbers
            .split('-')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && numbers.split('-').count() <= 2
}

/// A `{…}` cross-reference: an id of letters, digits, `-` and `#` (`VU#123456`).
fn is_xref(id: &str) -> bool {
    id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '#')
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `29 Mar 2023` or `December 5th, 2005` → `2023-03-29`, `2005-12-05`.
fn iso_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (day, month, year) = match words.as_slice() {
        [day, month, year] if month.len() == 3 => (*day, *month, *year),
        [month, day, year] => (
            day.trim_end_matches(',')
                .trim_end_matches(|c: char| c.is_ascii_alphabetic()),
            *month,
            *year,
        ),
        _ => return None,
    };
    let month = MONTHS
        .iter()
        .position(|m| *m == month || (month.len() == 3 && m.starts_with(month)))?
        + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: u32 = year.parse().ok().filter(|y| (1990..=9999).contains(y))?;
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// The tracker's name for a `CVE-YYYY-XXXX` entry (`bugs.py` `temp_bug_name`): the first Debian
/// bug number and the first six hex digits of the MD5 of the description.
fn temp_name(bug: u64, description: &str) -> String {
    let digest = md5::digest(description.as_bytes());
    format!(
        "TEMP-{bug:07}-{:02X}{:02X}{:02X}",
        digest[0], digest[1], digest[2]
    )
}

/// MD5 (RFC 1321), only to name TEMP entries the way the tracker does.
mod md5 {
    const SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];

    pub fn digest(data: &[u8]) -> [u8; 16] {
        let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
        let mut message = data.to_vec();
        let bit_len = (data.len() as u64).wrapping_mul(8);
        message.push(0x80);
        while message.len() % 64 != 56 {
            message.push(0);
        }
        message.extend_from_slice(&bit_len.to_le_bytes());
        for block in message.chunks_exact(64) {
            let mut words = [0u32; 16];
            for (word, bytes) in words.iter_mut().zip(block.chunks_exact(4)) {
                *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
            let [mut a, mut b, mut c, mut d] = state;
            for i in 0..64 {
                let (f, g) = match i / 16 {
                    0 => ((b & c) | (!b & d), i),
                    1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                    2 => (b ^ c ^ d, (3 * i + 5) % 16),
                    _ => (c ^ (b | !d), (7 * i) % 16),
                };
                let shift = SHIFTS[(i / 16) * 4 + i % 4];
                let sum = a.wrapping_add(f).wrapping_add(K[i]).wrapping_add(words[g]);
                a = d;
                d = c;
                c = b;
                b = b.wrapping_add(sum.rotate_left(shift));
            }
            for (s, v) in state.iter_mut().zip([a, b, c, d]) {
                *s = s.wrapping_add(v);
            }
        }
        let mut out = [0u8; 16];
        for (chunk, s) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&s.to_le_bytes());
        }
        out
    }

    #[cfg(test)]
    mod tests {
        fn hex(d: [u8; 16]) -> String {
            d.iter().map(|b| format!("{b:02x}")).collect()
        }

        #[test]
        fn rfc1321_vectors() {
            assert_eq!(hex(super::digest(b"")), "d41d8cd98f00b204e9800998ecf8427e");
            assert_eq!(
                hex(super::digest(b"abc")),
                "900150983cd24fb0d6963f7d28e17f72"
            );
            let long =
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890";
            assert_eq!(hex(super::digest(long)), "57edf4a22be3c955ac49da2e2107b67a");
        }
    }
}
