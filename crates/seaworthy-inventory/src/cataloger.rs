//! The cataloger contract and the set that runs them: one [`ContentFilter`] for the layer walk
//! (so each file is read once), then every captured file handed to the catalogers that claim it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use seaworthy_core::text;
use seaworthy_oci::{ContentFilter, FileRef, FsView, Limits};
use serde::Serialize;

use crate::attribution::{self, Key};
use crate::os::{OS_FILES, OsInfo, detect};
use crate::package::{Ecosystem, Package, PackageLocation};

/// What a cataloger may look at besides its own file, and where it says what it skipped.
pub struct Env<'a> {
    pub os: Option<&'a OsInfo>,
    pub fs: &'a FsView,
    /// The scan's limits; a parser that yields packages as it goes stops at
    /// [`Limits::max_packages_per_file`] (see [`Env::check_count`]).
    pub limits: &'a Limits,
    skipped: Mutex<Skipped>,
}

/// What one file's cataloger could not read while it read the rest.
#[derive(Default)]
struct Skipped {
    notes: Vec<String>,
    more: usize,
}

/// Skip notes kept per file; the rest are counted.
pub const MAX_SKIP_NOTES: usize = 16;

impl<'a> Env<'a> {
    pub fn new(os: Option<&'a OsInfo>, fs: &'a FsView, limits: &'a Limits) -> Env<'a> {
        Env {
            os,
            fs,
            limits,
            skipped: Mutex::default(),
        }
    }

    /// Records a part of the file that could not be read (a damaged record, a stanza without
    /// a version, a nested archive past a bound) while the rest is inventoried: the scan
    /// reports it as a warning, never drops it silently. `what` is escaped when reported.
    pub fn skip(&self, what: impl Into<String>) {
        let mut s = self.skipped.lock().unwrap_or_else(PoisonError::into_inner);
        if s.notes.len() < MAX_SKIP_NOTES {
            s.notes.push(what.into());
        } else {
            s.more += 1;
        }
    }

    /// The skip notes recorded so far, emptied; more than [`MAX_SKIP_NOTES`] end in a count.
    pub fn take_skipped(&self) -> Vec<String> {
        let mut s = self.skipped.lock().unwrap_or_else(PoisonError::into_inner);
        let mut notes = std::mem::take(&mut s.notes);
        let more = std::mem::take(&mut s.more);
        if more > 0 {
            notes.push(format!("{more} more parts skipped"));
        }
        notes
    }
    /// `Err` naming the limit once a file has yielded more than `max_packages_per_file`
    /// packages (or records that become packages).
    pub fn check_count(&self, yielded: usize) -> Result<(), String> {
        check_count(yielded, self.limits.max_packages_per_file)
    }
}

/// `Err` naming the limit when `yielded` is over `max` packages for one file.
pub fn check_count(yielded: usize, max: usize) -> Result<(), String> {
    if yielded > max {
        Err(format!(
            "more than {max} packages in one file (max_packages_per_file)"
        ))
    } else {
        Ok(())
    }
}

/// Most errors an inventory lists; the rest are counted in one last error.
pub const MAX_ERRORS: usize = 1000;

/// Files larger than this are parsed one at a time: a parse may cost many times its file's
/// size (a TOML document, an rpm database copied into sqlite), and two at once would add up.
pub const LARGE_FILE_BYTES: usize = 1 << 20;

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

    /// Attribute the packages of this file (one it wants by path) to the layers that added
    /// them, from the versions of the file that later layers rewrote (see
    /// [`crate::attribution`]; packages `catalog` gives a location keep it)? A package
    /// database or lockfile is rewritten whole by every install, and a `chown -R` or a second
    /// `COPY` rewrites any file unchanged. The earlier versions are kept in memory (within the
    /// capture budget) and parsed with [`Cataloger::catalog`].
    fn keeps_versions(&self, _path: &str) -> bool {
        true
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

    /// Largest file this cataloger parses: [`Limits::max_parse_bytes`] for text manifests,
    /// lockfiles and databases; binary formats reduced while the layer streams override it.
    fn parse_limit(&self, limits: &Limits) -> u64 {
        limits.max_parse_bytes
    }

    /// A file this cataloger reads beside the ones it catalogs (dpkg: each package's
    /// `usr/share/doc/<name>/copyright`), looked up through [`Env::fs`]: captured with the
    /// image (through [`Cataloger::reduce`]) up to the returned size, whose limit it names,
    /// and never catalogued by itself. One not read is a skipped part (a warning), not an
    /// error: only a detail of some packages is missing.
    fn side_file_limit(&self, _path: &str) -> Option<(u64, &'static str)> {
        None
    }

    /// The files of OS packages listed by this package database (`file`, which this cataloger
    /// catalogued into `packages`) that `wanted` accepts (absolute paths), each with the name
    /// of the package that owns it: dpkg's `info/<name>.list`, rpm's header file names, apk's
    /// `R:` lines (see [`crate::ownership`]). What cannot be read owns nothing.
    fn owned_files(
        &self,
        _file: &FileRef<'_>,
        _env: &Env<'_>,
        _packages: &[&Package],
        _wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        Vec::new()
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
    /// Parts of files that could not be read while the rest of the file was: damaged records,
    /// entries without a version, nested archives past a bound. Reported as warnings (exit 2
    /// under `--strict`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<CatalogError>,
}

pub struct CatalogerSet {
    catalogers: Vec<Box<dyn Cataloger>>,
    uses_magic: bool,
    limits: Limits,
}

impl CatalogerSet {
    pub fn new(catalogers: Vec<Box<dyn Cataloger>>) -> CatalogerSet {
        let uses_magic = catalogers.iter().any(|c| c.uses_magic());
        CatalogerSet {
            catalogers,
            uses_magic,
            limits: Limits::default(),
        }
    }

    /// Catalogs within `limits` (the ones the image is read with) instead of the defaults.
    pub fn with_limits(mut self, limits: Limits) -> CatalogerSet {
        self.limits = limits;
        self
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.catalogers.iter().map(|c| c.name()).collect()
    }

    /// Detects the OS, then runs every cataloger over the files it claims, in parallel. A file
    /// over its cataloger's parse limit, one yielding too many packages, and the files left
    /// once the image's package budget is spent are errors; so is every file the image read
    /// could not capture (see [`FsView::skipped`]), except side files (see
    /// [`Cataloger::side_file_limit`]), which are skipped parts. The rest is inventoried.
    pub fn catalog(&self, fs: &FsView) -> Inventory {
        let os = detect(fs);
        let limits = &self.limits;
        let files = fs.captured();
        let counted = AtomicUsize::new(0);
        let spent = AtomicBool::new(false);
        let unread = AtomicUsize::new(0);
        let large = Mutex::new(());
        let results: Vec<(Vec<Package>, Vec<CatalogError>, Vec<CatalogError>)> = files
            .par_iter()
            .map(|file| {
                let mut packages = Vec::new();
                let mut errors = Vec::new();
                let mut skipped = Vec::new();
                for c in &self.catalogers {
                    if !(c.wants_path(file.path) || c.claims(file.data)) {
                        continue;
                    }
                    let error = |message: String| CatalogError {
                        cataloger: c.name(),
                        path: format!("/{}", file.path),
                        layer: file.layer,
                        // A parser's message may quote the file: escaped and capped here, so
                        // no report or terminal gets its bytes (the path stays data).
                        message: text::within_owned(message, text::VALUE_MAX),
                    };
                    if spent.load(Ordering::Relaxed) {
                        unread.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let max = c.parse_limit(limits);
                    if file.data.len() as u64 > max {
                        errors.push(error(format!(
                            "not parsed: {} bytes, over the {max} byte limit for one file \
                             (max_parse_bytes)",
                            file.data.len()
                        )));
                        continue;
                    }
                    let versioned = c.keeps_versions(file.path);
                    let is_large = file.data.len() > LARGE_FILE_BYTES
                        || versioned
                            && fs
                                .earlier_versions(file.path)
                                .iter()
                                .any(|v| v.data.is_ok_and(|d| d.len() > LARGE_FILE_BYTES));
                    let _one_at_a_time =
                        is_large.then(|| large.lock().unwrap_or_else(PoisonError::into_inner));
                    let env = Env::new(os.as_ref(), fs, limits);
                    let found = c.catalog(file, &env).map(|mut found| {
                        if versioned {
                            attribution::attribute(file, &env, &mut found, |data| {
                                earlier_keys(c.as_ref(), file, data, &env)
                            });
                        }
                        found
                    });
                    skipped.extend(env.take_skipped().into_iter().map(&error));
                    let found = match found {
                        Ok(found) => found,
                        Err(message) => {
                            errors.push(error(message));
                            continue;
                        }
                    };
                    if let Err(message) = check_count(found.len(), limits.max_packages_per_file) {
                        errors.push(error(message));
                        continue;
                    }
                    let before = counted.fetch_add(found.len(), Ordering::Relaxed);
                    if before.saturating_add(found.len()) > limits.max_packages {
                        spent.store(true, Ordering::Relaxed);
                        errors.push(error(format!(
                            "not inventoried: the image's budget of {} packages is spent \
                             (max_packages)",
                            limits.max_packages
                        )));
                        continue;
                    }
                    packages.extend(found.into_iter().map(|mut p| {
                        if p.locations.is_empty() {
                            p.locations.push(PackageLocation {
                                path: format!("/{}", file.path),
                                layer: file.layer,
                            });
                        }
                        p
                    }));
                }
                (packages, errors, skipped)
            })
            .collect();
        let mut packages = Vec::new();
        let mut errors = Vec::new();
        let mut skipped = Vec::new();
        for (p, e, s) in results {
            packages.extend(p);
            errors.extend(e);
            skipped.extend(s);
        }
        let unread = unread.into_inner();
        if unread > 0 {
            errors.push(CatalogError {
                cataloger: "inventory",
                path: "/".to_string(),
                layer: 0,
                message: format!(
                    "{unread} more files not catalogued: the image's budget of {} packages is \
                     spent (max_packages)",
                    limits.max_packages
                ),
            });
        }
        for not_read in fs.skipped() {
            let side = self
                .catalogers
                .iter()
                .find(|c| c.side_file_limit(not_read.path).is_some());
            let cataloger = self
                .catalogers
                .iter()
                .find(|c| c.wants_path(not_read.path))
                .or(side)
                .map_or("image", |c| c.name());
            let error = CatalogError {
                cataloger,
                path: format!("/{}", not_read.path),
                layer: not_read.layer,
                message: not_read.reason.to_string(),
            };
            if side.is_some() {
                skipped.push(error);
            } else {
                errors.push(error);
            }
        }
        cap(&mut errors, "more files could not be catalogued");
        cap(&mut skipped, "more parts of files were skipped");
        let mut packages = merge_sightings(merge_duplicates(packages));
        crate::ownership::resolve(&self.catalogers, fs, os.as_ref(), limits, &mut packages);
        Inventory {
            os,
            packages,
            errors,
            skipped,
        }
    }
}

/// The packages `c` reads in an earlier version of `file` (`data`), as keys; what it skips
/// there is not reported (only the image's version is inventoried).
fn earlier_keys(
    c: &dyn Cataloger,
    file: &FileRef<'_>,
    data: &[u8],
    env: &Env<'_>,
) -> Result<HashSet<Key>, String> {
    let max = c.parse_limit(env.limits);
    if data.len() as u64 > max {
        return Err(format!(
            "{} bytes, over the {max} byte limit for one file (max_parse_bytes)",
            data.len()
        ));
    }
    let earlier = FileRef {
        path: file.path,
        layer: file.layer,
        data,
    };
    let quiet = Env::new(env.os, env.fs, env.limits);
    let found = c.catalog(&earlier, &quiet)?;
    check_count(found.len(), env.limits.max_packages_per_file)?;
    Ok(found.iter().map(attribution::key).collect())
}

/// Keeps at most [`MAX_ERRORS`] of `list`, the rest counted in one last entry.
fn cap(list: &mut Vec<CatalogError>, what: &str) {
    if list.len() > MAX_ERRORS {
        let more = list.len() - MAX_ERRORS;
        list.truncate(MAX_ERRORS);
        list.push(CatalogError {
            cataloger: "inventory",
            path: "/".to_string(),
            layer: 0,
            message: format!("{more} {what}"),
        });
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

/// An installed package's index and the project roots of its locations.
type Installed = (usize, Vec<String>);

/// The key a lockfile entry and an installed package meet on: ecosystem, name (PEP 503
/// normalised for PyPI, as pip compares them) and version, as written.
type SightingKey = (Ecosystem, String, String);

fn sighting_key(p: &Package) -> SightingKey {
    let name = match p.ecosystem {
        Ecosystem::Pypi => crate::catalogers::python::normalize_name(&p.name),
        _ => p.name.clone(),
    };
    (p.ecosystem, name, p.version.clone())
}

/// An installed manifest: npm's `node_modules/**/package.json`, Python's `dist-info` /
/// `egg-info`.
fn is_installed(p: &Package) -> bool {
    matches!(
        (p.ecosystem, p.cataloger),
        (Ecosystem::Npm, "npm-package") | (Ecosystem::Pypi, "python")
    )
}

/// A lockfile entry.
fn is_locked(p: &Package) -> bool {
    matches!(
        (p.ecosystem, p.cataloger),
        (Ecosystem::Npm, "npm-lock" | "yarn-lock")
            | (
                Ecosystem::Pypi,
                "pip-requirements" | "poetry-lock" | "pipfile-lock"
            )
    )
}

/// Folds what a project's lockfile lists into the same package installed in that project: a
/// location of a lockfile package that is the lockfile of a project root where a package of the
/// same ecosystem, name and version is installed becomes one more location of the installed
/// package. A project's installed packages are:
/// - npm: `<root>/package-lock.json`, `npm-shrinkwrap.json` or `yarn.lock` beside
///   `<root>/node_modules/…/<name>/package.json` (the root is what comes before the first
///   `node_modules`);
/// - Python: `<root>/requirements*.txt`, `poetry.lock` or `Pipfile.lock` beside a virtual
///   environment directly in the root, `<root>/<env>/lib/python3.X/site-packages/…` (or
///   `dist-packages`, `lib64`), names compared PEP 503 normalised; when the root has no such
///   environment, the system environment (`/usr/lib/python3*/…`, `/usr/local/lib/python3*/…`),
///   where `pip install -r /app/requirements.txt` puts it in an image (official `python:`
///   images, Debian's pip): the pin and the installed package are then one package too.
///
/// The installed manifest stays first (what is in the image: its location, layer, cataloger,
/// licenses and metadata); the lockfile locations follow, sorted. A lockfile package left
/// without locations is gone; one still listed by another project's lockfile, or not
/// installed, stays a package of its own.
fn merge_sightings(mut packages: Vec<Package>) -> Vec<Package> {
    let mut installed: HashMap<SightingKey, Vec<Installed>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if is_installed(p) {
            let roots = p
                .locations
                .iter()
                .filter_map(|l| installed_root(p.ecosystem, &l.path))
                .map(str::to_string)
                .collect();
            installed
                .entry(sighting_key(p))
                .or_default()
                .push((i, roots));
        }
    }
    // Python project roots that have an environment of their own.
    let env_roots: HashSet<&str> = installed
        .iter()
        .filter(|(key, _)| key.0 == Ecosystem::Pypi)
        .flat_map(|(_, list)| list)
        .flat_map(|(_, roots)| roots.iter().map(String::as_str))
        .filter(|r| *r != SYSTEM_ENV)
        .collect();
    let mut moved: Vec<(usize, PackageLocation)> = Vec::new();
    for p in &mut packages {
        if !is_locked(p) {
            continue;
        }
        let Some(candidates) = installed.get(&sighting_key(p)) else {
            continue;
        };
        let ecosystem = p.ecosystem;
        p.locations.retain(|l| {
            let target = lockfile_root(ecosystem, &l.path).and_then(|root| {
                let installed_in = |root: &str| {
                    candidates
                        .iter()
                        .find(|(_, roots)| roots.iter().any(|r| r == root))
                };
                installed_in(root).or_else(|| {
                    (ecosystem == Ecosystem::Pypi && !env_roots.contains(root))
                        .then(|| installed_in(SYSTEM_ENV))
                        .flatten()
                })
            });
            match target {
                Some((j, _)) => {
                    moved.push((*j, l.clone()));
                    false
                }
                None => true,
            }
        });
    }
    moved.sort();
    for (j, location) in moved {
        let locations = &mut packages[j].locations;
        if !locations.contains(&location) {
            locations.push(location);
        }
    }
    packages.retain(|p| !p.locations.is_empty());
    packages
}

/// The root [`installed_root`] gives a Python package of the system environment.
const SYSTEM_ENV: &str = "\0system";

/// The project root of a lockfile (`/app` for `/app/package-lock.json` or
/// `/app/requirements.txt`).
fn lockfile_root(ecosystem: Ecosystem, path: &str) -> Option<&str> {
    let (dir, file) = path.rsplit_once('/')?;
    let lockfile = match ecosystem {
        Ecosystem::Npm => matches!(
            file,
            "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock"
        ),
        Ecosystem::Pypi => {
            matches!(file, "poetry.lock" | "Pipfile.lock")
                || file.starts_with("requirements") && file.ends_with(".txt")
        }
        _ => false,
    };
    lockfile.then_some(dir)
}

/// The project root of an installed manifest (see [`merge_sightings`]): npm, what comes before
/// its first `node_modules` (`/app` for `/app/node_modules/a/node_modules/b/package.json`);
/// Python, the directory holding its virtual environment (`/app` for
/// `/app/.venv/lib/python3.11/site-packages/…`), [`SYSTEM_ENV`] for the system environments.
fn installed_root(ecosystem: Ecosystem, path: &str) -> Option<&str> {
    match ecosystem {
        Ecosystem::Npm => path.split_once("/node_modules/").map(|(root, _)| root),
        Ecosystem::Pypi => {
            let (lib, _) = path
                .split_once("/site-packages/")
                .or_else(|| path.split_once("/dist-packages/"))?;
            let (lib, python) = lib.rsplit_once('/')?;
            if !python.starts_with("python") {
                return None;
            }
            let env = lib
                .strip_suffix("/lib")
                .or_else(|| lib.strip_suffix("/lib64"))?;
            if matches!(env, "" | "/usr" | "/usr/local") {
                return Some(SYSTEM_ENV);
            }
            env.rsplit_once('/').map(|(root, _)| root)
        }
        _ => None,
    }
}

impl ContentFilter for CatalogerSet {
    fn wants_path(&self, path: &str) -> bool {
        OS_FILES.contains(&path)
            || self
                .catalogers
                .iter()
                .any(|c| c.wants_path(path) || c.side_file_limit(path).is_some())
    }

    fn uses_magic(&self) -> bool {
        self.uses_magic
    }

    fn keeps_versions(&self, path: &str) -> bool {
        self.catalogers
            .iter()
            .any(|c| c.wants_path(path) && c.keeps_versions(path))
    }

    fn wants_magic(&self, path: &str, head: &[u8]) -> bool {
        self.catalogers
            .iter()
            .any(|c| c.uses_magic() && c.wants_magic(path, head))
    }

    /// A file a cataloger would refuse to parse (over its [`Cataloger::parse_limit`]) is not
    /// read at all.
    fn read_limit(&self, path: &str) -> Option<(u64, &'static str)> {
        if OS_FILES.contains(&path) {
            return None;
        }
        let by_path = self.catalogers.iter().find(|c| c.wants_path(path));
        match by_path {
            Some(c) => Some((c.parse_limit(&self.limits), "max_parse_bytes")),
            None => self.catalogers.iter().find_map(|c| c.side_file_limit(path)),
        }
        .filter(|(max, _)| *max < self.limits.max_file_bytes)
    }

    fn reduce(&self, path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        if OS_FILES.contains(&path) {
            return Some(data);
        }
        let by_path = self
            .catalogers
            .iter()
            .find(|c| c.wants_path(path) || c.side_file_limit(path).is_some());
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
