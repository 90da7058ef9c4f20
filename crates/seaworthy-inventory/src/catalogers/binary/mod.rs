//! Compiled binaries (ELF): Go build info (`.go.buildinfo`) and Rust cargo-auditable
//! dependency lists (`.dep-v0`). Files are picked by the ELF magic and reduced on the layer's
//! thread to a small payload, so the binary itself is dropped at once; ELF files that are
//! neither Go nor auditable Rust reduce to nothing. Only headers and the two sections are read.

mod auditable;
mod elf;
mod go;

use seaworthy_oci::FileRef;
use serde::{Deserialize, Serialize};

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

use auditable::Crate;
use go::{Found, GoBuildInfo, GoModule};

const NAME: &str = "binary";
/// Start of every reduced payload; the rest is JSON.
const PAYLOAD_MAGIC: &[u8] = b"SWBIN1\n";
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
/// Directories whose ELF files are never programs worth reading.
const SKIPPED_DIRS: &[&str] = &["usr/share/doc/", "usr/share/man/"];

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(Binary)
}

struct Binary;

/// What `reduce` keeps of a binary.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    go: Option<GoBuildInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rust: Vec<Crate>,
    /// Why a build-info section that was present could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

impl Cataloger for Binary {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Binaries are reduced to their build information while the layer streams: bounded by the
    /// capture limit (`max_file_bytes`).
    fn parse_limit(&self, limits: &seaworthy_oci::Limits) -> u64 {
        limits.max_file_bytes
    }

    fn wants_path(&self, _path: &str) -> bool {
        false
    }

    fn uses_magic(&self) -> bool {
        true
    }

    fn wants_magic(&self, path: &str, head: &[u8]) -> bool {
        matches!(elf::file_type(head), Some(ET_EXEC | ET_DYN))
            && !SKIPPED_DIRS.iter().any(|dir| path.starts_with(dir))
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        let payload = inspect(&data)?;
        drop(data);
        let mut out = PAYLOAD_MAGIC.to_vec();
        serde_json::to_writer(&mut out, &payload).ok()?;
        Some(out)
    }

    /// A reduced payload, or an ELF file in a view that was not reduced (loose files).
    fn claims(&self, data: &[u8]) -> bool {
        data.starts_with(PAYLOAD_MAGIC) || data.starts_with(elf::MAGIC)
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        let payload: Payload = match file.data.strip_prefix(PAYLOAD_MAGIC) {
            Some(json) => {
                serde_json::from_slice(json).map_err(|e| format!("bad binary payload: {e}"))?
            }
            None => inspect(file.data).unwrap_or_default(),
        };
        let mut packages = Vec::new();
        if let Some(info) = &payload.go {
            packages.extend(go_packages(info));
        }
        packages.extend(payload.rust.iter().map(rust_package));
        match payload.errors.first() {
            Some(error) if packages.is_empty() => Err(error.clone()),
            _ => Ok(packages),
        }
    }
}

/// Build info found in an ELF file; `None` when it has none (or is no valid ELF at all, which
/// is not this cataloger's business to report).
fn inspect(data: &[u8]) -> Option<Payload> {
    let elf = elf::Elf::parse(data).ok()?;
    let mut payload = Payload::default();
    let go_bytes = if elf.has_sections() {
        elf.section_data(b".go.buildinfo")
    } else {
        Ok(elf.first_data_segment())
    };
    match go_bytes.and_then(|bytes| bytes.map(go::read).transpose()) {
        Ok(Some(Found::Info(info))) => payload.go = Some(info),
        Ok(Some(Found::Unsupported | Found::Absent) | None) => {}
        Err(e) => payload.errors.push(format!("Go build info: {e}")),
    }
    match elf.section_data(b".dep-v0") {
        Ok(Some(bytes)) => match auditable::read(bytes) {
            Ok(crates) => payload.rust = crates,
            Err(e) => payload.errors.push(e),
        },
        Ok(None) => {}
        Err(e) => payload.errors.push(e),
    }
    let empty = payload.go.is_none() && payload.rust.is_empty() && payload.errors.is_empty();
    (!empty).then_some(payload)
}

/// The main module, every dependency and the standard library of one Go binary.
fn go_packages(info: &GoBuildInfo) -> Vec<Package> {
    let mut common = vec![("go_version".to_string(), info.go_version.clone())];
    let arch = setting(info, "GOARCH");
    let mut packages = Vec::new();
    if let Some(main) = &info.main {
        let mut p = go_module_package(main, &common);
        p.metadata.push(("main_module".into(), "true".into()));
        if !info.path.is_empty() {
            p.metadata.push(("main_path".into(), info.path.clone()));
        }
        p.metadata.extend(
            info.settings
                .iter()
                .map(|(k, v)| (format!("build:{k}"), v.clone())),
        );
        packages.push(p);
    }
    packages.extend(info.deps.iter().map(|dep| go_module_package(dep, &common)));
    let toolchain = info
        .go_version
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let stdlib = toolchain.strip_prefix("go").unwrap_or(toolchain);
    if !stdlib.is_empty() {
        packages.push(Package::new(
            NAME,
            Ecosystem::Golang,
            "stdlib",
            stdlib,
            purl("golang", None, "stdlib", stdlib, &[]),
        ));
        if let Some(p) = packages.last_mut() {
            p.metadata = std::mem::take(&mut common);
        }
    }
    for p in &mut packages {
        p.arch = arch.clone();
        p.metadata.sort();
    }
    packages
}

/// A module as built: a module replacement takes its place, a local directory replacement
/// keeps the module's path with the directory's version (`(devel)`).
fn go_module_package(module: &GoModule, common: &[(String, String)]) -> Package {
    let mut metadata = common.to_vec();
    let (path, version, sum) = match module.replace.as_deref() {
        Some(r) if is_local_dir(&r.path) => {
            metadata.push(("replace_dir".into(), r.path.clone()));
            metadata.push((
                "replaced".into(),
                format!("{} {}", module.path, module.version),
            ));
            (&module.path, &r.version, &r.sum)
        }
        Some(r) => {
            metadata.push((
                "replaced".into(),
                format!("{} {}", module.path, module.version),
            ));
            (&r.path, &r.version, &r.sum)
        }
        None => (&module.path, &module.version, &module.sum),
    };
    if !sum.is_empty() {
        metadata.push(("h1_digest".into(), sum.clone()));
    }
    let mut p = Package::new(
        NAME,
        Ecosystem::Golang,
        path,
        version,
        go_purl(path, version),
    );
    p.metadata = metadata;
    p
}

/// `pkg:golang/github.com/foo/bar@v1`: the module path's last element is the name.
fn go_purl(path: &str, version: &str) -> String {
    match path.rsplit_once('/') {
        Some((namespace, name)) => purl("golang", Some(namespace), name, version, &[]),
        None => purl("golang", None, path, version, &[]),
    }
}

fn is_local_dir(path: &str) -> bool {
    path.starts_with("./") || path.starts_with("../") || path.starts_with('/') || path == "."
}

fn setting(info: &GoBuildInfo, key: &str) -> Option<String> {
    info.settings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn rust_package(c: &Crate) -> Package {
    let mut p = Package::new(
        NAME,
        Ecosystem::Cargo,
        &c.name,
        &c.version,
        purl("cargo", None, &c.name, &c.version, &[]),
    );
    if !c.source.is_empty() {
        p.metadata.push(("source".into(), c.source.clone()));
    }
    if let Some(kind) = &c.kind {
        p.metadata.push(("kind".into(), kind.clone()));
    }
    if c.root {
        p.metadata.push(("root".into(), "true".into()));
    }
    p.metadata.sort();
    p
}
