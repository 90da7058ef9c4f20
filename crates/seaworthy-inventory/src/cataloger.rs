//! The cataloger contract and the set that runs them: one [`ContentFilter`] for the layer walk
//! (so each file is read once), then every captured file handed to the catalogers that claim it.

use rayon::prelude::*;
use seaworthy_core::text;
use seaworthy_oci::{ContentFilter, FileRef, FsView};
use serde::Serialize;

use crate::os::{OS_FILES, OsInfo, detect};
use crate::package::{Package, PackageLocation};

/// What a cataloger may look at besides its own file.
pub struct Env<'a> {
    pub os: Option<&'a OsInfo>,
    pub fs: &'a FsView,
}

/// Finds packages in files of one kind. Implementations are pure: bytes in, packages out.
pub trait Cataloger: Sync {
    /// Stable name (`dpkg`, `go-binary`, …), reported on each package and error.
    fn name(&self) -> &'static str;

    /// Read this file (path relative to the image root, no leading `/`)?
    fn wants_path(&self, path: &str) -> bool;

    /// Does this cataloger pick files by magic bytes?
    fn uses_magic(&self) -> bool {
        false
    }

    /// Read this file, judged by its first bytes?
    fn wants_magic(&self, _path: &str, _head: &[u8]) -> bool {
        false
    }

    /// Shrinks a captured file to what `catalog` needs, on the layer's thread (an ELF binary
    /// to its build-info section, a jar to its manifests). `None` keeps nothing.
    fn reduce(&self, _path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        Some(data)
    }

    /// Claims a captured file by its (reduced) contents, for files picked by magic.
    fn claims(&self, _data: &[u8]) -> bool {
        false
    }

    /// The packages in one file. An `Err` names what is wrong with the file; the caller adds
    /// the path and goes on with the other files.
    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String>;
}

/// A file a cataloger could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogError {
    pub cataloger: &'static str,
    /// Absolute path in the image.
    pub path: String,
    pub layer: usize,
    pub message: String,
}

/// Everything found in an image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    pub packages: Vec<Package>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CatalogError>,
}

pub struct CatalogerSet {
    catalogers: Vec<Box<dyn Cataloger>>,
    uses_magic: bool,
}

impl CatalogerSet {
    pub fn new(catalogers: Vec<Box<dyn Cataloger>>) -> CatalogerSet {
        let uses_magic = catalogers.iter().any(|c| c.uses_magic());
        CatalogerSet {
            catalogers,
            uses_magic,
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.catalogers.iter().map(|c| c.name()).collect()
    }

    /// Detects the OS, then runs every cataloger over the files it claims, in parallel.
    pub fn catalog(&self, fs: &FsView) -> Inventory {
        let os = detect(fs);
        let env = Env {
            os: os.as_ref(),
            fs,
        };
        let files = fs.captured();
        let results: Vec<(Vec<Package>, Vec<CatalogError>)> = files
            .par_iter()
            .map(|file| {
                let mut packages = Vec::new();
                let mut errors = Vec::new();
                for c in &self.catalogers {
                    if !(c.wants_path(file.path) || c.claims(file.data)) {
                        continue;
                    }
                    match c.catalog(file, &env) {
                        Ok(found) => packages.extend(found.into_iter().map(|mut p| {
                            if p.locations.is_empty() {
                                p.locations.push(PackageLocation {
                                    path: format!("/{}", file.path),
                                    layer: file.layer,
                                });
                            }
                            p
                        })),
                        // A parser's message may quote the file: escaped and capped here, so
                        // no report or terminal gets its bytes (the path stays data).
                        Err(message) => errors.push(CatalogError {
                            cataloger: c.name(),
                            path: format!("/{}", file.path),
                            layer: file.layer,
                            message: text::within_owned(message, text::VALUE_MAX),
                        }),
                    }
                }
                (packages, errors)
            })
            .collect();
        let mut packages = Vec::new();
        let mut errors = Vec::new();
        for (p, e) in results {
            packages.extend(p);
            errors.extend(e);
        }
        Inventory {
            os,
            packages: merge_duplicates(packages),
            errors,
        }
    }
}

/// Sorts packages and folds ones found twice (same purl and cataloger) into one with both locations.
fn merge_duplicates(mut packages: Vec<Package>) -> Vec<Package> {
    for p in &mut packages {
        p.locations.sort();
        p.locations.dedup();
    }
    packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut out: Vec<Package> = Vec::with_capacity(packages.len());
    for p in packages {
        match out.last_mut() {
            Some(last) if last.purl == p.purl && last.cataloger == p.cataloger => {
                last.locations.extend(p.locations);
                last.locations.sort();
                last.locations.dedup();
            }
            _ => out.push(p),
        }
    }
    out
}

impl ContentFilter for CatalogerSet {
    fn wants_path(&self, path: &str) -> bool {
        OS_FILES.contains(&path) || self.catalogers.iter().any(|c| c.wants_path(path))
    }

    fn uses_magic(&self) -> bool {
        self.uses_magic
    }

    fn wants_magic(&self, path: &str, head: &[u8]) -> bool {
        self.catalogers
            .iter()
            .any(|c| c.uses_magic() && c.wants_magic(path, head))
    }

    fn reduce(&self, path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        if OS_FILES.contains(&path) {
            return Some(data);
        }
        let by_path = self.catalogers.iter().find(|c| c.wants_path(path));
        let chosen = by_path.or_else(|| {
            let head = &data[..data.len().min(seaworthy_oci::capture::MAGIC_LEN)];
            self.catalogers
                .iter()
                .find(|c| c.uses_magic() && c.wants_magic(path, head))
        });
        match chosen {
            Some(c) => c.reduce(path, data),
            None => Some(data),
        }
    }
}
