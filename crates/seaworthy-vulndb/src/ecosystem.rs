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
            "alpine" | "wolfi" | "chainguard" => Scheme::Apk,
            "almalinux"
            | "rocky"
            | "rhel"
            | "centos"
            | "fedora"
            | "oracle"
            | "amazon"
            | "sles"
            | "opensuse-leap"
            | "opensuse-tumbleweed" => Scheme::Rpm,
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

/// Wolfi's secdb (`packages.wolfi.dev/os/security.json`): one rolling release.
pub const WOLFI: &str = "wolfi";
/// Chainguard's secdb (`packages.cgr.dev/chainguard/security.json`): one rolling release.
pub const CHAINGUARD: &str = "chainguard";
/// openSUSE Tumbleweed: one rolling release.
pub const TUMBLEWEED: &str = "opensuse-tumbleweed";

/// The key of a SUSE Linux Enterprise release from os-release's `VERSION_ID` (`15.5` →
/// `sles:15.5`, `15` → `sles:15`).
pub fn sles(version_id: &str) -> String {
    format!("sles:{}", version_id.trim())
}

/// `SUSE:Linux Enterprise Server 15 SP5`, `SUSE:Linux Enterprise Module for Basesystem 15 SP5`,
/// `SUSE:Linux Enterprise Server 12 SP5-LTSS` → `15.5` / `12.5`; `… 15` → `15`. Micro and other
/// products numbered apart from SLES (`Linux Enterprise Micro 5.5`) give `None`.
fn sle_release(product: &str) -> Option<String> {
    let product = product.trim();
    let rest = product.strip_prefix("Linux Enterprise ")?;
    if rest.starts_with("Micro") || rest.contains("Micro ") {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let major_at = words
        .iter()
        .position(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))?;
    let major = words[major_at];
    let sp = words.get(major_at + 1).and_then(|w| {
        let digits: String = w
            .strip_prefix("SP")?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (!digits.is_empty()).then_some(digits)
    });
    Some(match sp {
        Some(sp) => format!("{major}.{sp}"),
        None => major.to_string(),
    })
}

/// `Red Hat:enterprise_linux:9::appstream` → `rhel:9`. Only the main streams: Extended Update
/// Support and other minor-release streams (`rhel_eus:9.2`, `rhel_e4s`, `rhel_aus`) carry fixes
/// for one minor release and are left out.
fn red_hat(rest: &str) -> Option<String> {
    let mut parts = rest.split(':');
    let product = parts.next()?.trim();
    let release = parts.next()?.trim();
    let major = release.split('.').next().unwrap_or(release);
    (product == "enterprise_linux"
        && !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit()))
    .then(|| format!("rhel:{major}"))
}

/// Normalizes an OSV `ecosystem` string to our key; `None` for ecosystems we do not match.
/// `Debian:12` → `debian:bookworm`, `Ubuntu:22.04:LTS` → `ubuntu:22.04`, `Alpine:v3.18` →
/// `alpine:v3.18`, `AlmaLinux:9` → `almalinux:9`, `Rocky Linux:9` → `rocky:9`,
/// `Red Hat:enterprise_linux:9::appstream` → `rhel:9`, `SUSE:Linux Enterprise Server 15 SP5` →
/// `sles:15.5`, `openSUSE:Leap 15.5` → `opensuse-leap:15.5`, `openSUSE:Tumbleweed` →
/// `opensuse-tumbleweed`; language ecosystems keep OSV's spelling.
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
        "Red Hat" => red_hat(rest?)?,
        "SUSE" => sles(&sle_release(rest?)?),
        "openSUSE" => {
            let product = rest?.trim();
            if product == "Tumbleweed" {
                TUMBLEWEED.to_string()
            } else {
                let version = product.strip_prefix("Leap ")?.trim();
                if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    return None;
                }
                format!("opensuse-leap:{version}")
            }
        }
        _ => return None,
    })
}

/// A distribution release as people name it, from its ecosystem key: `wolfi` → `Wolfi
/// (rolling)`, `debian:bookworm` → `Debian (bookworm)`, `rhel:9` → `Red Hat Enterprise Linux
/// (9)`.
pub fn release_name(key: &str) -> String {
    let (family, release) = key.split_once(':').unwrap_or((key, "rolling"));
    let name = match family {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "alpine" => "Alpine",
        "almalinux" => "AlmaLinux",
        "rocky" => "Rocky Linux",
        "rhel" => "Red Hat Enterprise Linux",
        "sles" => "SUSE Linux Enterprise",
        "opensuse-leap" => "openSUSE Leap",
        "opensuse-tumbleweed" => "openSUSE Tumbleweed",
        WOLFI => "Wolfi",
        CHAINGUARD => "Chainguard",
        other => other,
    };
    format!("{name} ({release})")
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
        assert_eq!(
            from_osv("Red Hat:enterprise_linux:9::appstream").as_deref(),
            Some("rhel:9")
        );
        assert_eq!(
            from_osv("Red Hat:enterprise_linux:8::baseos").as_deref(),
            Some("rhel:8")
        );
        assert_eq!(from_osv("Red Hat:rhel_eus:9.2::appstream"), None);
        assert_eq!(
            from_osv("SUSE:Linux Enterprise Server 15 SP5").as_deref(),
            Some("sles:15.5")
        );
        assert_eq!(
            from_osv("SUSE:Linux Enterprise Module for Basesystem 15 SP6").as_deref(),
            Some("sles:15.6")
        );
        assert_eq!(
            from_osv("SUSE:Linux Enterprise Server 12 SP5-LTSS").as_deref(),
            Some("sles:12.5")
        );
        assert_eq!(from_osv("SUSE:Linux Enterprise Micro 5.5"), None);
        assert_eq!(
            from_osv("openSUSE:Leap 15.5").as_deref(),
            Some("opensuse-leap:15.5")
        );
        assert_eq!(
            from_osv("openSUSE:Tumbleweed").as_deref(),
            Some("opensuse-tumbleweed")
        );
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
    fn release_names() {
        assert_eq!(release_name("wolfi"), "Wolfi (rolling)");
        assert_eq!(release_name("debian:bookworm"), "Debian (bookworm)");
        assert_eq!(release_name("sles:15.5"), "SUSE Linux Enterprise (15.5)");
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
        assert_eq!(Scheme::of("sles:15.5"), Some(Scheme::Rpm));
        assert_eq!(Scheme::of("rhel:9"), Some(Scheme::Rpm));
        assert_eq!(Scheme::of("wolfi"), Some(Scheme::Apk));
        assert_eq!(Scheme::of("chainguard"), Some(Scheme::Apk));
        assert_eq!(Scheme::of("crates.io"), Some(Scheme::Semver));
        assert_eq!(Scheme::of("Hackage"), None);
    }
}
