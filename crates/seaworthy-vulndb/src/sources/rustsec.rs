//! RustSec advisory-db in its native format: `crates/<crate>/RUSTSEC-YYYY-NNNN.md`, a TOML front
//! matter in a ```` ```toml ```` fence followed by Markdown (`# Title`, description). Read from a
//! `.tar.gz` of the repository; member paths only name advisories, nothing is written to disk.

use rayon::prelude::*;
use serde::Deserialize;

use crate::ecosystem;
use crate::model::{Advisory, Affected, Range, Rating, RatingKind, ReqSyntax, Status};
use crate::sources::{FeedError, Parsed, tarball};

/// Source name of advisories read here.
pub const SOURCE: &str = "rustsec";
/// Ecosystem key of every RustSec advisory.
pub const ECOSYSTEM: &str = "crates.io";
/// Largest advisory file; a larger one is skipped.
pub const MAX_ADVISORY_BYTES: u64 = tarball::MAX_MEMBER_BYTES;
/// References kept per advisory.
pub const MAX_REFERENCES: usize = 20;
/// Characters kept of the title.
const MAX_TITLE_CHARS: usize = 300;

/// Parses one advisory file. `Ok(None)` for informational advisories (`unmaintained`,
/// `unsound`, `notice`): they are not vulnerabilities.
pub fn parse_advisory(text: &str, file: &str) -> Result<Option<Advisory>, FeedError> {
    let bad = |what: String| FeedError::new(file, what);
    let (front, body) = split_front_matter(text).ok_or_else(|| {
        bad("no ```toml front matter (the file must start with a ```toml fence)".into())
    })?;
    let front: FrontMatter = toml::from_str(front).map_err(|e| {
        // Line numbers count the opening fence as line 1.
        let line = e
            .span()
            .and_then(|span| front.get(..span.start))
            .map_or(0, |before| before.matches('\n').count() + 2);
        bad(format!("front matter line {line}: {}", e.message().trim()))
    })?;
    let meta = front.advisory;
    if meta
        .informational
        .as_deref()
        .is_some_and(|i| !i.trim().is_empty())
    {
        return Ok(None);
    }
    let id = meta.id.trim().to_string();
    let package = ecosystem::normalize_name(ECOSYSTEM, &meta.package);
    if id.is_empty() || package.is_empty() {
        return Err(bad("advisory without id or package".into()));
    }

    let mut aliases: Vec<String> = meta
        .aliases
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty() && *a != id)
        .collect();
    aliases.sort();
    aliases.dedup();

    let ratings = meta
        .cvss
        .as_deref()
        .map(str::trim)
        .and_then(|vector| {
            let kind = if vector.starts_with("CVSS:4") {
                RatingKind::CvssV4
            } else if vector.starts_with("CVSS:3") {
                RatingKind::CvssV3
            } else {
                return None;
            };
            Some(Rating {
                kind,
                value: vector.to_string(),
                by: None,
            })
        })
        .into_iter()
        .collect();

    let mut references: Vec<String> = Vec::new();
    for url in meta.url.into_iter().chain(meta.references) {
        let url = url.trim();
        if !url.is_empty() && !references.iter().any(|r| r == url) {
            references.push(url.to_string());
            if references.len() == MAX_REFERENCES {
                break;
            }
        }
    }

    let unaffected: Vec<String> = front
        .versions
        .patched
        .into_iter()
        .chain(front.versions.unaffected)
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let platforms = front.affected.map(|a| a.platforms()).unwrap_or_default();

    Ok(Some(Advisory {
        id,
        aliases,
        related: meta.related,
        source: SOURCE.to_string(),
        summary: title(body),
        published: meta.date.and_then(toml_text),
        modified: None,
        withdrawn: meta.withdrawn.and_then(toml_text),
        ratings,
        references,
        affected: vec![Affected {
            ecosystem: ECOSYSTEM.to_string(),
            package,
            status: Status::Affected,
            ranges: vec![Range::Requirements {
                syntax: ReqSyntax::Cargo,
                affected: Vec::new(),
                unaffected,
            }],
            versions: Vec::new(),
            severity: None,
            note: (!platforms.is_empty()).then_some(platforms),
        }],
    }))
}

/// Parses a `.tar.gz` of advisory-db: every `…/crates/<crate>/RUSTSEC-*.md` member. Other members
/// are ignored; unreadable advisories are skipped and counted. A damaged or truncated archive is
/// an error for the whole file.
pub fn parse_tar_gz(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut texts: Vec<(String, String)> = Vec::new();
    tarball::for_each_member(
        bytes,
        file,
        "crates/<crate>/RUSTSEC-*.md advisories",
        |parts| advisory_name(parts).is_some(),
        |parts, data| {
            let name = advisory_name(parts).unwrap_or_default();
            match data.map(String::from_utf8) {
                Ok(Ok(text)) => texts.push((name, text)),
                Ok(Err(_)) => parsed.skip(format!("{name}: not UTF-8")),
                Err(why) => parsed.skip(format!("{name}: {why}")),
            }
        },
    )?;
    let results: Vec<Result<Option<Advisory>, FeedError>> = texts
        .par_iter()
        .map(|(name, text)| parse_advisory(text, name))
        .collect();
    for result in results {
        match result {
            Ok(Some(advisory)) => parsed.advisories.push(advisory),
            Ok(None) => {}
            Err(e) => parsed.skip(e.to_string()),
        }
    }
    Ok(parsed)
}

/// `crates/<crate>/RUSTSEC-….md` when `path` is an advisory of advisory-db (at any prefix, such as
/// the `advisory-db-main/` of a GitHub tarball).
fn advisory_name(parts: &[&str]) -> Option<String> {
    let [.., dir, krate, file] = parts else {
        return None;
    };
    let wanted = *dir == "crates"
        && !krate.starts_with('.')
        && file.starts_with("RUSTSEC-")
        && file.ends_with(".md");
    wanted.then(|| format!("crates/{krate}/{file}"))
}

/// The TOML between the opening ```` ```toml ```` fence and its closing fence, and the Markdown
/// after it.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let rest = text.strip_prefix("```toml")?;
    let (first, rest) = rest.split_once('\n')?;
    if !first.trim().is_empty() {
        return None;
    }
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim() == "```" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// The first `# Title` line of the Markdown.
fn title(body: &str) -> Option<String> {
    let line = body
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))?
        .trim();
    if line.is_empty() {
        return None;
    }
    Some(match line.char_indices().nth(MAX_TITLE_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line.to_string(),
    })
}

/// A date written as a string (`"2020-05-19"`) or a TOML date literal.
fn toml_text(value: toml::Value) -> Option<String> {
    let text = match value {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) => d.to_string(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[derive(Debug, Deserialize)]
struct FrontMatter {
    advisory: Meta,
    #[serde(default)]
    versions: Versions,
    affected: Option<AffectedMeta>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    id: String,
    package: String,
    date: Option<toml::Value>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    cvss: Option<String>,
    withdrawn: Option<toml::Value>,
    informational: Option<String>,
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// `[affected]`: platforms the advisory is limited to (functions are not used).
#[derive(Debug, Deserialize)]
struct AffectedMeta {
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    arch: Vec<String>,
}

impl AffectedMeta {
    /// `only on os: windows; arch: x86`, or empty when not limited.
    fn platforms(&self) -> String {
        let mut parts = Vec::new();
        if !self.os.is_empty() {
            parts.push(format!("os: {}", self.os.join(", ")));
        }
        if !self.arch.is_empty() {
            parts.push(format!("arch: {}", self.arch.join(", ")));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("only on {}", parts.join("; "))
        }
    }
}
