//! Alpine secdb (`https://secdb.alpinelinux.org/v3.N/main.json`): per branch and repository,
//! each origin package's `secfixes`, a map from the version that fixed something to the ids it
//! fixed. Version `0` means the branch was never affected.
//!
//! Wolfi (`https://packages.wolfi.dev/os/security.json`) and Chainguard
//! (`https://packages.cgr.dev/chainguard/security.json`) publish the same shape for their one
//! rolling release, without `distroversion`; the file tells whose it is by `urlprefix`,
//! `reponame` and `apkurl` (see [`Distro::of`]).
//!
//! The id strings are hand-written in APKBUILDs and vary: several ids in one string
//! (`CVE-2016-10013 XSA-204`), comments (`CVE-2017-16808 (AoE)`), suffixes
//! (`CVE-2017-17434-1`, `CVE-2017-8073.patch`), placeholders (`CVE-????-?????`). Each string
//! gives the ids that can be read from it; the rest is dropped.

use std::collections::HashMap;

use serde_json::Value;

use super::{FeedError, Parsed};
use crate::ecosystem;
use crate::model::{Advisory, Affected, Event, Range, Status};

/// Source name of the Alpine advisories this parser returns.
pub const SOURCE: &str = "alpine-secdb";

/// Longest package name, version or id accepted.
const MAX_NAME: usize = 200;

/// Whose secdb a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distro {
    /// One file per branch and repository (`distroversion`).
    Alpine,
    /// Wolfi's one rolling release (ecosystem key `wolfi`).
    Wolfi,
    /// Chainguard's one rolling release (ecosystem key `chainguard`).
    Chainguard,
}

impl Distro {
    /// The source name its advisories carry.
    pub fn source(self) -> &'static str {
        match self {
            Distro::Alpine => SOURCE,
            Distro::Wolfi => "wolfi-secdb",
            Distro::Chainguard => "chainguard-secdb",
        }
    }

    /// Wolfi or Chainguard, as a file's `urlprefix`, `reponame` and `apkurl` tell it
    /// (`https://packages.wolfi.dev` with repository `os`; `https://packages.cgr.dev` with
    /// repository `chainguard`); `None` when they say neither (Alpine's files carry none of them).
    pub fn of(
        urlprefix: Option<&str>,
        reponame: Option<&str>,
        apkurl: Option<&str>,
    ) -> Option<Distro> {
        let has = |v: Option<&str>, needle: &str| {
            v.is_some_and(|v| v.to_ascii_lowercase().contains(needle))
        };
        if has(urlprefix, "wolfi.dev") {
            Some(Distro::Wolfi)
        } else if has(urlprefix, "cgr.dev") || has(urlprefix, "chainguard") {
            Some(Distro::Chainguard)
        } else if reponame.is_some_and(|r| r.trim().eq_ignore_ascii_case("wolfi")) {
            Some(Distro::Wolfi)
        } else if reponame.is_some_and(|r| r.trim().eq_ignore_ascii_case("chainguard")) {
            Some(Distro::Chainguard)
        } else if has(apkurl, "wolfi") {
            Some(Distro::Wolfi)
        } else if has(apkurl, "chainguard") || has(apkurl, "cgr.dev") {
            Some(Distro::Chainguard)
        } else {
            None
        }
    }

    /// The same tells read from the first bytes of a file (the top-level keys come before
    /// `packages` in every published file).
    pub fn sniff(head: &str) -> Option<Distro> {
        Distro::of(
            string_value(head, "urlprefix"),
            string_value(head, "reponame"),
            string_value(head, "apkurl"),
        )
    }
}

/// The string value of the first `"key": "value"` in `text` (no escapes), for sniffing.
fn string_value<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let at = text.find(&format!("\"{key}\""))?;
    let rest = text[at + key.len() + 2..].trim_start().strip_prefix(':')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(&rest[..end])
}

/// Reads one secdb file: one advisory per id, one [`Affected`] per (package, fixed version).
/// Whose file it is comes from the file itself (see [`parse_as`]).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    parse_as(bytes, file, None)
}

/// Reads one secdb file as `distro`'s when given (a file downloaded from Wolfi's URL is
/// Wolfi's), else as the file tells: Wolfi or Chainguard by [`Distro::of`], Alpine's branch by
/// `distroversion`.
pub fn parse_as(bytes: &[u8], file: &str, distro: Option<Distro>) -> Result<Parsed, FeedError> {
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(file, format!("invalid secdb JSON: {e}")))?;
    let Value::Object(top) = doc else {
        return Err(FeedError::new(file, "secdb JSON is not an object"));
    };
    let text = |key: &str| top.get(key).and_then(Value::as_str);
    let distro = distro.or_else(|| Distro::of(text("urlprefix"), text("reponame"), text("apkurl")));
    let ecosystem = match distro {
        Some(Distro::Wolfi) => ecosystem::WOLFI.to_string(),
        Some(Distro::Chainguard) => ecosystem::CHAINGUARD.to_string(),
        Some(Distro::Alpine) | None => {
            let branch = text("distroversion")
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= MAX_NAME)
                .ok_or_else(|| {
                    FeedError::new(
                        file,
                        "no distroversion (an Alpine secdb names its branch; a Wolfi or \
                         Chainguard one its urlprefix)",
                    )
                })?;
            ecosystem::alpine(branch)
        }
    };
    let source = distro.unwrap_or(Distro::Alpine).source();
    let packages = match top.get("packages") {
        Some(Value::Array(packages)) => packages.as_slice(),
        // An empty repository is written as `null`.
        None | Some(Value::Null) => &[],
        Some(_) => return Err(FeedError::new(file, "packages is not an array")),
    };
    let mut builder = Builder {
        ecosystem,
        source,
        parsed: Parsed::default(),
        by_id: HashMap::new(),
    };
    for (index, package) in packages.iter().enumerate() {
        if let Err(what) = builder.add_package(package) {
            builder.parsed.skip(format!("packages[{index}]: {what}"));
        }
    }
    Ok(builder.parsed)
}

struct Builder {
    ecosystem: String,
    source: &'static str,
    parsed: Parsed,
    by_id: HashMap<String, usize>,
}

impl Builder {
    fn add_package(&mut self, package: &Value) -> Result<(), String> {
        let pkg = package.get("pkg").ok_or("no pkg object")?;
        let name = pkg
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= MAX_NAME && !n.contains(char::is_whitespace))
            .ok_or("no valid package name")?;
        let secfixes = match pkg.get("secfixes") {
            Some(Value::Object(map)) => map,
            None | Some(Value::Null) => return Ok(()),
            Some(_) => return Err(format!("{name}: secfixes is not an object")),
        };
        for (version, ids) in secfixes {
            let version = version.trim();
            if version.is_empty() || version.len() > MAX_NAME {
                self.parsed
                    .skip(format!("{name}: invalid version {version:?}"));
                continue;
            }
            let strings: Vec<&str> = match ids {
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                Value::String(one) => vec![one.as_str()],
                // `"7.4.0-r0": null` occurs (heimdal in v3.6): nothing listed.
                _ => Vec::new(),
            };
            for text in strings {
                let ids = ids_in(text);
                if ids.is_empty() {
                    self.parsed.skip(format!(
                        "{name} {version}: no advisory id in {:?}",
                        text.chars().take(60).collect::<String>()
                    ));
                    continue;
                }
                self.add_ids(name, version, &ids);
            }
        }
        Ok(())
    }

    /// Records that `version` of `package` fixed the vulnerability named by `ids`.
    fn add_ids(&mut self, package: &str, version: &str, ids: &[String]) {
        let cves: Vec<&String> = ids.iter().filter(|i| i.starts_with("CVE-")).collect();
        for id in ids {
            // Ids written together name one vulnerability: a CVE takes the project's own ids
            // (XSA-…) as aliases when it is the only CVE; a project id takes every CVE.
            let aliases: Vec<&String> = if id.starts_with("CVE-") {
                if cves.len() == 1 {
                    ids.iter().filter(|i| *i != id).collect()
                } else {
                    Vec::new()
                }
            } else {
                cves.clone()
            };
            let affected = affected(&self.ecosystem, package, version);
            let advisory = self.advisory(id);
            for alias in aliases {
                if !advisory.aliases.contains(alias) {
                    advisory.aliases.push(alias.clone());
                }
            }
            // `CVE-2017-17434-1` and `-2` name the same CVE twice.
            if !advisory.affected.contains(&affected) {
                advisory.affected.push(affected);
            }
        }
    }

    fn advisory(&mut self, id: &str) -> &mut Advisory {
        let index = match self.by_id.get(id) {
            Some(&i) => i,
            None => {
                self.parsed.advisories.push(Advisory {
                    id: id.to_string(),
                    source: self.source.to_string(),
                    ..Advisory::default()
                });
                let i = self.parsed.advisories.len() - 1;
                self.by_id.insert(id.to_string(), i);
                i
            }
        };
        &mut self.parsed.advisories[index]
    }
}

fn affected(ecosystem: &str, package: &str, version: &str) -> Affected {
    let (status, ranges) = if version == "0" {
        (Status::NotAffected, Vec::new())
    } else {
        let events = vec![
            Event::Introduced("0".to_string()),
            Event::Fixed(version.to_string()),
        ];
        let range = Range::Events {
            semver: false,
            events,
        };
        (Status::Affected, vec![range])
    };
    Affected {
        ecosystem: ecosystem.to_string(),
        package: package.to_string(),
        status,
        ranges,
        versions: Vec::new(),
        severity: None,
        note: None,
    }
}

/// The advisory ids in one secfixes string, in order, without duplicates. Reading stops at a
/// parenthesised comment.
fn ids_in(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word.starts_with('(') {
            break;
        }
        let id = if word == "CVE" {
            // `CVE 2018-16859`
            match words.peek() {
                Some(next) => cve_id(&format!("CVE-{next}")).inspect(|_| {
                    words.next();
                }),
                None => None,
            }
        } else if word.starts_with("CVE") {
            cve_id(word)
        } else {
            other_id(word)
        };
        if let Some(id) = id
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

/// `CVE-2019-1234` from `CVE-2019-1234`, `CVE_2019-1234`, `CVE-2017-17434-1`,
/// `CVE-2017-8073.patch`; `None` for placeholders like `CVE-????-?????`.
fn cve_id(word: &str) -> Option<String> {
    let rest = word
        .strip_prefix("CVE-")
        .or_else(|| word.strip_prefix("CVE_"))?;
    let year = rest
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?;
    let number_part = rest.get(4..)?.strip_prefix('-')?;
    let digits = number_part.bytes().take_while(u8::is_ascii_digit).count();
    if !(4..=12).contains(&digits) {
        return None;
    }
    // What follows the number must not continue it (`-1`, `.patch` and `,` are fine).
    let after = &number_part[digits..];
    if after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(format!("CVE-{year}-{}", &number_part[..digits]))
}

/// Another project's id (`XSA-204`, `GHSA-xxxx-xxxx-xxxx`, `TALOS-2017-0488`, `ZBX-11023`,
/// `wnpa-sec-2017-18`): letters first, then letters, digits and dashes, with at least one dash
/// and a digit. Trailing punctuation (`,` `;` `.`) is dropped.
fn other_id(word: &str) -> Option<String> {
    let word = word.trim_end_matches([',', ';', '.', ':']);
    let valid = word.len() <= 64
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.contains('-')
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !word.ends_with('-');
    valid.then(|| word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_from_hand_written_strings() {
        assert_eq!(
            ids_in("CVE-2016-10013 XSA-204"),
            ["CVE-2016-10013", "XSA-204"]
        );
        assert_eq!(
            ids_in("CVE-2017-1000159 (fixed upstream)"),
            ["CVE-2017-1000159"]
        );
        assert_eq!(ids_in("CVE-????-?????  XSA-284"), ["XSA-284"]);
        assert_eq!(ids_in("CVE 2018-16859"), ["CVE-2018-16859"]);
        assert_eq!(ids_in("CVE_2019-2426"), ["CVE-2019-2426"]);
        assert_eq!(ids_in("CVE-2017-8073.patch"), ["CVE-2017-8073"]);
        assert_eq!(ids_in("CVE-2017-17434-1"), ["CVE-2017-17434"]);
        assert_eq!(
            ids_in("CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI"),
            ["CVE-2017-5753", "CVE-2017-5715", "CVE-2017-5754", "XSA-254"]
        );
        assert_eq!(ids_in("wnpa-sec-2017-18"), ["wnpa-sec-2017-18"]);
        assert_eq!(ids_in("GHSA-c3h9-896r-86jm"), ["GHSA-c3h9-896r-86jm"]);
        assert!(ids_in("fixed upstream").is_empty());
        assert!(ids_in("CVE-2019-12ab").is_empty());
    }

    #[test]
    fn wolfi_and_chainguard_tell_themselves() {
        let wolfi = r#"{"apkurl": "{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
            "archs": ["x86_64", "aarch64"], "reponame": "os", "urlprefix": "https://packages.wolfi.dev","#;
        assert_eq!(Distro::sniff(wolfi), Some(Distro::Wolfi));
        let cg =
            r#"{"apkurl": "x", "reponame": "chainguard", "urlprefix": "https://packages.cgr.dev""#;
        assert_eq!(Distro::sniff(cg), Some(Distro::Chainguard));
        assert_eq!(
            Distro::sniff(r#"{"distroversion": "v3.20", "reponame": "main""#),
            None
        );
        assert_eq!(
            Distro::of(None, Some("wolfi"), None),
            Some(Distro::Wolfi),
            "reponame alone"
        );
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_wolfi_file_is_keyed_wolfi_and_a_stray_distroversion_does_not_make_it_alpine() {
        let doc = br#"{"urlprefix": "https://packages.wolfi.dev", "reponame": "os",
            "distroversion": "v3.19",
            "packages": [{"pkg": {"name": "ascan", "secfixes": {"2.7.2-r1": ["CVE-2026-55093"]}}}]}"#;
        let parsed = parse(doc, "security.json").unwrap();
        assert_eq!(parsed.advisories.len(), 1);
        let a = &parsed.advisories[0];
        assert_eq!(a.source, "wolfi-secdb");
        assert_eq!(a.affected[0].ecosystem, "wolfi");
        // A file named by its URL keeps the distribution it was downloaded as.
        let bare =
            br#"{"packages": [{"pkg": {"name": "x", "secfixes": {"1-r1": ["CVE-2024-0001"]}}}]}"#;
        let parsed = parse_as(bare, "security.json", Some(Distro::Chainguard)).unwrap();
        assert_eq!(parsed.advisories[0].affected[0].ecosystem, "chainguard");
        assert!(parse(bare, "security.json").is_err());
    }
}
