//! SPDX 2.2/2.3 JSON: `packages` with a `purl` external reference; the OS from the package whose
//! `primaryPackagePurpose` is `OPERATING_SYSTEM`; what seaworthy writes in `sourceInfo`
//! (`cataloger dpkg: layer 0 sha256:…, path /var/lib/dpkg/status; source package glibc 2.36-9`);
//! an OS package that CONTAINS a package owns it.

use std::collections::HashMap;

use serde_json::Value;

use super::{Found, Reader, array, expect_object, string};
use crate::os::OsInfo;
use crate::package::{PackageLocation, SourcePackage};

const NOASSERTION: &str = "NOASSERTION";

pub(crate) fn read(doc: &Value, reader: &mut Reader<'_>) -> Result<(), String> {
    expect_object(doc, "the document")?;
    match string(doc, "spdxVersion", "the document")? {
        Some("SPDX-2.2" | "SPDX-2.3") => {}
        _ => {
            return Err(
                "is an SPDX version seaworthy does not read (spdxVersion SPDX-2.2 or SPDX-2.3)"
                    .into(),
            );
        }
    }
    let owners = owners(doc)?;
    for (i, p) in array(doc, "packages", "the document")?.iter().enumerate() {
        let at = format!("packages[{i}]");
        expect_object(p, &at)?;
        let id = string(p, "SPDXID", &at)?;
        match string(p, "primaryPackagePurpose", &at)? {
            Some("OPERATING_SYSTEM") => {
                reader.set_os(OsInfo {
                    id: string(p, "name", &at)?
                        .unwrap_or_default()
                        .to_ascii_lowercase(),
                    version_id: string(p, "versionInfo", &at)?
                        .unwrap_or_default()
                        .to_string(),
                    pretty_name: string(p, "description", &at)?.map(str::to_string),
                    ..OsInfo::default()
                });
                continue;
            }
            // The image itself.
            Some("CONTAINER") => continue,
            _ => {}
        }
        let owned_by = id.and_then(|id| owners.get(id).copied());
        package(p, at, owned_by, reader)?;
    }
    Ok(())
}

/// The purl of the OS package (a `deb`, `rpm` or `apk` purl) that CONTAINS each package, by
/// SPDX id: how seaworthy writes that a language package is a file of an OS package.
fn owners(doc: &Value) -> Result<HashMap<&str, &str>, String> {
    let mut purls: HashMap<&str, &str> = HashMap::new();
    for (i, p) in array(doc, "packages", "the document")?.iter().enumerate() {
        let at = format!("packages[{i}]");
        let Some(id) = string(p, "SPDXID", &at)? else {
            continue;
        };
        for (j, r) in array(p, "externalRefs", &at)?.iter().enumerate() {
            let at = format!("{at}.externalRefs[{j}]");
            if string(r, "referenceType", &at)? == Some("purl")
                && let Some(purl) = string(r, "referenceLocator", &at)?
                && ["pkg:deb/", "pkg:rpm/", "pkg:apk/"]
                    .iter()
                    .any(|t| purl.starts_with(t))
            {
                purls.insert(id, purl);
                break;
            }
        }
    }
    let mut owners = HashMap::new();
    for (i, r) in array(doc, "relationships", "the document")?
        .iter()
        .enumerate()
    {
        let at = format!("relationships[{i}]");
        if string(r, "relationshipType", &at)? != Some("CONTAINS") {
            continue;
        }
        if let (Some(from), Some(to)) = (
            string(r, "spdxElementId", &at)?,
            string(r, "relatedSpdxElement", &at)?,
        ) && let Some(purl) = purls.get(from)
        {
            owners.entry(to).or_insert(*purl);
        }
    }
    Ok(owners)
}

fn package<'a>(
    p: &'a Value,
    at: String,
    owned_by: Option<&'a str>,
    reader: &mut Reader<'_>,
) -> Result<(), String> {
    let mut found = Found {
        name: string(p, "name", &at)?,
        version: string(p, "versionInfo", &at)?,
        owned_by,
        ..Found::default()
    };
    for (i, r) in array(p, "externalRefs", &at)?.iter().enumerate() {
        let at = format!("{at}.externalRefs[{i}]");
        expect_object(r, &at)?;
        if string(r, "referenceType", &at)? == Some("purl") && found.purl.is_none() {
            found.purl = string(r, "referenceLocator", &at)?;
        }
    }
    if let Some(declared) = string(p, "licenseDeclared", &at)?
        && declared != NOASSERTION
        && declared != "NONE"
    {
        found.licenses.push(declared.to_string());
    }
    if let Some(info) = string(p, "sourceInfo", &at)? {
        source_info(info, &mut found, reader)?;
    }
    reader.add(found)
}

/// seaworthy's `sourceInfo`; anything else is left alone.
fn source_info<'a>(
    info: &'a str,
    found: &mut Found<'a>,
    reader: &mut Reader<'_>,
) -> Result<(), String> {
    let Some((cataloger, rest)) = info
        .strip_prefix("cataloger ")
        .and_then(|r| r.split_once(": "))
    else {
        return Ok(());
    };
    found.cataloger = Some(cataloger);
    for part in rest.split("; ") {
        if let Some(source) = part.strip_prefix("source package ") {
            let (name, version) = source.split_once(' ').unwrap_or((source, ""));
            found.source = Some(SourcePackage {
                name: name.to_string(),
                version: version.to_string(),
            });
        } else if let Some(layer) = part.strip_prefix("layer ")
            && let Some((layer, path)) = layer.split_once(", path ")
        {
            let (index, digest) = layer.split_once(' ').unwrap_or((layer, ""));
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            reader.layer(index, Some(digest))?;
            found.locations.push(PackageLocation {
                path: path.to_string(),
                layer: index,
            });
        }
    }
    Ok(())
}
