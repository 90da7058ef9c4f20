//! Rust: `Cargo.lock` (all lockfile versions share the `[[package]]` array). Packages without
//! a `source` are the workspace's own crates and path dependencies, not dependencies fetched
//! from a registry or git, and are skipped.

use seaworthy_oci::FileRef;
use serde::Deserialize;

use super::json::{Capped, is_over_limit, with_max_items};
use crate::cataloger::{Cataloger, Env, check_count};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "cargo-lock";

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(CargoLockCataloger)
}

struct CargoLockCataloger;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Capped<Vec<LockedPackage>>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    source: Option<String>,
}

impl Cataloger for CargoLockCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    /// TOML is parsed into a whole document first (about 50 times the file's size): a
    /// Cargo.lock may be an eighth of [`seaworthy_oci::Limits::max_parse_bytes`] (4 MiB by
    /// default; the largest real ones are a few hundred KiB).
    fn parse_limit(&self, limits: &seaworthy_oci::Limits) -> u64 {
        limits.max_parse_bytes / 8
    }

    fn wants_path(&self, path: &str) -> bool {
        path == "Cargo.lock" || path.ends_with("/Cargo.lock")
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = std::str::from_utf8(file.data)
            .map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
        let lock: Lockfile =
            with_max_items(env.limits.max_packages_per_file, || toml::from_str(text)).map_err(
                |e| {
                    let msg = e.to_string();
                    if is_over_limit(&msg) {
                        return check_count(usize::MAX, env.limits.max_packages_per_file)
                            .err()
                            .unwrap_or(msg);
                    }
                    format!(
                        "invalid Cargo.lock: {}",
                        msg.lines().next().unwrap_or_default()
                    )
                },
            )?;
        let mut out = Vec::new();
        for pkg in &lock.package.0 {
            let Some(source) = pkg.source.as_deref() else {
                continue;
            };
            let mut p = Package::new(
                NAME,
                Ecosystem::Cargo,
                pkg.name.as_str(),
                pkg.version.as_str(),
                purl("cargo", None, &pkg.name, &pkg.version, &[]),
            );
            if source != CRATES_IO {
                p.metadata.push(("source".into(), source.to_string()));
            }
            out.push(p);
        }
        Ok(out)
    }
}
