//! RPM packages from rpm's database, read natively (no librpm): `rpmdb.sqlite` (current
//! Fedora/RHEL), Berkeley DB `Packages` (RHEL ≤ 8, CentOS 7, Amazon Linux 2) and ndb
//! `Packages.db` (SUSE). Each backend yields header images; [`header`] reads the fields. Each
//! package is attributed to the layer that added it, read from the database's earlier versions
//! (see [`crate::attribution`]).

mod bdb;
mod header;
mod ndb;
mod sqlite;

pub use bdb::{bdb_blobs, read_bdb};
pub use header::{RpmHeader, owned_files, parse_header_blob};
pub use ndb::{ndb_blobs, read_ndb};
pub use sqlite::{read_sqlite, sqlite_blobs};

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package, SourcePackage};
use crate::purl::purl;

const NAME: &str = "rpm";

/// Where rpm keeps its database, and which backend each path is.
const DATABASES: &[(&str, Backend)] = &[
    ("var/lib/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("usr/lib/sysimage/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("var/lib/rpm/Packages", Backend::Bdb),
    ("var/lib/rpm/Packages.db", Backend::Ndb),
    ("usr/lib/sysimage/rpm/Packages.db", Backend::Ndb),
];

/// The header blobs a database yields, and what in it could not be read (skipped, noted).
#[derive(Debug, Default)]
pub struct Blobs {
    pub blobs: Vec<Vec<u8>>,
    pub skipped: Vec<String>,
}

/// Imported signing keys appear as packages of this name; they are not software.
const GPG_PUBKEY: &str = "gpg-pubkey";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Bdb,
    Ndb,
}

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(Rpm)
}

struct Rpm;

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        NAME
    }

    /// An rpm database is binary and large on a full system: it may be twice
    /// [`seaworthy_oci::Limits::max_parse_bytes`] (64 MiB by default). Reading one costs about
    /// three times its size (the captured file, sqlite's or the page walk's copy, the blobs).
    fn parse_limit(&self, limits: &seaworthy_oci::Limits) -> u64 {
        limits.max_parse_bytes.saturating_mul(2)
    }

    fn wants_path(&self, path: &str) -> bool {
        backend(path).is_some()
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let Some(backend) = backend(file.path) else {
            return Ok(Vec::new());
        };
        let Blobs { blobs, skipped } = read_blobs(backend, file.data)?;
        env.check_count(blobs.len())?;
        let mut packages = Vec::new();
        let mut problems = skipped;
        for (n, blob) in blobs.iter().enumerate() {
            match parse_header_blob(blob) {
                Ok(h) if h.name == GPG_PUBKEY => {}
                Ok(h) => packages.push(to_package(h, env)),
                Err(e) => problems.push(format!("record {n}: {e}")),
            }
        }
        // A damaged record does not hide the others, and is reported; a database of only
        // damaged ones is an error.
        if packages.is_empty()
            && let Some(first) = problems.first()
        {
            return Err(first.clone());
        }
        for problem in problems {
            env.skip(problem);
        }
        Ok(packages)
    }

    fn owned_files(
        &self,
        file: &FileRef<'_>,
        _env: &Env<'_>,
        _packages: &[&Package],
        wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        let Some(backend) = backend(file.path) else {
            return Vec::new();
        };
        let Ok(Blobs { blobs, .. }) = read_blobs(backend, file.data) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for blob in &blobs {
            if let Ok((name, files)) = owned_files(blob, wanted) {
                out.extend(files.into_iter().map(|f| (f, name.clone())));
            }
        }
        out
    }
}

fn read_blobs(backend: Backend, data: &[u8]) -> Result<Blobs, String> {
    match backend {
        Backend::Sqlite => sqlite_blobs(data),
        Backend::Bdb => bdb_blobs(data),
        Backend::Ndb => ndb_blobs(data),
    }
}

fn backend(path: &str) -> Option<Backend> {
    DATABASES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// `[epoch:]version-release`, the form rpm compares.
fn full_version(h: &RpmHeader) -> String {
    let vr = version_release(&h.version, &h.release);
    match h.epoch {
        Some(epoch) => format!("{epoch}:{vr}"),
        None => vr,
    }
}

fn version_release(version: &str, release: &str) -> String {
    if release.is_empty() {
        version.to_string()
    } else {
        format!("{version}-{release}")
    }
}

fn to_package(h: RpmHeader, env: &Env<'_>) -> Package {
    let epoch = h.epoch.map(|e| e.to_string()).unwrap_or_default();
    let distro = env.os.map(|os| os.distro()).unwrap_or_default();
    let arch = h.arch.clone().unwrap_or_default();
    let purl = purl(
        Ecosystem::Rpm.purl_type(),
        env.os.map(|os| os.id.as_str()),
        &h.name,
        &version_release(&h.version, &h.release),
        &[("arch", &arch), ("epoch", &epoch), ("distro", &distro)],
    );
    let mut p = Package::new(NAME, Ecosystem::Rpm, &h.name, full_version(&h), purl);
    p.source = h
        .source_rpm
        .as_deref()
        .and_then(parse_source_rpm)
        .map(|(name, vr)| SourcePackage {
            name: name.to_string(),
            // The file name has no epoch; a source package shares its binaries' epoch.
            version: match h.epoch {
                Some(e) => format!("{e}:{vr}"),
                None => vr.to_string(),
            },
        });
    p.licenses = h.license.into_iter().filter(|l| !l.is_empty()).collect();
    p.arch = h.arch.filter(|a| !a.is_empty());
    p.metadata = [
        ("modularitylabel", h.modularity_label),
        ("vendor", h.vendor),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
    .collect();
    p
}

/// `util-linux-2.32.1-42.el8_8.src.rpm` → (`util-linux`, `2.32.1-42.el8_8`): name, version
/// and release split at the last two dashes.
pub(crate) fn parse_source_rpm(file: &str) -> Option<(&str, &str)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, _release) = stem.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    let vr = stem.get(name.len().checked_add(1)?..)?;
    (!name.is_empty()).then_some((name, vr))
}

/// Byte order of a database file (rpm headers themselves are always big-endian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

fn u16_at(data: &[u8], off: usize, order: Order) -> Option<u16> {
    let bytes: [u8; 2] = data.get(off..off.checked_add(2)?)?.try_into().ok()?;
    Some(match order {
        Order::Little => u16::from_le_bytes(bytes),
        Order::Big => u16::from_be_bytes(bytes),
    })
}

fn u32_at(data: &[u8], off: usize, order: Order) -> Option<u32> {
    let bytes: [u8; 4] = data.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(match order {
        Order::Little => u32::from_le_bytes(bytes),
        Order::Big => u32::from_be_bytes(bytes),
    })
}

fn be_u32(data: &[u8], off: usize) -> Option<u32> {
    u32_at(data, off, Order::Big)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_splits_from_the_right() {
        assert_eq!(
            parse_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm"),
            Some(("util-linux", "2.32.1-42.el8_8"))
        );
        assert_eq!(parse_source_rpm("x-1.nosrc.rpm"), None);
        assert_eq!(parse_source_rpm("(none)"), None);
        assert_eq!(parse_source_rpm("-1-2.src.rpm"), None);
    }

    #[test]
    fn paths_pick_backends() {
        assert_eq!(backend("var/lib/rpm/Packages"), Some(Backend::Bdb));
        assert_eq!(
            backend("usr/lib/sysimage/rpm/Packages.db"),
            Some(Backend::Ndb)
        );
        assert_eq!(backend("var/lib/rpm/rpmdb.sqlite"), Some(Backend::Sqlite));
        assert_eq!(backend("var/lib/rpm/Name"), None);
    }
}
