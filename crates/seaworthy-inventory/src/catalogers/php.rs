//! PHP: Composer's record of installed packages, `vendor/composer/installed.json`
//! (Composer 1: a JSON array; Composer 2: `{"packages": [...], "dev-package-names": [...]}`).

use std::collections::HashSet;
use std::fmt;

use seaworthy_oci::FileRef;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::json::{Capped, Licenses, Text, is_over_limit, take_item, with_max_items};
use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "composer";

const SHAPE: &str =
    "neither a package array (Composer 1) nor an object with \"packages\" (Composer 2)";

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(ComposerCataloger)
}

struct ComposerCataloger;

/// One installed package: its name, version and licenses; every other key skipped unbuilt.
#[derive(Deserialize)]
struct Installed {
    #[serde(default)]
    name: Text,
    #[serde(default)]
    version: Text,
    #[serde(default)]
    license: Licenses,
}

/// The two layouts Composer has written: a package array (Composer 1) or an object with
/// `packages` and `dev-package-names` (Composer 2). Read without building anything else.
struct InstalledJson {
    packages: Vec<Installed>,
    dev: HashSet<String>,
}

impl<'de> Deserialize<'de> for InstalledJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(InstalledVisitor)
    }
}

struct InstalledVisitor;

impl<'de> Visitor<'de> for InstalledVisitor {
    type Value = InstalledJson;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SHAPE)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InstalledJson, A::Error> {
        let mut packages = Vec::new();
        while let Some(p) = seq.next_element()? {
            take_item()?;
            packages.push(p);
        }
        Ok(InstalledJson {
            packages,
            dev: HashSet::new(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InstalledJson, A::Error> {
        let mut packages = None;
        let mut dev = HashSet::new();
        while let Some(key) = map.next_key::<Text>()? {
            match key.as_deref() {
                Some("packages") if packages.is_none() => {
                    packages = Some(map.next_value::<Capped<Vec<Installed>>>()?.0);
                }
                Some("dev-package-names") => {
                    let names = map.next_value::<Capped<Vec<Text>>>()?.0;
                    dev.extend(names.into_iter().filter_map(|t| t.0));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let packages = packages.ok_or_else(|| de::Error::custom(SHAPE))?;
        Ok(InstalledJson { packages, dev })
    }
}

impl Cataloger for ComposerCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path == "composer/installed.json" || path.ends_with("/composer/installed.json")
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let parsed = with_max_items(env.limits.max_packages_per_file, || {
            serde_json::from_slice::<InstalledJson>(file.data)
        });
        let installed = parsed.map_err(|e| {
            let message = e.to_string();
            if e.is_data() && !is_over_limit(&message) {
                SHAPE.to_string()
            } else {
                format!("invalid JSON: {message}")
            }
        })?;
        env.check_count(installed.packages.len())?;
        let mut out = Vec::with_capacity(installed.packages.len());
        for (i, entry) in installed.packages.into_iter().enumerate() {
            let name = entry
                .name
                .0
                .ok_or_else(|| format!("package {i}: no \"name\" string"))?;
            let version = entry
                .version
                .0
                .ok_or_else(|| format!("package {i}: no \"version\" string"))?;
            let (vendor, project) = match name.split_once('/') {
                Some((v, p)) => (Some(v), p),
                None => (None, name.as_str()),
            };
            let mut p = Package::new(
                NAME,
                Ecosystem::Composer,
                name.as_str(),
                version.as_str(),
                purl("composer", vendor, project, &version, &[]),
            );
            p.licenses = entry.license.0;
            if installed.dev.contains(&name) {
                p.metadata.push(("dev".into(), "true".into()));
            }
            out.push(p);
        }
        Ok(out)
    }
}
