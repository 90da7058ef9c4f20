//! Debian packages: dpkg's `var/lib/dpkg/status` and the per-package files of distroless images
//! in `var/lib/dpkg/status.d/`. Each package is attributed to the layer that last wrote its
//! `var/lib/dpkg/info/<name>.list`, i.e. the layer that installed it (one without a file list, as
//! in `status.d`, from the versions of its file: see [`crate::attribution`]), and has the licenses
//! its `usr/share/doc/<name>/copyright` names (see [`copyright`]).

/// Licence names from `usr/share/doc/<name>/copyright` (public for the fuzz target).
pub mod copyright;

use std::collections::HashMap;

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env, check_count};
use crate::package::{Ecosystem, Package, PackageLocation, SourcePackage};
use crate::purl::purl;

const NAME: &str = "dpkg";
const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const INFO: &str = "var/lib/dpkg/info/";
const DOC: &str = "usr/share/doc/";
/// Largest file list read (`info/<name>.list`, `status.d/<name>.md5sums`); the biggest Debian
/// lists (kernel images, `locales-all`) are a few MiB.
const MAX_LIST_BYTES: u64 = 16 << 20;
/// Lines of file lists that never name a language package, dropped when captured.
const NOT_PACKAGES: &[&str] = &["/usr/share/doc/", "/usr/share/man/", "/usr/share/locale/"];

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(Dpkg)
}

struct Dpkg;

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path == STATUS
            || path.strip_prefix(STATUS_D).is_some_and(|file| {
                !file.is_empty() && !file.contains('/') && !file.ends_with(".md5sums")
            })
    }

    fn side_file_limit(&self, path: &str) -> Option<(u64, &'static str)> {
        if is_copyright(path) {
            Some((copyright::MAX_BYTES, "dpkg copyright files"))
        } else if file_list(path).is_some() {
            Some((MAX_LIST_BYTES, "dpkg file lists"))
        } else {
            None
        }
    }

    /// A copyright file is kept as the licenses it names; a file list without documentation,
    /// manual pages and translations.
    fn reduce(&self, path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        if is_copyright(path) {
            Some(copyright::reduce(&data))
        } else if let Some(md5sums) = file_list(path) {
            Some(reduce_list(&data, md5sums))
        } else {
            Some(data)
        }
    }

    fn owned_files(
        &self,
        file: &FileRef<'_>,
        env: &Env<'_>,
        packages: &[&Package],
        wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for p in packages {
            let lists = if file.path == STATUS {
                let plain = format!("{INFO}{}.list", p.name);
                let qualified = p
                    .arch
                    .as_ref()
                    .map(|a| format!("{INFO}{}:{a}.list", p.name));
                qualified.into_iter().chain([plain]).collect::<Vec<_>>()
            } else {
                vec![format!("{STATUS_D}{}.md5sums", p.name)]
            };
            let Some(list) = lists.iter().find_map(|l| env.fs.read(l)) else {
                continue;
            };
            let Some(md5sums) = file_list(list.path) else {
                continue;
            };
            let text = String::from_utf8_lossy(list.data);
            out.extend(
                crate::ownership::listed(&text, md5sums, wanted).map(|path| (path, p.name.clone())),
            );
        }
        out
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = String::from_utf8_lossy(file.data);
        let parsed = parse_stanzas(&text, env.limits.max_packages_per_file)?;
        let distroless = file.path != STATUS;
        let mut packages = Vec::new();
        let mut unnamed = Vec::new();
        let mut licenses = Licenses::default();
        for s in &parsed.stanzas {
            if !is_installed(s.status, distroless) {
                continue;
            }
            match to_package(s, file, env) {
                Some(mut p) => {
                    p.licenses = licenses.of(env, &p.name);
                    packages.push(p);
                }
                // An installed package seaworthy cannot name or version would be a silent gap.
                None => unnamed.push(match s.package {
                    Some(name) => {
                        format!("line {}: installed package {name} has no Version", s.line)
                    }
                    None => format!("line {}: installed stanza has no Package", s.line),
                }),
            }
        }
        match parsed.first_bad_line {
            Some(line) if packages.is_empty() => Err(format!(
                "line {line}: expected `Field: value` or a continuation line"
            )),
            _ => {
                for note in unnamed {
                    env.skip(note);
                }
                Ok(packages)
            }
        }
    }
}

/// A package's file list: `Some(false)` for `info/<name>.list` (a path a line), `Some(true)`
/// for a distroless `status.d/<name>.md5sums` (`<md5>  <relative path>`).
fn file_list(path: &str) -> Option<bool> {
    let plain = |rest: Option<&str>, suffix: &str| {
        rest.and_then(|r| r.strip_suffix(suffix))
            .is_some_and(|name| !name.is_empty() && !name.contains('/'))
    };
    if plain(path.strip_prefix(INFO), ".list") {
        Some(false)
    } else if plain(path.strip_prefix(STATUS_D), ".md5sums") {
        Some(true)
    } else {
        None
    }
}

/// A file list without the lines that never name a language package.
fn reduce_list(data: &[u8], md5sums: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for line in data.split(|b| *b == b'\n') {
        let path = if md5sums {
            line.windows(2)
                .position(|w| w == b"  ")
                .and_then(|i| line.get(i.saturating_add(2)..))
                .unwrap_or(line)
        } else {
            line
        };
        let dropped = NOT_PACKAGES.iter().any(|prefix| {
            path.starts_with(prefix.as_bytes())
                || path.starts_with(prefix.get(1..).unwrap_or_default().as_bytes())
        });
        if !dropped && !line.is_empty() {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

/// `usr/share/doc/<one directory>/copyright`.
fn is_copyright(path: &str) -> bool {
    path.strip_prefix(DOC)
        .and_then(|rest| rest.strip_suffix("/copyright"))
        .is_some_and(|dir| !dir.is_empty() && !dir.contains('/') && dir != "." && dir != "..")
}

/// The licenses of packages, read once per copyright file (packages may share one through a
/// linked doc directory).
#[derive(Default)]
struct Licenses<'a> {
    by_file: HashMap<&'a str, Vec<String>>,
}

impl<'a> Licenses<'a> {
    /// What `usr/share/doc/<name>/copyright` names, symlinks followed inside the image; nothing
    /// when the path leads anywhere but a copyright file.
    fn of(&mut self, env: &Env<'a>, name: &str) -> Vec<String> {
        let Some(file) = env.fs.read(&format!("{DOC}{name}/copyright")) else {
            return Vec::new();
        };
        if !is_copyright(file.path) {
            return Vec::new();
        }
        self.by_file
            .entry(file.path)
            .or_insert_with(|| copyright::licenses(file.data))
            .clone()
    }
}

/// The fields of one stanza this cataloger uses (first line of each; continuations ignored).
#[derive(Debug, Default, PartialEq, Eq)]
struct Stanza<'a> {
    /// 1-based line of its first field.
    line: usize,
    package: Option<&'a str>,
    version: Option<&'a str>,
    architecture: Option<&'a str>,
    source: Option<&'a str>,
    status: Option<&'a str>,
    maintainer: Option<&'a str>,
}

struct Parsed<'a> {
    stanzas: Vec<Stanza<'a>>,
    /// 1-based number of the first line that is neither a field, a continuation nor blank.
    first_bad_line: Option<usize>,
}

/// Splits deb822 text into stanzas. Lenient: CRLF, comments and junk lines are tolerated; more
/// than `max` stanzas are not (see [`check_count`]).
fn parse_stanzas(text: &str, max: usize) -> Result<Parsed<'_>, String> {
    let mut stanzas = Vec::new();
    let mut current = Stanza::default();
    let mut in_stanza = false;
    let mut first_bad_line = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if in_stanza {
                stanzas.push(std::mem::take(&mut current));
                check_count(stanzas.len(), max)?;
                in_stanza = false;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) || line.starts_with('#') {
            continue;
        }
        let Some((field, value)) = line.split_once(':') else {
            first_bad_line.get_or_insert(index.saturating_add(1));
            continue;
        };
        if !in_stanza {
            current.line = index.saturating_add(1);
        }
        in_stanza = true;
        let value = value.trim();
        let slot = match field.trim() {
            f if f.eq_ignore_ascii_case("Package") => &mut current.package,
            f if f.eq_ignore_ascii_case("Version") => &mut current.version,
            f if f.eq_ignore_ascii_case("Architecture") => &mut current.architecture,
            f if f.eq_ignore_ascii_case("Source") => &mut current.source,
            f if f.eq_ignore_ascii_case("Status") => &mut current.status,
            f if f.eq_ignore_ascii_case("Maintainer") => &mut current.maintainer,
            _ => continue,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }
    if in_stanza {
        stanzas.push(current);
        check_count(stanzas.len(), max)?;
    }
    Ok(Parsed {
        stanzas,
        first_bad_line,
    })
}

/// `install ok installed` or `hold ok installed`. Distroless `status.d` files may lack the
/// field: they exist only for installed packages.
fn is_installed(status: Option<&str>, distroless: bool) -> bool {
    let Some(status) = status else {
        return distroless;
    };
    let words: Vec<&str> = status.split_whitespace().collect();
    matches!(words.as_slice(), ["install" | "hold", "ok", "installed"])
}

fn to_package(s: &Stanza<'_>, file: &FileRef<'_>, env: &Env<'_>) -> Option<Package> {
    let name = s.package?;
    let version = s.version?;
    let namespace = env.os.map_or("debian", |os| os.id.as_str());
    let distro = env.os.map(|os| os.distro()).unwrap_or_default();
    let arch = s.architecture.unwrap_or_default();
    let purl = purl(
        "deb",
        Some(namespace),
        name,
        version,
        &[("arch", arch), ("distro", &distro)],
    );
    let mut p = Package::new(NAME, Ecosystem::Deb, name, version, purl);
    p.source = Some(source_package(s.source, name, version));
    p.arch = s.architecture.map(str::to_string);
    if let Some(m) = s.maintainer {
        p.metadata.push(("maintainer".into(), m.to_string()));
    }
    // Without a file list, the versions of the file tell (see [`crate::attribution`]).
    if let Some(layer) = installing_layer(env, name, s.architecture) {
        p.locations.push(PackageLocation {
            path: format!("/{}", file.path),
            layer,
        });
    }
    Some(p)
}

/// `Source: foo (1.2-3)`, `Source: foo`, or none (source named like the binary). Without a
/// source version, the binary version minus a binNMU suffix (`+b1`) is the source version.
fn source_package(field: Option<&str>, name: &str, version: &str) -> SourcePackage {
    let (source_name, source_version) = match field.map(|f| f.split_once('(').unwrap_or((f, ""))) {
        Some((n, v)) if !n.trim().is_empty() => (n.trim(), v.trim().trim_end_matches(')').trim()),
        _ => (name, ""),
    };
    let source_version = if source_version.is_empty() {
        strip_binnmu(version)
    } else {
        source_version
    };
    SourcePackage {
        name: source_name.to_string(),
        version: source_version.to_string(),
    }
}

/// `1.2-3+b1` → `1.2-3`.
pub(crate) fn strip_binnmu(version: &str) -> &str {
    match version.rsplit_once("+b") {
        Some((base, n))
            if !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => version,
    }
}

/// The layer that last wrote the package's file list (`<name>:<arch>.list` for Multi-Arch:
/// same packages, `<name>.list` otherwise).
fn installing_layer(env: &Env<'_>, name: &str, arch: Option<&str>) -> Option<usize> {
    let plain = format!("{INFO}{name}.list");
    let qualified = arch.map(|a| format!("{INFO}{name}:{a}.list"));
    qualified
        .iter()
        .chain(std::iter::once(&plain))
        .find_map(|path| env.fs.node(path).map(|n| n.layer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_forms() {
        let s = |f, n, v| source_package(f, n, v);
        let sp = |n: &str, v: &str| SourcePackage {
            name: n.into(),
            version: v.into(),
        };
        assert_eq!(
            s(Some("libselinux (3.4-1)"), "libselinux1", "3.4-1+b6"),
            sp("libselinux", "3.4-1")
        );
        assert_eq!(
            s(Some("glibc"), "libc6", "2.36-9+deb12u1"),
            sp("glibc", "2.36-9+deb12u1")
        );
        assert_eq!(s(Some("foo"), "libfoo1", "1.2-3+b1"), sp("foo", "1.2-3"));
        assert_eq!(s(None, "adduser", "3.134"), sp("adduser", "3.134"));
        assert_eq!(s(Some(" (1.0"), "x", "2"), sp("x", "2"));
        assert_eq!(s(Some("foo (1.0"), "x", "2"), sp("foo", "1.0"));
        assert_eq!(strip_binnmu("1.0+b"), "1.0+b");
        assert_eq!(strip_binnmu("+b1"), "+b1");
        assert_eq!(strip_binnmu("1.0+bar"), "1.0+bar");
    }

    #[test]
    fn status_values() {
        assert!(is_installed(Some("install ok installed"), false));
        assert!(is_installed(Some("hold  ok installed"), false));
        assert!(!is_installed(Some("deinstall ok config-files"), false));
        assert!(!is_installed(Some("deinstall ok installed"), false));
        assert!(!is_installed(
            Some("install reinstreq half-installed"),
            false
        ));
        assert!(!is_installed(None, false));
        assert!(is_installed(None, true));
    }

    #[test]
    fn stanzas_tolerate_crlf_comments_and_junk() {
        let text = "Package: a\r\nVersion: 1\r\nDescription: x\r\n .\r\n more\r\n\r\n# c\nnonsense\n\n \t\nPackage: b\n";
        let parsed = parse_stanzas(text, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.first_bad_line, Some(8));
        assert!(parse_stanzas(text, 1).is_err());
        assert_eq!(parsed.stanzas.len(), 2);
        assert_eq!(parsed.stanzas[0].package, Some("a"));
        assert_eq!(parsed.stanzas[0].version, Some("1"));
        assert_eq!(parsed.stanzas[1].package, Some("b"));
        assert_eq!(parsed.stanzas[1].version, None);
        assert_eq!((parsed.stanzas[0].line, parsed.stanzas[1].line), (1, 11));
    }

    #[test]
    fn file_lists_are_side_files_reduced() {
        let d = Dpkg;
        assert_eq!(file_list("var/lib/dpkg/info/python3-pip.list"), Some(false));
        assert_eq!(file_list("var/lib/dpkg/info/libc6:amd64.list"), Some(false));
        assert_eq!(
            file_list("var/lib/dpkg/status.d/tzdata.md5sums"),
            Some(true)
        );
        assert_eq!(file_list("var/lib/dpkg/info/.list"), None);
        assert_eq!(file_list("var/lib/dpkg/info/x.md5sums"), None);
        assert!(
            d.side_file_limit("var/lib/dpkg/info/python3-pip.list")
                .is_some()
        );
        assert!(!d.wants_path("var/lib/dpkg/info/python3-pip.list"));
        let list = b"/.\n/usr/share/doc/python3-pip/copyright\n/usr/bin/pip3\n";
        assert_eq!(reduce_list(list, false), b"/.\n/usr/bin/pip3\n");
        let sums = b"ab  usr/share/man/man1/x.1.gz\ncd  usr/bin/x\n";
        assert_eq!(reduce_list(sums, true), b"cd  usr/bin/x\n");
    }

    #[test]
    fn wanted_paths() {
        let d = Dpkg;
        assert!(d.wants_path("var/lib/dpkg/status"));
        assert!(d.wants_path("var/lib/dpkg/status.d/base-files"));
        assert!(!d.wants_path("var/lib/dpkg/status.d/base-files.md5sums"));
        assert!(!d.wants_path("var/lib/dpkg/status.d/"));
        assert!(!d.wants_path("var/lib/dpkg/status-old"));
        assert!(!d.wants_path("var/lib/dpkg/status.d/a/b"));
    }
}
