//! Ecosystem keys: one normalized string per ecosystem (and distribution release) so that every
//! source and the inventory meet on the same key, plus the version scheme each one uses.

use std::cmp::Ordering;

use crate::versions;

/// How versions of an ecosystem are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Dpkg,
    Rpm,
    Apk,
    Semver,
    Golang,
    Pep440,
    Maven,
    Gem,
    Composer,
    Nuget,
}

impl Scheme {
    /// The scheme of a normalized ecosystem key (`debian:bookworm` → dpkg, `PyPI` → PEP 440).
    pub fn of(ecosystem: &str) -> Option<Scheme> {
        let family = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match family {
            "debian" | "ubuntu" => Scheme::Dpkg,
            "alpine" => Scheme::Apk,
            "almalinux" | "rocky" | "rhel" | "centos" | "fedora" | "oracle" | "amazon" => {
                Scheme::Rpm
            }
            "crates.io" | "npm" => Scheme::Semver,
            "Go" => Scheme::Golang,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::Gem,
            "Packagist" => Scheme::Composer,
            "NuGet" => Scheme::Nuget,
            _ => return None,
        })
    }

    /// Total order of two versions under this scheme.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::Dpkg => versions::dpkg::compare(a, b),
            Scheme::Rpm => versions::rpm::compare(a, b),
            Scheme::Apk => versions::apk::compare(a, b),
            Scheme::Semver => versions::semver::compare(a, b),
            Scheme::Golang => versions::golang::compare(a, b),
            Scheme::Pep440 => versions::pep440::compare(a, b),
            Scheme::Maven => versions::maven::compare(a, b),
            Scheme::Gem => versions::gem::compare(a, b),
            Scheme::Composer => versions::composer::compare(a, b),
            Scheme::Nuget => versions::nuget::compare(a, b),
        }
    }
}

/// Debian release numbers and codenames (OSV writes `Debian:12`, the tracker `bookworm`).
const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("3.0", "woody"),
    ("3.1", "sarge"),
    ("4", "etch"),
    ("5", "lenny"),
    ("6", "squeeze"),
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
    ("15", "duke"),
];

/// The Debian codename of a release number (`12` or `12.5` → `bookworm`).
pub fn debian_codename(version_id: &str) -> Option<&'static str> {
    let major = version_id.split('.').next().unwrap_or(version_id);
    DEBIAN_RELEASES
        .iter()
        .find(|(number, _)| *number == version_id || *number == major)
        .map(|(_, name)| *name)
}

/// The key of a Debian release given by codename or number.
pub fn debian(release: &str) -> String {
    let release = release.trim().to_ascii_lowercase();
    let codename = debian_codename(&release)
        .map(str::to_string)
        .unwrap_or(release);
    format!("debian:{codename}")
}

/// The key of an Alpine branch (`3.18.4`, `v3.18` → `alpine:v3.18`; `edge` stays).
pub fn alpine(version: &str) -> String {
    let v = version.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) if !major.is_empty() => format!("alpine:v{major}.{minor}"),
        _ => format!("alpine:{}", version.trim()),
    }
}

/// Normalizes an OSV `ecosystem` string to our key; `None` for ecosystems we do not match.
/// `Debian:12` → `debian:bookworm`, `Ubuntu:22.04:LTS` → `ubuntu:22.04`, `Alpine:v3.18` →
/// `alpine:v3.18`, `AlmaLinux:9` → `almalinux:9`, `Rocky Linux:9` → `rocky:9`; language
/// ecosystems keep OSV's spelling.
pub fn from_osv(ecosystem: &str) -> Option<String> {
    let (family, rest) = match ecosystem.split_once(':') {
        Some((f, r)) => (f, Some(r)),
        None => (ecosystem, None),
    };
    let release = |r: Option<&str>| r.map(|r| r.split(':').next().unwrap_or(r).trim().to_string());
    Some(match family {
        "PyPI" | "npm" | "crates.io" | "Go" | "Maven" | "RubyGems" | "Packagist" | "NuGet" => {
            family.to_string()
        }
        "Debian" => debian(&release(rest)?),
        "Ubuntu" => format!("ubuntu:{}", release(rest)?),
        "Alpine" => alpine(&release(rest)?),
        "AlmaLinux" => format!("almalinux:{}", release(rest)?),
        "Rocky Linux" => format!("rocky:{}", release(rest)?),
        _ => return None,
    })
}

/// Normalizes a package name the way its ecosystem compares names: PyPI per PEP 503
/// (lowercase, runs of `-_.` → `-`), NuGet and Packagist case-insensitive; others as written.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        "NuGet" | "Packagist" => name.trim().to_ascii_lowercase(),
        _ => name.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_ecosystems_normalize() {
        assert_eq!(from_osv("Debian:12").as_deref(), Some("debian:bookworm"));
        assert_eq!(from_osv("Debian:11").as_deref(), Some("debian:bullseye"));
        assert_eq!(
            from_osv("Ubuntu:22.04:LTS").as_deref(),
            Some("ubuntu:22.04")
        );
        assert_eq!(from_osv("Alpine:v3.18").as_deref(), Some("alpine:v3.18"));
        assert_eq!(from_osv("AlmaLinux:9").as_deref(), Some("almalinux:9"));
        assert_eq!(from_osv("Rocky Linux:8").as_deref(), Some("rocky:8"));
        assert_eq!(from_osv("PyPI").as_deref(), Some("PyPI"));
        assert_eq!(from_osv("Debian"), None);
        assert_eq!(from_osv("Hackage"), None);
    }

    #[test]
    fn names_normalize() {
        assert_eq!(normalize_name("PyPI", "Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(
            normalize_name("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(normalize_name("npm", "@Scope/x"), "@Scope/x");
    }

    #[test]
    fn alpine_branches() {
        assert_eq!(alpine("3.18.4"), "alpine:v3.18");
        assert_eq!(alpine("v3.11"), "alpine:v3.11");
        assert_eq!(alpine("edge"), "alpine:edge");
    }

    #[test]
    fn schemes() {
        assert_eq!(Scheme::of("debian:bookworm"), Some(Scheme::Dpkg));
        assert_eq!(Scheme::of("almalinux:9"), Some(Scheme::Rpm));
        assert_eq!(Scheme::of("crates.io"), Some(Scheme::Semver));
        assert_eq!(Scheme::of("Hackage"), None);
    }
}
