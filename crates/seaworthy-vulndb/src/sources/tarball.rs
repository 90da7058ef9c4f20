//! Reading advisory repositories shipped as `.tar.gz` (a GitHub tarball or a packed checkout):
//! bounded member sizes, member counts and total size; member paths are only used as names.

use std::io::{self, Read};

use flate2::read::GzDecoder;

use super::FeedError;
use crate::model::Advisory;

/// Largest archive member read (one advisory file).
pub(crate) const MAX_MEMBER_BYTES: u64 = 1 << 20;
/// Most archive members (files, directories, headers) accepted.
pub(crate) const MAX_MEMBERS: usize = 200_000;
/// Most uncompressed bytes read from one archive.
pub(crate) const MAX_TOTAL_BYTES: u64 = 512 << 20;
/// Deepest member path considered.
const MAX_DEPTH: usize = 16;

/// A reader that fails once more than `left` bytes were asked for (a gzip bomb stops here).
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::other(format!(
                "more than {} MiB uncompressed",
                MAX_TOTAL_BYTES >> 20
            ))
        })?;
        Ok(n)
    }
}

/// Calls `visit` with the path components and contents of every regular file for which
/// `want(components)` is true. A member over [`MAX_MEMBER_BYTES`] is passed as `Err`; a
/// truncated or corrupt archive, or one without any wanted member (`expected` names them), is
/// an error for the whole file.
pub(crate) fn for_each_member(
    bytes: &[u8],
    file: &str,
    expected: &str,
    mut want: impl FnMut(&[&str]) -> bool,
    mut visit: impl FnMut(&[&str], Result<Vec<u8>, String>),
) -> Result<(), FeedError> {
    if bytes.is_empty() {
        return Err(FeedError::new(file, "empty file"));
    }
    let mut wanted = 0usize;
    let broken = |e: io::Error| FeedError::new(file, format!("broken .tar.gz: {e}"));
    let reader = Capped {
        inner: GzDecoder::new(bytes),
        left: MAX_TOTAL_BYTES,
    };
    let mut archive = tar::Archive::new(reader);
    let mut members = 0usize;
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        members += 1;
        if members > MAX_MEMBERS {
            return Err(FeedError::new(
                file,
                format!("more than {MAX_MEMBERS} archive members"),
            ));
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let Some(components) = components(&raw) else {
            continue;
        };
        if !want(&components) {
            continue;
        }
        wanted += 1;
        let size = entry.header().size().map_err(broken)?;
        if size > MAX_MEMBER_BYTES {
            visit(
                &components,
                Err(format!("larger than {} KiB", MAX_MEMBER_BYTES >> 10)),
            );
            continue;
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut entry)
            .take(MAX_MEMBER_BYTES)
            .read_to_end(&mut data)
            .map_err(broken)?;
        visit(&components, Ok(data));
    }
    // Read what follows the end-of-archive blocks so that gzip checks its length and CRC.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(broken)?;
    if wanted == 0 {
        return Err(FeedError::new(
            file,
            format!("no {expected} in the archive"),
        ));
    }
    Ok(())
}

/// The `/`-separated, UTF-8 components of a member path; `None` for paths that are absolute,
/// climb (`..`), are too deep or are not UTF-8.
fn components(raw: &[u8]) -> Option<Vec<&str>> {
    let text = std::str::from_utf8(raw).ok()?;
    if text.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = text
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.len() > MAX_DEPTH || parts.contains(&"..") {
        return None;
    }
    Some(parts)
}

/// The file name without its extension (`CVE-2020-8164.yml` → `CVE-2020-8164`).
pub(crate) fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// Joins advisories that share an id (one CVE filed for several packages) into one with all
/// their affected packages, and sorts the result by id.
pub(crate) fn merge_by_id(advisories: Vec<Advisory>) -> Vec<Advisory> {
    let mut merged: Vec<Advisory> = Vec::with_capacity(advisories.len());
    let mut index = std::collections::HashMap::new();
    for adv in advisories {
        match index.get(&adv.id) {
            Some(&i) => {
                if let Some(into) = merged.get_mut(i) {
                    absorb(into, adv);
                }
            }
            None => {
                index.insert(adv.id.clone(), merged.len());
                merged.push(adv);
            }
        }
    }
    merged.sort_by(|a, b| a.id.cmp(&b.id));
    merged
}

fn absorb(into: &mut Advisory, from: Advisory) {
    fn extend_unique<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
        for item in from {
            if !into.contains(&item) {
                into.push(item);
            }
        }
    }
    extend_unique(&mut into.aliases, from.aliases);
    extend_unique(&mut into.references, from.references);
    extend_unique(&mut into.ratings, from.ratings);
    extend_unique(&mut into.affected, from.affected);
    into.summary = into.summary.take().or(from.summary);
    into.published = match (into.published.take(), from.published) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    into.modified = match (into.modified.take(), from.modified) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
}

/// YAML options for one advisory file: small budgets, since each file is one short record.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 16;
    budget.max_nodes = 50_000;
    budget.max_events = 200_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_documents = 2;
    budget.max_total_scalar_bytes = 4 << 20;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    options
}

/// The first line of a parser error (saphyr's messages carry a source snippet).
pub(crate) fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
