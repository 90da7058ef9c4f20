//! JavaScript: installed `node_modules/**/package.json`, `package-lock.json` /
//! `npm-shrinkwrap.json` (v1 `dependencies` tree, v2/v3 `packages` map) and `yarn.lock`
//! (v1's own format and Berry's YAML). Lockfiles inside `node_modules` belong to a
//! dependency's own development and are not read. The root project is not a dependency.

use std::collections::BTreeMap;

use seaworthy_oci::FileRef;
use serde::Deserialize;

use super::json::{Capped, Licenses, Text, expect_object, with_max_items};
use crate::cataloger::{Cataloger, Env, check_count};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

/// Deepest `dependencies` nesting walked in a v1 lockfile (npm nests one level per
/// `node_modules` conflict; real trees stay far below this).
const MAX_V1_DEPTH: usize = 48;

/// Most lines read from a yarn v1 lockfile.
const MAX_YARN_LINES: usize = 10_000_000;

/// The three JavaScript catalogers: installed packages, npm lockfiles, yarn lockfiles.
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(PackageJsonCataloger),
        Box::new(PackageLockCataloger),
        Box::new(YarnLockCataloger),
    ]
}

/// `pkg:npm/%40scope/name@version` from a possibly scoped name.
fn npm_purl(name: &str, version: &str) -> String {
    match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, bare)) => purl("npm", Some(&format!("@{scope}")), bare, version, &[]),
        None => purl("npm", None, name, version, &[]),
    }
}

fn npm_package(cataloger: &'static str, name: &str, version: &str) -> Package {
    Package::new(
        cataloger,
        Ecosystem::Npm,
        name,
        version,
        npm_purl(name, version),
    )
}

fn parse_json<'a, T: Deserialize<'a>>(data: &'a [u8]) -> Result<T, String> {
    serde_json::from_slice(data).map_err(|e| format!("invalid JSON: {e}"))
}

/// The final component of a path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn inside_node_modules(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// What an installed `package.json` tells: `license` (string, `{type}` or array) and the older
/// `licenses` array, as written. Every other key is skipped unbuilt.
#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    name: Text,
    #[serde(default)]
    version: Text,
    #[serde(default)]
    license: Licenses,
    #[serde(default)]
    licenses: Licenses,
}

// ---------------------------------------------------------------------------------------------
// node_modules/**/package.json

struct PackageJsonCataloger;

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if name.is_empty() || name.starts_with(['.', '@']) {
        return false;
    }
    if parent == "node_modules" {
        return true;
    }
    parent.len() > 1 && parent.starts_with('@') && parts.next() == Some("node_modules")
}

impl Cataloger for PackageJsonCataloger {
    fn name(&self) -> &'static str {
        "npm-package"
    }

    fn wants_path(&self, path: &str) -> bool {
        is_installed_manifest(path)
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        expect_object(file.data)?;
        let Manifest {
            name,
            version,
            license,
            licenses,
        } = parse_json(file.data)?;
        let name = name.0.ok_or("no \"name\" string")?;
        let version = version.0.ok_or("no \"version\" string")?;
        let mut p = npm_package(self.name(), &name, &version);
        p.licenses = license.merged(licenses);
        Ok(vec![p])
    }
}

// ---------------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json

struct PackageLockCataloger;

#[derive(Deserialize)]
struct PackageLock {
    packages: Option<Capped<BTreeMap<String, LockEntry>>>,
    dependencies: Option<Capped<BTreeMap<String, V1Dependency>>>,
}

/// An entry of the v2/v3 `packages` map.
#[derive(Deserialize)]
struct LockEntry {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    license: Licenses,
}

/// An entry of the v1 `dependencies` tree.
#[derive(Deserialize)]
struct V1Dependency {
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    dependencies: Option<Capped<BTreeMap<String, V1Dependency>>>,
}

impl Cataloger for PackageLockCataloger {
    fn name(&self) -> &'static str {
        "npm-lock"
    }

    fn wants_path(&self, path: &str) -> bool {
        matches!(file_name(path), "package-lock.json" | "npm-shrinkwrap.json")
            && !inside_node_modules(path)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let lock: PackageLock =
            with_max_items(env.limits.max_packages_per_file, || parse_json(file.data))?;
        match (&lock.packages, &lock.dependencies) {
            (Some(packages), _) => Ok(from_packages_map(self.name(), &packages.0)),
            (None, Some(deps)) => from_v1_tree(self.name(), &deps.0),
            (None, None) => Err("neither \"packages\" nor \"dependencies\"".to_string()),
        }
    }
}

/// v2/v3: every `node_modules/…` key is an installed package; `""` (the root project),
/// workspace folders and links are not.
fn from_packages_map(
    cataloger: &'static str,
    packages: &BTreeMap<String, LockEntry>,
) -> Vec<Package> {
    let mut out = Vec::new();
    for (key, entry) in packages {
        let Some((_, dir_name)) = key.rsplit_once("node_modules/") else {
            continue;
        };
        if entry.link {
            continue;
        }
        let name = entry.name.as_deref().unwrap_or(dir_name);
        let Some(version) = entry.version.as_deref().filter(|v| !v.is_empty()) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let mut p = npm_package(cataloger, name, version);
        p.licenses = entry.license.0.clone();
        if entry.dev {
            p.metadata.push(("dev".into(), "true".into()));
        }
        out.push(p);
    }
    out
}

/// v1: the nested `dependencies` tree, walked without recursion and at most
/// [`MAX_V1_DEPTH`] deep.
fn from_v1_tree(
    cataloger: &'static str,
    root: &BTreeMap<String, V1Dependency>,
) -> Result<Vec<Package>, String> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &BTreeMap<String, V1Dependency>)> = vec![(1, root)];
    while let Some((depth, deps)) = stack.pop() {
        if depth > MAX_V1_DEPTH {
            return Err(format!("dependencies nested deeper than {MAX_V1_DEPTH}"));
        }
        for (key, dep) in deps {
            if let Some(nested) = &dep.dependencies {
                stack.push((depth.saturating_add(1), &nested.0));
            }
            let Some((name, version)) = dep.version.as_deref().and_then(|v| v1_version(key, v))
            else {
                continue;
            };
            let mut p = npm_package(cataloger, name, version);
            if dep.dev {
                p.metadata.push(("dev".into(), "true".into()));
            }
            out.push(p);
        }
    }
    Ok(out)
}

/// A v1 `version`: a registry version, an alias (`npm:real-name@1.2.3`) or a spec for a local
/// folder or tarball (`file:…`, `link:…`, no version recorded: skipped).
fn v1_version<'a>(key: &'a str, version: &'a str) -> Option<(&'a str, &'a str)> {
    if let Some(alias) = version.strip_prefix("npm:") {
        return split_name_range(alias);
    }
    if version.is_empty() || version.starts_with("file:") || version.starts_with("link:") {
        return None;
    }
    Some((key, version))
}

/// `name@range` / `@scope/name@range` → (`name`, `range`).
fn split_name_range(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')?.checked_add(1)?;
    let (name, range) = (spec.get(..at)?, spec.get(at.checked_add(1)?..)?);
    (!name.is_empty()).then_some((name, range))
}

// ---------------------------------------------------------------------------------------------
// yarn.lock

struct YarnLockCataloger;

impl Cataloger for YarnLockCataloger {
    fn name(&self) -> &'static str {
        "yarn-lock"
    }

    fn wants_path(&self, path: &str) -> bool {
        file_name(path) == "yarn.lock" && !inside_node_modules(path)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = std::str::from_utf8(file.data)
            .map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
        if text.lines().any(|l| l.starts_with("__metadata:")) {
            parse_berry(self.name(), text, env.limits.max_packages_per_file)
        } else {
            parse_yarn_v1(self.name(), text, env.limits.max_packages_per_file)
        }
    }
}

/// One entry of a yarn v1 lockfile.
struct V1Entry {
    /// The first spec of the header (`"a@^1", a@^1.2` → `a@^1`): the one the package is named
    /// by.
    spec: Option<String>,
    version: Option<String>,
    resolved: bool,
}

/// yarn v1: `"spec", spec:` headers at column 0, `key value` fields indented by two spaces,
/// deeper blocks (`dependencies:`) ignored.
fn parse_yarn_v1(
    cataloger: &'static str,
    text: &str,
    max_packages: usize,
) -> Result<Vec<Package>, String> {
    let mut out = Vec::new();
    let mut current: Option<V1Entry> = None;
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_YARN_LINES {
            return Err(format!("more than {MAX_YARN_LINES} lines"));
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            if let Some(entry) = current.take() {
                out.extend(finish_v1_entry(cataloger, entry));
                check_count(out.len(), max_packages)?;
            }
            let Some(header) = trimmed.strip_suffix(':') else {
                return Err(format!(
                    "line {}: expected an entry header ending in `:`",
                    n.saturating_add(1)
                ));
            };
            current = Some(V1Entry {
                spec: header.split(", ").next().map(|s| unquote(s.trim())),
                version: None,
                resolved: false,
            });
            continue;
        }
        let Some(field) = line
            .strip_prefix("  ")
            .filter(|f| !f.starts_with([' ', '\t']))
        else {
            continue;
        };
        let Some(entry) = current.as_mut() else {
            return Err(format!(
                "line {}: field outside an entry",
                n.saturating_add(1)
            ));
        };
        let (key, value) = field.split_once([' ', ':']).unwrap_or((field, ""));
        match unquote(key).as_str() {
            "version" => entry.version = Some(unquote(value.trim())),
            "resolved" => entry.resolved = true,
            _ => {}
        }
    }
    if let Some(entry) = current.take() {
        out.extend(finish_v1_entry(cataloger, entry));
    }
    Ok(out)
}

fn finish_v1_entry(cataloger: &'static str, entry: V1Entry) -> Option<Package> {
    let version = entry.version.filter(|v| !v.is_empty())?;
    let spec = entry.spec.as_deref()?;
    let (key_name, range) = split_name_range(spec)?;
    // A local folder (`file:`/`link:` without a tarball) is part of the project.
    let local = ["file:", "link:", "portal:", "workspace:"]
        .iter()
        .any(|p| range.starts_with(p));
    if local && !entry.resolved {
        return None;
    }
    let name = match range.strip_prefix("npm:") {
        Some(alias) => split_name_range(alias).map_or(alias, |(n, _)| n),
        None => key_name,
    };
    Some(npm_package(cataloger, name, &version))
}

/// Strips one pair of double quotes and yarn's `\"` / `\\` escapes.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A scalar Berry writes unquoted (`version: 8`, `version: 1.0.8`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct BerryEntry {
    version: Option<Scalar>,
    resolution: Option<String>,
}

/// Berry (yarn 2+): YAML, one entry per resolution. Only registry (`npm:`) and remote
/// (git, http) resolutions are packages; workspaces, links, portals, local files and
/// `patch:` copies of a registry package are not.
fn parse_berry(
    cataloger: &'static str,
    text: &str,
    max_packages: usize,
) -> Result<Vec<Package>, String> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text.len() / 4);
    budget.max_events = budget.max_events.max(text.len() / 2);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let entries: Capped<BTreeMap<String, BerryEntry>> = with_max_items(max_packages, || {
        serde_saphyr::from_str_with_options(text, options)
    })
    .map_err(|e| {
        let msg = e.to_string();
        format!("invalid YAML: {}", msg.lines().next().unwrap_or_default())
    })?;
    let mut out = Vec::new();
    for (key, entry) in &entries.0 {
        if key == "__metadata" {
            continue;
        }
        let (Some(resolution), Some(version)) = (&entry.resolution, &entry.version) else {
            continue;
        };
        let Some((name, locator)) = split_name_range(resolution) else {
            continue;
        };
        let protocol = locator.split_once(':').map_or("", |(p, _)| p);
        if matches!(protocol, "workspace" | "patch" | "link" | "portal" | "file") {
            continue;
        }
        out.push(npm_package(cataloger, name, &version.text()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_manifest_paths() {
        assert!(is_installed_manifest(
            "usr/lib/node_modules/npm/package.json"
        ));
        assert!(is_installed_manifest(
            "app/node_modules/@npmcli/fs/package.json"
        ));
        assert!(is_installed_manifest(
            "node_modules/a/node_modules/b/package.json"
        ));
        assert!(!is_installed_manifest("app/package.json"));
        assert!(!is_installed_manifest(
            "node_modules/glob/dist/esm/package.json"
        ));
        assert!(!is_installed_manifest("node_modules/@scope/package.json"));
        assert!(!is_installed_manifest("node_modules/.bin/package.json"));
        assert!(!is_installed_manifest("x/@scope/a/package.json"));
    }

    #[test]
    fn names_and_ranges() {
        assert_eq!(
            split_name_range("@babel/core@^7.0.0"),
            Some(("@babel/core", "^7.0.0"))
        );
        assert_eq!(split_name_range("ms@2.1.2"), Some(("ms", "2.1.2")));
        assert_eq!(
            split_name_range("string-width-cjs@npm:string-width@^4.2.0"),
            Some(("string-width-cjs", "npm:string-width@^4.2.0"))
        );
        assert_eq!(split_name_range("@"), None);
        assert_eq!(split_name_range("noversion"), None);
        assert_eq!(
            npm_purl("@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
    }

    #[test]
    fn v1_aliases_and_local_specs() {
        assert_eq!(v1_version("a", "1.0.0"), Some(("a", "1.0.0")));
        assert_eq!(
            v1_version("string-width-cjs", "npm:string-width@4.2.3"),
            Some(("string-width", "4.2.3"))
        );
        assert_eq!(v1_version("a", "file:../a.tgz"), None);
    }

    #[test]
    fn berry_aliases_and_patches() {
        // Entries as yarn 4 writes them for an aliased dependency and a builtin patch.
        let lock = r#"
__metadata:
  version: 8
  cacheKey: 10c0

"string-width-cjs@npm:string-width@^4.2.0":
  version: 4.2.3
  resolution: "string-width@npm:4.2.3"
  languageName: node
  linkType: hard

"typescript@npm:^5.3.3":
  version: 5.3.3
  resolution: "typescript@npm:5.3.3"
  languageName: node
  linkType: hard

"typescript@patch:typescript@npm%3A^5.3.3#optional!builtin<compat/typescript>":
  version: 5.3.3
  resolution: "typescript@patch:typescript@npm%3A5.3.3#optional!builtin<compat/typescript>::version=5.3.3&hash=e012d7"
  languageName: node
  linkType: hard
"#;
        let found = parse_berry("yarn-lock", lock, 100).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<&str> = found.iter().map(|p| p.purl.as_str()).collect();
        assert_eq!(
            got,
            ["pkg:npm/string-width@4.2.3", "pkg:npm/typescript@5.3.3"]
        );
    }

    #[test]
    fn yarn_v1_registry_entry() {
        // The shape yarn 1 writes for registry packages (scoped, several specs, integrity).
        let lock = "# yarn lockfile v1\n\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658\"\n  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==\n  dependencies:\n    \"@babel/highlight\" \"^7.12.13\"\n";
        let found = parse_yarn_v1("yarn-lock", lock, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].purl, "pkg:npm/%40babel/code-frame@7.12.13");
    }
}
