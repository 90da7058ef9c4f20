//! Python lockfiles: pip's `requirements*.txt` (exact `name==version` pins only), Poetry's
//! `poetry.lock` (`[[package]]` tables) and Pipenv's `Pipfile.lock` (`default` and `develop`,
//! `"version": "==X"`). Lockfiles inside a `site-packages` or `dist-packages` directory belong
//! to an installed distribution's own development and are not read. Names keep the spelling of
//! the file; purl names are normalised per PEP 503 (as for installed metadata). An entry that
//! should hold a package but cannot be read is skipped and noted (see [`Env::skip`]); a range,
//! a URL, an editable or a local path is no pinned release and is left out silently.

use std::collections::BTreeMap;

use seaworthy_oci::FileRef;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::json::{Capped, Text, expect_object, is_over_limit, with_max_items};
use super::python::normalize_name;
use crate::cataloger::{Cataloger, Env, check_count};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

/// Longest logical line (continuations joined) of a requirements file read; a longer one is
/// skipped and noted. Real ones, even with a dozen `--hash` options, stay under a few KiB.
const MAX_REQUIREMENT_LINE: usize = 64 * 1024;

/// The three Python lockfile catalogers: requirements files, `poetry.lock`, `Pipfile.lock`.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(RequirementsCataloger),
        Box::new(PoetryLockCataloger),
        Box::new(PipfileLockCataloger),
    ]
}

fn pypi_package(cataloger: &'static str, name: &str, version: &str) -> Package {
    Package::new(
        cataloger,
        Ecosystem::Pypi,
        name,
        version,
        purl("pypi", None, &normalize_name(name), version, &[]),
    )
}

/// The final component of a path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn inside_site_packages(path: &str) -> bool {
    ["site-packages/", "dist-packages/"]
        .iter()
        .any(|d| path.starts_with(d) || path.contains(&format!("/{d}")))
}

/// A distribution name as PEP 508 allows it: ASCII letters and digits, with `-`, `_` and `.`
/// inside.
fn is_name(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    name.starts_with(ok)
        && name.ends_with(ok)
        && name.chars().all(|c| ok(c) || matches!(c, '-' | '_' | '.'))
}

/// A single release a pin names: PEP 440 characters only, no wildcard (`==1.*` is a range).
fn is_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_alphanumeric())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '-' | '_'))
}

fn utf8(data: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(data).map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))
}

// ---------------------------------------------------------------------------------------------
// requirements*.txt

struct RequirementsCataloger;

impl Cataloger for RequirementsCataloger {
    fn name(&self) -> &'static str {
        "pip-requirements"
    }

    fn wants_path(&self, path: &str) -> bool {
        let name = file_name(path);
        name.starts_with("requirements") && name.ends_with(".txt") && !inside_site_packages(path)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = utf8(file.data)?;
        let mut out = Vec::new();
        for (n, line) in logical_lines(text) {
            if line.len() > MAX_REQUIREMENT_LINE {
                env.skip(format!(
                    "line {n}: longer than {MAX_REQUIREMENT_LINE} bytes"
                ));
                continue;
            }
            match requirement_pin(&line) {
                Pin::Exact(name, version) => {
                    out.push(pypi_package(self.name(), name, version));
                    env.check_count(out.len())?;
                }
                Pin::NotPinned => {}
                Pin::Malformed => env.skip(format!("line {n}: not a requirement")),
            }
        }
        Ok(out)
    }
}

/// Lines with `\`-continuations joined, each with its first line's number (1-based).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (number, mut line) = current
            .take()
            .unwrap_or((i.saturating_add(1), String::new()));
        // Past the bound the rest of a continued line is not kept: it is skipped anyway.
        if line.len() <= MAX_REQUIREMENT_LINE {
            line.push_str(raw.strip_suffix('\\').unwrap_or(raw));
        }
        if raw.ends_with('\\') {
            line.push(' ');
            current = Some((number, line));
        } else {
            out.push((number, line));
        }
    }
    out.extend(current);
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Pin<'a> {
    Exact(&'a str, &'a str),
    /// A comment, an option (`-r`, `-e`, `--index-url`), a URL or path, or a range.
    NotPinned,
    Malformed,
}

/// One logical line: `name[extras] == version` before any `;` marker, ` --option` or ` #`
/// comment.
fn requirement_pin(line: &str) -> Pin<'_> {
    // pip: a `#` at the start or after whitespace starts a comment.
    let line = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => line.get(..at).unwrap_or_default(),
        None => line,
    };
    let line = line.trim();
    if line.is_empty() || line.starts_with(['#', '-']) {
        return Pin::NotPinned;
    }
    let spec = line.split(';').next().unwrap_or_default();
    let spec = match spec.find(" -").or_else(|| spec.find("\t-")) {
        Some(at) => spec.get(..at).unwrap_or_default(),
        None => spec,
    }
    .trim();
    if spec.contains("://") || spec.contains('@') || spec.starts_with(['.', '/']) {
        return Pin::NotPinned;
    }
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let (name, rest) = spec.split_at(name_end);
    if !is_name(name) {
        return Pin::Malformed;
    }
    let mut rest = rest.trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        let Some((_, after)) = extras.split_once(']') else {
            return Pin::Malformed;
        };
        rest = after.trim_start();
    }
    if rest.is_empty() {
        return Pin::NotPinned;
    }
    let Some(version) = rest.strip_prefix("==") else {
        return if rest.starts_with(['<', '>', '!', '~', '=', '(']) {
            Pin::NotPinned
        } else {
            Pin::Malformed
        };
    };
    let version = version.trim();
    if version.starts_with('=') || version.contains([',', '*']) {
        return Pin::NotPinned;
    }
    if !is_version(version) {
        return Pin::Malformed;
    }
    Pin::Exact(name, version)
}

// ---------------------------------------------------------------------------------------------
// poetry.lock

struct PoetryLockCataloger;

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Capped<Vec<Lenient<PoetryPackage>>>,
}

/// An item read as `T` when it has that shape, else kept as a malformed item.
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient<T> {
    Read(T),
    Malformed(IgnoredAny),
}

#[derive(Deserialize)]
struct PoetryPackage {
    #[serde(default)]
    name: Text,
    #[serde(default)]
    version: Text,
    #[serde(default)]
    category: Text,
    #[serde(default)]
    source: Option<Lenient<PoetrySource>>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(default, rename = "type")]
    kind: Text,
}

impl Cataloger for PoetryLockCataloger {
    fn name(&self) -> &'static str {
        "poetry-lock"
    }

    /// TOML is parsed into a whole document first (about 50 times the file's size): as for
    /// `Cargo.lock`, an eighth of [`seaworthy_oci::Limits::max_parse_bytes`].
    fn parse_limit(&self, limits: &seaworthy_oci::Limits) -> u64 {
        limits.max_parse_bytes / 8
    }

    fn wants_path(&self, path: &str) -> bool {
        file_name(path) == "poetry.lock" && !inside_site_packages(path)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = utf8(file.data)?;
        let max = env.limits.max_packages_per_file;
        let lock: PoetryLock = with_max_items(max, || toml::from_str(text)).map_err(|e| {
            let msg = e.to_string();
            if is_over_limit(&msg) {
                return check_count(usize::MAX, max).err().unwrap_or(msg);
            }
            format!(
                "invalid poetry.lock: {}",
                msg.lines().next().unwrap_or_default()
            )
        })?;
        let mut out = Vec::new();
        for (i, item) in lock.package.0.iter().enumerate() {
            let n = i.saturating_add(1);
            let Lenient::Read(pkg) = item else {
                env.skip(format!("package {n}: not a table"));
                continue;
            };
            let source = match &pkg.source {
                Some(Lenient::Read(s)) => s.kind.as_deref(),
                _ => None,
            };
            // A path dependency is part of the project, not a release.
            if matches!(source, Some("directory" | "file")) {
                continue;
            }
            let (Some(name), Some(version)) = (pkg.name.as_deref(), pkg.version.as_deref()) else {
                env.skip(format!("package {n}: no name and version strings"));
                continue;
            };
            if !is_name(name) || !is_version(version) {
                env.skip(format!("package {n}: not a name and version"));
                continue;
            }
            let mut p = pypi_package(self.name(), name, version);
            if pkg.category.as_deref() == Some("dev") {
                p.metadata.push(("dev".into(), "true".into()));
            }
            out.push(p);
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Pipfile.lock

struct PipfileLockCataloger;

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: Option<Capped<BTreeMap<String, Lenient<PipfileEntry>>>>,
    #[serde(default)]
    develop: Option<Capped<BTreeMap<String, Lenient<PipfileEntry>>>>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    #[serde(default)]
    version: Text,
}

impl Cataloger for PipfileLockCataloger {
    fn name(&self) -> &'static str {
        "pipfile-lock"
    }

    fn wants_path(&self, path: &str) -> bool {
        file_name(path) == "Pipfile.lock" && !inside_site_packages(path)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        expect_object(file.data)?;
        let lock: PipfileLock = with_max_items(env.limits.max_packages_per_file, || {
            serde_json::from_slice(file.data).map_err(|e| format!("invalid JSON: {e}"))
        })?;
        if lock.default.is_none() && lock.develop.is_none() {
            return Err("neither \"default\" nor \"develop\"".to_string());
        }
        let mut out: Vec<Package> = Vec::new();
        let sections = [(&lock.default, false), (&lock.develop, true)];
        for (section, dev) in sections {
            let Some(entries) = section else { continue };
            for (name, entry) in &entries.0 {
                // One in both sections is installed for the application: listed once.
                if dev
                    && lock
                        .default
                        .as_ref()
                        .is_some_and(|d| d.0.contains_key(name))
                {
                    continue;
                }
                let Lenient::Read(entry) = entry else {
                    env.skip(format!("{name}: not an object"));
                    continue;
                };
                // An editable, git, path or URL entry records no version.
                let Some(pin) = entry.version.as_deref() else {
                    continue;
                };
                let version = pin.strip_prefix("==").map(str::trim);
                let Some(version) = version.filter(|v| is_name(name) && is_version(v)) else {
                    env.skip(format!("{name}: not a name and an `==` version"));
                    continue;
                };
                let mut p = pypi_package(self.name(), name, version);
                if dev {
                    p.metadata.push(("dev".into(), "true".into()));
                }
                out.push(p);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        use Pin::*;
        let cases = [
            ("Django==3.2.12", Exact("Django", "3.2.12")),
            (
                "django == 3.2.12 ; python_version >= '3.8'",
                Exact("django", "3.2.12"),
            ),
            (
                "requests[security,socks]==2.31.0 --hash=sha256:ab",
                Exact("requests", "2.31.0"),
            ),
            (
                "zope.interface==7.2  # via twisted",
                Exact("zope.interface", "7.2"),
            ),
            ("pkg==1.0+local.1", Exact("pkg", "1.0+local.1")),
            ("# comment", NotPinned),
            ("", NotPinned),
            ("-r base.txt", NotPinned),
            ("-e git+https://github.com/a/b.git#egg=b", NotPinned),
            ("--index-url https://pypi.org/simple", NotPinned),
            ("flask>=2.0", NotPinned),
            ("flask~=2.0", NotPinned),
            ("flask==2.*", NotPinned),
            ("flask==2.0,<3", NotPinned),
            ("flask===2.0", NotPinned),
            ("flask", NotPinned),
            ("b @ https://example.com/b-1.0.tar.gz", NotPinned),
            ("https://example.com/b-1.0.tar.gz", NotPinned),
            ("./local/pkg", NotPinned),
            ("flask==", Malformed),
            ("fl?ask==1.0", Malformed),
            ("flask==1.0\u{0}", Malformed),
            ("\u{fffd}\u{fffd}", Malformed),
        ];
        for (line, want) in cases {
            assert_eq!(requirement_pin(line), want, "{line:?}");
        }
    }

    #[test]
    fn continuations_are_joined() {
        let lines = logical_lines("a==1 \\\n    --hash=sha256:x \\\n    --hash=sha256:y\nb==2\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0, 1);
        assert_eq!(requirement_pin(&lines[0].1), Pin::Exact("a", "1"));
        assert_eq!(lines[1].0, 4);
    }

    #[test]
    fn paths_read() {
        let r = RequirementsCataloger;
        assert!(r.wants_path("app/requirements.txt"));
        assert!(r.wants_path("requirements-dev.txt"));
        assert!(!r.wants_path("app/requirements.in"));
        assert!(!r.wants_path("usr/lib/python3/site-packages/x/requirements.txt"));
        assert!(PoetryLockCataloger.wants_path("app/poetry.lock"));
        assert!(PipfileLockCataloger.wants_path("Pipfile.lock"));
        assert!(
            !PipfileLockCataloger.wants_path("venv/lib/python3.11/site-packages/a/Pipfile.lock")
        );
    }
}
