//! PHP: Composer's record of installed packages, `vendor/composer/installed.json`
//! (Composer 1: a JSON array; Composer 2: `{"packages": [...], "dev-package-names": [...]}`).

use seaworthy_oci::FileRef;
use serde::Deserialize;
use serde_json::Value;

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "composer";

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(ComposerCataloger)
}

struct ComposerCataloger;

/// The two layouts Composer has written.
#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V1(Vec<Value>),
    V2 {
        packages: Vec<Value>,
        #[serde(default, rename = "dev-package-names")]
        dev_package_names: Vec<Value>,
    },
}

impl Cataloger for ComposerCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path == "composer/installed.json" || path.ends_with("/composer/installed.json")
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        let value: Value =
            serde_json::from_slice(file.data).map_err(|e| format!("invalid JSON: {e}"))?;
        let installed: Installed = Installed::deserialize(value).map_err(|_| {
            "neither a package array (Composer 1) nor an object with \"packages\" (Composer 2)"
                .to_string()
        })?;
        let (packages, dev) = match &installed {
            Installed::V1(p) => (p, &[][..]),
            Installed::V2 {
                packages,
                dev_package_names,
            } => (packages, &dev_package_names[..]),
        };
        let mut out = Vec::with_capacity(packages.len());
        for (i, entry) in packages.iter().enumerate() {
            let field = |key: &str| {
                entry
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let name = field("name").ok_or_else(|| format!("package {i}: no \"name\" string"))?;
            let version =
                field("version").ok_or_else(|| format!("package {i}: no \"version\" string"))?;
            let (vendor, project) = match name.split_once('/') {
                Some((v, p)) => (Some(v), p),
                None => (None, name),
            };
            let mut p = Package::new(
                NAME,
                Ecosystem::Composer,
                name,
                version,
                purl("composer", vendor, project, version, &[]),
            );
            p.licenses = licenses_of(entry.get("license"));
            if dev.iter().any(|d| d.as_str() == Some(name)) {
                p.metadata.push(("dev".into(), "true".into()));
            }
            out.push(p);
        }
        Ok(out)
    }
}

/// `"license"`: an array of SPDX ids (or, in old files, one string).
fn licenses_of(license: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let items: Vec<&Value> = match license {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for l in items.iter().filter_map(|v| v.as_str()).map(str::trim) {
        if !l.is_empty() && !out.iter().any(|o| o == l) {
            out.push(l.to_string());
        }
    }
    out
}
