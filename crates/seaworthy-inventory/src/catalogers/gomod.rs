//! Go modules from `go.mod` files (source trees copied into an image): every `require`d module,
//! with `replace` directives applied. A fallback for images without built binaries, whose build
//! info is authoritative. Module sources under a Go installation or the module cache are skipped.

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "go-mod";
/// Directories holding Go's own sources or downloaded modules, not an application's.
const SKIPPED: &[&str] = &[
    "usr/local/go/",
    "usr/lib/go-",
    "usr/lib/go/",
    "usr/share/go-",
];
/// Most modules read from one file.
const MAX_MODULES: usize = 100_000;

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(GoMod)
}

struct GoMod;

impl Cataloger for GoMod {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        (path == "go.mod" || path.ends_with("/go.mod"))
            && !SKIPPED.iter().any(|dir| path.starts_with(dir))
            && !path.contains("/pkg/mod/")
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text =
            std::str::from_utf8(file.data).map_err(|e| format!("go.mod is not UTF-8: {e}"))?;
        let parsed = parse(text, env.limits.max_packages_per_file.min(MAX_MODULES))?;
        Ok(parsed.packages())
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct GoModFile {
    requires: Vec<Require>,
    replaces: Vec<Replace>,
}

#[derive(Debug, PartialEq, Eq)]
struct Require {
    path: String,
    version: String,
    indirect: bool,
}

#[derive(Debug, PartialEq, Eq)]
struct Replace {
    old_path: String,
    /// Empty: every version.
    old_version: String,
    new_path: String,
    /// Empty for a local directory.
    new_version: String,
}

impl GoModFile {
    fn packages(&self) -> Vec<Package> {
        self.requires
            .iter()
            .map(|req| {
                let replace = self.replaces.iter().rev().find(|r| {
                    r.old_path == req.path
                        && (r.old_version.is_empty() || r.old_version == req.version)
                });
                let mut metadata = Vec::new();
                let (path, version) = match replace {
                    Some(r) if r.new_version.is_empty() => {
                        metadata.push(("replace_dir".to_string(), r.new_path.clone()));
                        (req.path.as_str(), req.version.as_str())
                    }
                    Some(r) => {
                        metadata.push((
                            "replaced".to_string(),
                            format!("{} {}", req.path, req.version),
                        ));
                        (r.new_path.as_str(), r.new_version.as_str())
                    }
                    None => (req.path.as_str(), req.version.as_str()),
                };
                if req.indirect {
                    metadata.push(("indirect".to_string(), "true".to_string()));
                }
                let purl = match path.rsplit_once('/') {
                    Some((namespace, name)) => purl("golang", Some(namespace), name, version, &[]),
                    None => purl("golang", None, path, version, &[]),
                };
                let mut p = Package::new(NAME, Ecosystem::Golang, path, version, purl);
                metadata.sort();
                p.metadata = metadata;
                p
            })
            .collect()
    }
}

/// Parses the `require` and `replace` directives, single-line and in blocks.
fn parse(text: &str, max_modules: usize) -> Result<GoModFile, String> {
    let mut file = GoModFile::default();
    let mut block: Option<String> = None;
    for (number, raw) in text.lines().enumerate() {
        let (code, comment) = match raw.split_once("//") {
            Some((code, comment)) => (code, Some(comment.trim())),
            None => (raw, None),
        };
        let tokens: Vec<&str> = code.split_whitespace().collect();
        let Some(first) = tokens.first().copied() else {
            continue;
        };
        let (verb, args) = match &block {
            Some(_) if first == ")" => {
                block = None;
                continue;
            }
            Some(verb) => (verb.clone(), tokens.as_slice()),
            None if tokens.get(1) == Some(&"(") => {
                block = Some(first.to_string());
                continue;
            }
            None => (first.to_string(), tokens.get(1..).unwrap_or_default()),
        };
        let line = number + 1;
        match verb.as_str() {
            "require" => file.requires.push(require(args, comment, line)?),
            "replace" => file.replaces.push(replace(args, line)?),
            _ => {}
        }
        if file.requires.len() > max_modules || file.replaces.len() > max_modules {
            return Err(format!(
                "more than {max_modules} modules in one file (max_packages_per_file)"
            ));
        }
    }
    Ok(file)
}

fn require(args: &[&str], comment: Option<&str>, line: usize) -> Result<Require, String> {
    let [path, version] = args else {
        return Err(format!(
            "line {line}: expected `require <module> <version>`"
        ));
    };
    let indirect = comment.is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
    Ok(Require {
        path: unquote(path),
        version: unquote(version),
        indirect,
    })
}

fn replace(args: &[&str], line: usize) -> Result<Replace, String> {
    let arrow = args.iter().position(|a| *a == "=>");
    let (old, new) = match arrow {
        Some(at) => (
            args.get(..at).unwrap_or_default(),
            args.get(at + 1..).unwrap_or_default(),
        ),
        None => (args, &[][..]),
    };
    let bad =
        || format!("line {line}: expected `replace <module> [<version>] => <target> [<version>]`");
    let (old_path, old_version) = match old {
        [path] => (unquote(path), String::new()),
        [path, version] => (unquote(path), unquote(version)),
        _ => return Err(bad()),
    };
    let (new_path, new_version) = match new {
        [path] => (unquote(path), String::new()),
        [path, version] => (unquote(path), unquote(version)),
        _ => return Err(bad()),
    };
    Ok(Replace {
        old_path,
        old_version,
        new_path,
        new_version,
    })
}

/// go.mod allows `"quoted"` and `` `raw` `` module paths.
fn unquote(token: &str) -> String {
    token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| token.strip_prefix('`').and_then(|t| t.strip_suffix('`')))
        .unwrap_or(token)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_goroot_and_module_cache() {
        let c = GoMod;
        assert!(c.wants_path("src/app/go.mod"));
        assert!(c.wants_path("go.mod"));
        assert!(!c.wants_path("usr/local/go/src/go.mod"));
        assert!(!c.wants_path("usr/lib/go-1.19/src/cmd/go.mod"));
        assert!(!c.wants_path("root/go/pkg/mod/golang.org/x/net@v0.1.0/go.mod"));
        assert!(!c.wants_path("src/app/go.mod.bak"));
    }

    #[test]
    fn malformed_require_names_the_line() {
        let err = parse("module x\n\nrequire (\n  a v1 extra\n)\n", MAX_MODULES);
        assert_eq!(
            err,
            Err("line 4: expected `require <module> <version>`".into())
        );
    }
}
