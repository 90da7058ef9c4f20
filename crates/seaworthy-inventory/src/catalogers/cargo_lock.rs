//! Rust: `Cargo.lock` (all lockfile versions share the `[[package]]` array). Packages without
//! a `source` are the workspace's own crates and path dependencies, not dependencies fetched
//! from a registry or git, and are skipped.

use seaworthy_oci::FileRef;
use serde::Deserialize;

use crate::cataloger::{Cataloger, Env};
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
    package: Vec<LockedPackage>,
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

    fn wants_path(&self, path: &str) -> bool {
        path == "Cargo.lock" || path.ends_with("/Cargo.lock")
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = std::str::from_utf8(file.data)
            .map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
        let lock: Lockfile = toml::from_str(text).map_err(|e| {
            let msg = e.to_string();
            format!(
                "invalid Cargo.lock: {}",
                msg.lines().next().unwrap_or_default()
            )
        })?;
        let mut out = Vec::new();
        for pkg in &lock.package {
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
