//! Reading an SBOM instead of an image (`seaworthy image sbom:FILE`): CycloneDX 1.4–1.6 JSON,
//! SPDX 2.2/2.3 JSON and Syft JSON become an [`Inventory`] the matcher reads like a catalogued
//! image's.
//!
//! Every component or package with a package-url of an ecosystem seaworthy matches becomes a
//! [`Package`]: ecosystem, name and version from the purl (an rpm's `epoch` qualifier joins the
//! version as the rpm cataloger writes it), the source package of an OS package from what the
//! SBOM records (seaworthy's own `seaworthy:source:*` properties or SPDX `sourceInfo`, Syft's
//! `metadata` or `syft:metadata:*` properties, the purl's `upstream` qualifier), and where it
//! was found (path and layer) when the SBOM says. The OS comes from the operating-system
//! component (CycloneDX), the `OPERATING_SYSTEM` package (SPDX), `distro` (Syft), else the
//! `distro` qualifier of an OS package's purl. seaworthy's own CycloneDX and SPDX documents
//! read back to the packages they were written from.
//!
//! An SBOM is untrusted input: its size is bounded by the caller, JSON nesting by serde_json's
//! depth limit, the number of packages by [`Limits::max_packages`], every string by
//! [`MAX_STRING`]; errors say where in the document and what is wrong, never quote it.

mod cyclonedx;
mod spdx;
mod syft;

use std::collections::BTreeMap;
use std::str::FromStr;

use packageurl::PackageUrl;
use seaworthy_oci::Limits;
use serde_json::Value;

use crate::cataloger::Inventory;
use crate::os::OsInfo;
use crate::package::{Ecosystem, Package, PackageLocation, SourcePackage};

/// Longest string read from an SBOM (a name, version, purl, path), in bytes.
pub const MAX_STRING: usize = 16 << 10;

/// The cataloger name of packages whose SBOM does not name one seaworthy has.
pub const CATALOGER: &str = "sbom";

/// Which kind of document was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomKind {
    CycloneDx,
    Spdx,
    Syft,
}

impl SbomKind {
    pub fn name(self) -> &'static str {
        match self {
            SbomKind::CycloneDx => "CycloneDX",
            SbomKind::Spdx => "SPDX",
            SbomKind::Syft => "Syft JSON",
        }
    }
}

/// An SBOM read.
#[derive(Debug, Clone)]
pub struct SbomDocument {
    pub kind: SbomKind,
    /// The OS and the packages, as a catalogued image's.
    pub inventory: Inventory,
    /// The layers the packages' locations name, by index: the digest when the SBOM gives it.
    pub layers: Vec<Option<String>>,
    /// Components or packages left out, by reason (`no package-url`, `package-url type swift`).
    pub left_out: BTreeMap<String, usize>,
}

/// Reads a CycloneDX, SPDX or Syft JSON document. The `Err` says what is wrong and where (a
/// JSON path or a line and column), never quoting the document.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<SbomDocument, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => return Err("is empty".into()),
        Some(b'<') => {
            return Err("is XML: seaworthy reads SBOMs in JSON (CycloneDX, SPDX, Syft)".into());
        }
        Some(b'{') => {}
        Some(_) => {
            return Err(
                "is not a JSON object: seaworthy reads CycloneDX, SPDX or Syft JSON SBOMs".into(),
            );
        }
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(json_error)?;
    let mut reader = Reader::new(limits);
    let kind = if doc.get("bomFormat").is_some() {
        cyclonedx::read(&doc, &mut reader)?;
        SbomKind::CycloneDx
    } else if doc.get("spdxVersion").is_some() {
        spdx::read(&doc, &mut reader)?;
        SbomKind::Spdx
    } else if doc.get("artifacts").is_some() {
        syft::read(&doc, &mut reader)?;
        SbomKind::Syft
    } else {
        return Err(
            "is a JSON document but not a CycloneDX, SPDX or Syft SBOM (no `bomFormat`, \
                    `spdxVersion` or `artifacts`)"
                .into(),
        );
    };
    Ok(reader.finish(kind))
}

/// What serde_json says, without the input it quotes (it quotes none for syntax errors, but
/// the wording is ours so that no future message carries the document).
fn json_error(e: serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Eof => format!("is not complete JSON: it ends early (truncated?) at {at}"),
        Category::Syntax => {
            if e.to_string().contains("recursion limit") {
                format!("nests JSON deeper than seaworthy reads (at {at})")
            } else {
                format!("is not valid JSON: syntax error at {at}")
            }
        }
        Category::Data => format!("is not valid JSON: unexpected data at {at}"),
        Category::Io => "could not be read".into(),
    }
}

/// Packages gathered while a document is walked.
pub(crate) struct Reader<'a> {
    limits: &'a Limits,
    os: Option<OsInfo>,
    packages: Vec<Package>,
    layers: Vec<Option<String>>,
    left_out: BTreeMap<String, usize>,
    known: Vec<&'static str>,
}

/// One component or package as a format reader found it, before it becomes a [`Package`].
#[derive(Default)]
pub(crate) struct Found<'a> {
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
    pub purl: Option<&'a str>,
    pub cataloger: Option<&'a str>,
    pub source: Option<SourcePackage>,
    /// An rpm's source file name (`glibc-2.34-100.el9.src.rpm`).
    pub source_rpm: Option<&'a str>,
    pub arch: Option<&'a str>,
    pub licenses: Vec<String>,
    pub locations: Vec<PackageLocation>,
    pub metadata: Vec<(String, String)>,
    /// The OS package that owns this language package (its purl), as seaworthy writes it
    /// (CycloneDX `seaworthy:owned-by`, SPDX `<OS package> CONTAINS <package>`).
    pub owned_by: Option<&'a str>,
}

impl<'a> Reader<'a> {
    fn new(limits: &'a Limits) -> Reader<'a> {
        Reader {
            limits,
            os: None,
            packages: Vec::new(),
            layers: Vec::new(),
            left_out: BTreeMap::new(),
            known: crate::catalogers::all().iter().map(|c| c.name()).collect(),
        }
    }

    pub(crate) fn set_os(&mut self, os: OsInfo) {
        if self.os.is_none() && !os.id.is_empty() {
            self.os = Some(os);
        }
    }

    /// Records the digest of layer `index` (when the document gives one).
    pub(crate) fn layer(&mut self, index: usize, digest: Option<&str>) -> Result<(), String> {
        if index >= self.limits.max_layers {
            return Err(format!(
                "names layer {index}, more than the limit of {} layers (max_layers)",
                self.limits.max_layers
            ));
        }
        if self.layers.len() <= index {
            self.layers.resize(index + 1, None);
        }
        if let Some(d) = digest.filter(|d| !d.is_empty()) {
            self.layers[index] = Some(d.to_string());
        }
        Ok(())
    }

    /// The index of the layer with this digest, added when new.
    pub(crate) fn layer_by_digest(&mut self, digest: &str) -> Result<usize, String> {
        if let Some(i) = self
            .layers
            .iter()
            .position(|l| l.as_deref() == Some(digest))
        {
            return Ok(i);
        }
        let index = self.layers.len();
        self.layer(index, Some(digest))?;
        Ok(index)
    }

    fn leave_out(&mut self, why: String) {
        *self.left_out.entry(why).or_default() += 1;
    }

    /// Adds one component or package; one without a purl of a matched ecosystem is counted as
    /// left out. `Err` only for a bound passed or a purl that does not parse.
    pub(crate) fn add(&mut self, found: Found<'_>) -> Result<(), String> {
        let Some(purl) = found.purl.filter(|p| !p.is_empty()) else {
            self.leave_out("without a package-url".into());
            return Ok(());
        };
        let parsed = match PackageUrl::from_str(purl) {
            Ok(p) => p,
            Err(_) => {
                self.leave_out("with a package-url that does not parse".into());
                return Ok(());
            }
        };
        let Some(ecosystem) = ecosystem_of(parsed.ty()) else {
            self.leave_out(format!(
                "of package-url type {}",
                seaworthy_core::text::escape_capped(parsed.ty(), 24)
            ));
            return Ok(());
        };
        let qualifier = |key: &str| {
            parsed
                .qualifiers()
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.is_empty())
        };
        let namespace = parsed.namespace().unwrap_or_default();
        let purl_name = parsed.name();
        let mut name = match ecosystem {
            Ecosystem::Npm | Ecosystem::Golang | Ecosystem::Composer if !namespace.is_empty() => {
                format!("{namespace}/{purl_name}")
            }
            _ => purl_name.to_string(),
        };
        // PyPI names are normalised in purls; the SBOM's own spelling is kept when it is the
        // same name.
        if ecosystem == Ecosystem::Pypi
            && let Some(n) = found.name
            && normalize(n) == normalize(purl_name)
        {
            name = n.to_string();
        }
        let mut version = parsed
            .version()
            .map(str::to_string)
            .or_else(|| found.version.map(str::to_string))
            .unwrap_or_default();
        if ecosystem == Ecosystem::Rpm
            && let Some(epoch) = qualifier("epoch")
            && !version.contains(':')
        {
            version = format!("{epoch}:{version}");
        }
        if name.is_empty() || version.is_empty() {
            self.leave_out("without a version".into());
            return Ok(());
        }
        let cataloger = found
            .cataloger
            .and_then(|c| self.known.iter().find(|k| **k == c).copied())
            .unwrap_or(CATALOGER);
        let mut p = Package::new(cataloger, ecosystem, name, version, purl);
        p.arch = found.arch.map(str::to_string).or_else(|| qualifier("arch"));
        p.licenses = found.licenses;
        p.locations = found.locations;
        p.metadata = found.metadata;
        if !ecosystem.is_os() {
            p.owned_by = found.owned_by.map(str::to_string);
        }
        if ecosystem == Ecosystem::Maven
            && !namespace.is_empty()
            && !p.metadata.iter().any(|(k, _)| k == "group_id")
        {
            p.metadata.push(("group_id".into(), namespace.to_string()));
        }
        p.metadata.sort();
        p.source = found
            .source
            .or_else(|| source_from_rpm(found.source_rpm, &p.version))
            .or_else(|| qualifier("upstream").and_then(|u| upstream(&u, &p)));
        if p.source.is_none() {
            p.source = default_source(&p);
        }
        // A source named without a version shares the binary's (as the catalogers record it).
        if let Some(d) = default_source(&p)
            && let Some(s) = &mut p.source
            && s.version.is_empty()
        {
            s.version = d.version;
        }
        if p.ecosystem.is_os()
            && self.os.is_none()
            && let Some(distro) = qualifier("distro")
        {
            self.os = Some(os_from_distro(&distro, namespace));
        }
        if self.packages.len() >= self.limits.max_packages {
            return Err(format!(
                "lists more than {} packages (max_packages)",
                self.limits.max_packages
            ));
        }
        self.packages.push(p);
        Ok(())
    }

    fn finish(self, kind: SbomKind) -> SbomDocument {
        let mut packages = self.packages;
        packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        SbomDocument {
            kind,
            inventory: Inventory {
                os: self.os,
                packages,
                errors: Vec::new(),
                skipped: Vec::new(),
            },
            layers: self.layers,
            left_out: self.left_out,
        }
    }
}

fn ecosystem_of(ty: &str) -> Option<Ecosystem> {
    Some(match ty {
        "deb" => Ecosystem::Deb,
        "apk" | "alpine" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "cargo" => Ecosystem::Cargo,
        "golang" => Ecosystem::Golang,
        "npm" => Ecosystem::Npm,
        "pypi" => Ecosystem::Pypi,
        "maven" => Ecosystem::Maven,
        "gem" => Ecosystem::Gem,
        "composer" => Ecosystem::Composer,
        "nuget" => Ecosystem::Nuget,
        _ => return None,
    })
}

fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// `glibc-2.34-100.el9.src.rpm`: the source package, sharing the binary's epoch.
fn source_from_rpm(file: Option<&str>, version: &str) -> Option<SourcePackage> {
    let (name, vr) = crate::catalogers::rpm::parse_source_rpm(file?)?;
    let version = match version.split_once(':') {
        Some((epoch, _)) => format!("{epoch}:{vr}"),
        None => vr.to_string(),
    };
    Some(SourcePackage {
        name: name.to_string(),
        version,
    })
}

/// The purl `upstream` qualifier: `glibc`, `glibc@2.36-9` or an rpm's source file name.
fn upstream(value: &str, p: &Package) -> Option<SourcePackage> {
    if p.ecosystem == Ecosystem::Rpm && value.ends_with(".rpm") {
        return source_from_rpm(Some(value), &p.version);
    }
    let (name, version) = value.split_once('@').unwrap_or((value, ""));
    (!name.is_empty()).then(|| SourcePackage {
        name: name.to_string(),
        version: version.to_string(),
    })
}

/// What the cataloger would record when the package names no source: a Debian package is its
/// own source at its version without a binNMU suffix, an Alpine package its own origin.
fn default_source(p: &Package) -> Option<SourcePackage> {
    match p.ecosystem {
        Ecosystem::Deb => Some(SourcePackage {
            name: p.name.clone(),
            version: crate::catalogers::dpkg::strip_binnmu(&p.version).to_string(),
        }),
        Ecosystem::Apk => Some(SourcePackage {
            name: p.name.clone(),
            version: p.version.clone(),
        }),
        _ => None,
    }
}

/// `debian-12`, `alpine-3.20.1`, `ubuntu-22.04`: id and version at the last `-` before a digit.
fn os_from_distro(distro: &str, namespace: &str) -> OsInfo {
    let (id, version) = match distro.rsplit_once('-') {
        Some((id, v)) if v.starts_with(|c: char| c.is_ascii_digit()) && !id.is_empty() => (id, v),
        _ if distro.starts_with(|c: char| c.is_ascii_digit()) && !namespace.is_empty() => {
            (namespace, distro)
        }
        _ => (distro, ""),
    };
    OsInfo {
        id: id.to_ascii_lowercase(),
        version_id: version.to_string(),
        ..OsInfo::default()
    }
}

// Typed access to untrusted JSON: a field of the wrong type is an error naming where it is.

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `v[key]` as a string: `None` when absent or null, `Err` when another type or too long.
pub(crate) fn string<'v>(v: &'v Value, key: &str, at: &str) -> Result<Option<&'v str>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() > MAX_STRING => {
            Err(format!("{at}.{key} is longer than {MAX_STRING} bytes"))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!(
            "{at}.{key} is {}, expected a string",
            kind_of(other)
        )),
    }
}

/// `v[key]` as an array: empty when absent or null, `Err` when another type.
pub(crate) fn array<'v>(v: &'v Value, key: &str, at: &str) -> Result<&'v [Value], String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(format!(
            "{at}.{key} is {}, expected an array",
            kind_of(other)
        )),
    }
}

/// `v[key]` as an object: `None` when absent or null, `Err` when another type.
pub(crate) fn object<'v>(v: &'v Value, key: &str, at: &str) -> Result<Option<&'v Value>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(o @ Value::Object(_)) => Ok(Some(o)),
        Some(other) => Err(format!(
            "{at}.{key} is {}, expected an object",
            kind_of(other)
        )),
    }
}

/// `v` itself must be an object.
pub(crate) fn expect_object(v: &Value, at: &str) -> Result<(), String> {
    match v {
        Value::Object(_) => Ok(()),
        other => Err(format!("{at} is {}, expected an object", kind_of(other))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
