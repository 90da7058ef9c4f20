//! Syft's own JSON (`syft -o json`, schema 16): `artifacts` with `purl`, `locations` (path and
//! `layerID`, the layer's diff_id) and `metadata` (dpkg `source`/`sourceVersion`, apk
//! `originPackage`, rpm `sourceRpm`); `distro` for the OS; `source.metadata.layers` for the
//! order of the image's layers.

use serde_json::Value;

use super::{Found, Reader, array, expect_object, kind_of, object, string};
use crate::os::OsInfo;
use crate::package::{PackageLocation, SourcePackage};

pub(crate) fn read(doc: &Value, reader: &mut Reader<'_>) -> Result<(), String> {
    expect_object(doc, "the document")?;
    if let Some(source) = object(doc, "source", "the document")?
        && let Some(metadata) = object(source, "metadata", "source")?
    {
        for (i, layer) in array(metadata, "layers", "source.metadata")?
            .iter()
            .enumerate()
        {
            let at = format!("source.metadata.layers[{i}]");
            expect_object(layer, &at)?;
            reader.layer(i, string(layer, "digest", &at)?)?;
        }
    }
    if let Some(distro) = object(doc, "distro", "the document")? {
        let at = "distro";
        let id_like = array(distro, "idLike", at)?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        reader.set_os(OsInfo {
            id: string(distro, "id", at)?
                .unwrap_or_default()
                .to_ascii_lowercase(),
            version_id: string(distro, "versionID", at)?
                .unwrap_or_default()
                .to_string(),
            version_codename: string(distro, "versionCodename", at)?
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            pretty_name: string(distro, "prettyName", at)?
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            id_like,
        });
    }
    for (i, a) in array(doc, "artifacts", "the document")?.iter().enumerate() {
        let at = format!("artifacts[{i}]");
        expect_object(a, &at)?;
        artifact(a, at, reader)?;
    }
    Ok(())
}

fn artifact(a: &Value, at: String, reader: &mut Reader<'_>) -> Result<(), String> {
    let mut found = Found {
        name: string(a, "name", &at)?,
        version: string(a, "version", &at)?,
        purl: string(a, "purl", &at)?,
        cataloger: string(a, "foundBy", &at)?,
        ..Found::default()
    };
    for (i, l) in array(a, "licenses", &at)?.iter().enumerate() {
        let at = format!("{at}.licenses[{i}]");
        let text = match l {
            Value::String(s) => Some(s.as_str()),
            Value::Object(_) => string(l, "spdxExpression", &at)?
                .filter(|e| !e.is_empty())
                .or(string(l, "value", &at)?),
            other => {
                return Err(format!(
                    "{at} is {}, expected a string or an object",
                    kind_of(other)
                ));
            }
        };
        if let Some(t) = text.filter(|t| !t.is_empty() && t.len() <= super::MAX_STRING) {
            found.licenses.push(t.to_string());
        }
    }
    for (i, l) in array(a, "locations", &at)?.iter().enumerate() {
        let at = format!("{at}.locations[{i}]");
        expect_object(l, &at)?;
        let Some(path) = string(l, "path", &at)? else {
            continue;
        };
        let layer = match string(l, "layerID", &at)?.filter(|d| !d.is_empty()) {
            Some(digest) => reader.layer_by_digest(digest)?,
            None => 0,
        };
        found.locations.push(PackageLocation {
            path: path.to_string(),
            layer,
        });
    }
    if let Some(m) = object(a, "metadata", &at)? {
        let at = format!("{at}.metadata");
        found.arch = string(m, "architecture", &at)?.filter(|a| !a.is_empty());
        let source = string(m, "source", &at)?.or(string(m, "originPackage", &at)?);
        if let Some(name) = source.filter(|s| !s.is_empty()) {
            found.source = Some(SourcePackage {
                name: name.to_string(),
                version: string(m, "sourceVersion", &at)?
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        found.source_rpm = string(m, "sourceRpm", &at)?.filter(|s| !s.is_empty());
    }
    reader.add(found)
}
