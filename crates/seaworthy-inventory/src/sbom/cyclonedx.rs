//! CycloneDX 1.4–1.6 JSON: `components` (nested ones too) with their `purl`; the OS from the
//! `operating-system` component; what seaworthy writes as `seaworthy:*` properties (cataloger,
//! source package, arch, locations with layer index and digest, metadata) and what Syft writes
//! as `syft:*` properties (locations with layer, `syft:metadata:*` source package fields). A
//! language package's `seaworthy:owned-by` names the OS package that owns it.

use serde_json::Value;

use super::{Found, Reader, array, expect_object, object, string};
use crate::os::OsInfo;
use crate::package::{PackageLocation, SourcePackage};

const SPEC_VERSIONS: &[&str] = &["1.4", "1.5", "1.6"];

pub(crate) fn read(doc: &Value, reader: &mut Reader<'_>) -> Result<(), String> {
    expect_object(doc, "the document")?;
    if string(doc, "bomFormat", "the document")? != Some("CycloneDX") {
        return Err("has a `bomFormat` that is not \"CycloneDX\"".into());
    }
    match string(doc, "specVersion", "the document")? {
        Some(v) if SPEC_VERSIONS.contains(&v) => {}
        Some(_) => {
            return Err(
                "is a CycloneDX version seaworthy does not read (specVersion 1.4, 1.5 or 1.6)"
                    .into(),
            );
        }
        None => return Err("is a CycloneDX document without `specVersion`".into()),
    }
    if let Some(metadata) = object(doc, "metadata", "the document")? {
        object(metadata, "component", "metadata")?;
    }
    // Depth first, nested components after their parent; serde_json bounds the nesting.
    let mut stack: Vec<(&Value, String)> = array(doc, "components", "the document")?
        .iter()
        .enumerate()
        .rev()
        .map(|(i, c)| (c, format!("components[{i}]")))
        .collect();
    while let Some((c, at)) = stack.pop() {
        expect_object(c, &at)?;
        let nested = array(c, "components", &at)?;
        stack.extend(
            nested
                .iter()
                .enumerate()
                .rev()
                .map(|(i, n)| (n, format!("{at}.components[{i}]"))),
        );
        if string(c, "type", &at)? == Some("operating-system") {
            reader.set_os(OsInfo {
                id: string(c, "name", &at)?
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                version_id: string(c, "version", &at)?.unwrap_or_default().to_string(),
                pretty_name: string(c, "description", &at)?.map(str::to_string),
                ..OsInfo::default()
            });
            continue;
        }
        component(c, at, reader)?;
    }
    Ok(())
}

fn component(c: &Value, at: String, reader: &mut Reader<'_>) -> Result<(), String> {
    let mut found = Found {
        name: string(c, "name", &at)?,
        version: string(c, "version", &at)?,
        purl: string(c, "purl", &at)?,
        ..Found::default()
    };
    for (i, l) in array(c, "licenses", &at)?.iter().enumerate() {
        let at = format!("{at}.licenses[{i}]");
        expect_object(l, &at)?;
        if let Some(e) = string(l, "expression", &at)? {
            found.licenses.push(e.to_string());
        }
        if let Some(license) = object(l, "license", &at)? {
            let at = format!("{at}.license");
            if let Some(text) = string(license, "id", &at)?.or(string(license, "name", &at)?) {
                found.licenses.push(text.to_string());
            }
        }
    }
    let mut source_name = None;
    let mut source_version = None;
    let mut syft_paths: Vec<(String, Option<String>)> = Vec::new();
    let mut syft_index: Vec<String> = Vec::new();
    for (i, p) in array(c, "properties", &at)?.iter().enumerate() {
        let at = format!("{at}.properties[{i}]");
        expect_object(p, &at)?;
        let (Some(name), Some(value)) = (string(p, "name", &at)?, string(p, "value", &at)?) else {
            continue;
        };
        match name {
            "seaworthy:cataloger" => found.cataloger = Some(value),
            "seaworthy:source:name" | "syft:metadata:source" | "syft:metadata:originPackage" => {
                source_name = Some(value);
            }
            "seaworthy:source:version" | "syft:metadata:sourceVersion" => {
                source_version = Some(value);
            }
            "syft:metadata:sourceRpm" => found.source_rpm = Some(value),
            "seaworthy:arch" => found.arch = Some(value),
            // The owner's `bom-ref`: its purl, `#<path>` added when several share it.
            "seaworthy:owned-by" => {
                found.owned_by = Some(value.split_once("#/").map_or(value, |(purl, _)| purl));
            }
            "seaworthy:location:path" => found.locations.push(PackageLocation {
                path: value.to_string(),
                layer: 0,
            }),
            "seaworthy:layer:index" => {
                let index: usize = value
                    .parse()
                    .map_err(|_| format!("{at}: seaworthy:layer:index is not a number"))?;
                reader.layer(index, None)?;
                if let Some(l) = found.locations.last_mut() {
                    l.layer = index;
                }
            }
            "seaworthy:layer:digest" => {
                if let Some(l) = found.locations.last() {
                    reader.layer(l.layer, Some(value))?;
                }
            }
            _ => {
                if let Some(key) = name.strip_prefix("seaworthy:metadata:") {
                    found.metadata.push((key.to_string(), value.to_string()));
                } else if let Some(rest) = name.strip_prefix("syft:location:") {
                    // `syft:location:N:path`, `syft:location:N:layerID`.
                    let Some((n, field)) = rest.split_once(':') else {
                        continue;
                    };
                    let slot = match syft_index.iter().position(|k| k == n) {
                        Some(slot) => slot,
                        None => {
                            syft_index.push(n.to_string());
                            syft_paths.push((String::new(), None));
                            syft_index.len() - 1
                        }
                    };
                    match field {
                        "path" => syft_paths[slot].0 = value.to_string(),
                        "layerID" => syft_paths[slot].1 = Some(value.to_string()),
                        _ => {}
                    }
                }
            }
        }
    }
    if found.locations.is_empty() {
        for (path, layer) in syft_paths.into_iter().filter(|(p, _)| !p.is_empty()) {
            let layer = match layer {
                Some(digest) => reader.layer_by_digest(&digest)?,
                None => 0,
            };
            found.locations.push(PackageLocation { path, layer });
        }
    }
    if let Some(name) = source_name.filter(|n| !n.is_empty()) {
        found.source = Some(SourcePackage {
            name: name.to_string(),
            version: source_version.unwrap_or_default().to_string(),
        });
    }
    reader.add(found)
}
