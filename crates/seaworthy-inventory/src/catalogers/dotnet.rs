//! .NET: `*.deps.json`, written next to a built application or library. Its `libraries`
//! map names every dependency as `Name/Version`; those of type `package` came from NuGet
//! (`project` and `reference` entries are the application's own code).

use std::collections::BTreeMap;

use seaworthy_oci::FileRef;
use serde::Deserialize;

use super::json::{Capped, with_max_items};
use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "dotnet-deps";

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(DepsJsonCataloger)
}

struct DepsJsonCataloger;

#[derive(Deserialize)]
struct DepsJson {
    libraries: Option<Capped<BTreeMap<String, Library>>>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Cataloger for DepsJsonCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path.ends_with(".deps.json")
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let deps: DepsJson = with_max_items(env.limits.max_packages_per_file, || {
            serde_json::from_slice(file.data)
        })
        .map_err(|e| format!("invalid deps.json: {e}"))?;
        let libraries = deps.libraries.ok_or("no \"libraries\" object")?.0;
        let mut out = Vec::new();
        for (key, library) in &libraries {
            if library.kind.as_deref() != Some("package") {
                continue;
            }
            let Some((name, version)) = key
                .split_once('/')
                .filter(|(n, v)| !n.is_empty() && !v.is_empty())
            else {
                return Err(format!("library {key:?} is not `Name/Version`"));
            };
            out.push(Package::new(
                NAME,
                Ecosystem::Nuget,
                name,
                version,
                purl("nuget", None, name, version, &[]),
            ));
        }
        Ok(out)
    }
}
