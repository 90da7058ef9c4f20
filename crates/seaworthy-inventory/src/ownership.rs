//! Language packages that belong to an OS package. Debian's `python3-pip` ships
//! `/usr/lib/python3/dist-packages/pip-23.0.1.dist-info`; the distribution patches and tracks
//! that pip, so its advisories (not PyPI's) say whether it is vulnerable. A language package is
//! *owned* when every place it was found (its manifest, its dist-info directory, its jar or
//! binary) is a file of an OS package, as the package database lists them: dpkg's
//! `info/<name>.list` (`status.d/<name>.md5sums` in distroless images), the file names in rpm
//! headers, apk's `R:` lines under `F:`. The package then carries that OS package's purl in
//! [`Package::owned_by`].
//!
//! Memory stays bounded by what is asked about: the paths of the language packages form one
//! set, and each file list is streamed past it; no list of every file is kept.

use std::collections::HashMap;

use seaworthy_oci::{FsView, Limits};

use crate::cataloger::{Cataloger, Env};
use crate::os::OsInfo;
use crate::package::Package;

/// The paths that stand for a package found at `location` (absolute): the file itself, its
/// `*.dist-info`/`*.egg-info` directory for Python metadata, and the archive of a nested jar
/// (`/app.jar:BOOT-INF/lib/x.jar`).
pub fn candidates(location: &str) -> Vec<&str> {
    let mut out = vec![location];
    if let Some(dir) = location
        .strip_suffix("/METADATA")
        .filter(|d| d.ends_with(".dist-info"))
        .or_else(|| {
            location
                .strip_suffix("/PKG-INFO")
                .filter(|d| d.ends_with(".egg-info"))
        })
    {
        out.push(dir);
    }
    if let Some((outer, _)) = location.split_once(':')
        && !outer.is_empty()
    {
        out.push(outer);
    }
    out
}

/// Marks the language packages whose every location is a file of an OS package, reading the
/// file lists of the package databases `catalogers` catalogued in `fs`.
pub fn resolve(
    catalogers: &[Box<dyn Cataloger>],
    fs: &FsView,
    os: Option<&OsInfo>,
    limits: &Limits,
    packages: &mut [Package],
) {
    // Candidate path → (package index, location index).
    let mut wanted: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if p.ecosystem.is_os() {
            continue;
        }
        for (l, location) in p.locations.iter().enumerate() {
            for c in candidates(&location.path) {
                wanted.entry(c.to_string()).or_default().push((i, l));
            }
        }
    }
    if wanted.is_empty() {
        return;
    }
    let accept = |path: &str| wanted.contains_key(path);
    // (package index, location index) → owner purl.
    let mut owned: HashMap<(usize, usize), String> = HashMap::new();
    for file in fs.captured() {
        for c in catalogers {
            if !c.wants_path(file.path) {
                continue;
            }
            let db = format!("/{}", file.path);
            let os_packages: Vec<&Package> = packages
                .iter()
                .filter(|p| {
                    p.ecosystem.is_os()
                        && p.cataloger == c.name()
                        && p.locations.iter().any(|l| l.path == db)
                })
                .collect();
            if os_packages.is_empty() {
                continue;
            }
            let env = Env::new(os, fs, limits);
            for (path, owner) in c.owned_files(&file, &env, &os_packages, &accept) {
                let Some(purl) = os_packages
                    .iter()
                    .find(|p| p.name == owner)
                    .map(|p| p.purl.clone())
                else {
                    continue;
                };
                for key in wanted.get(path.as_str()).into_iter().flatten() {
                    owned.entry(*key).or_insert_with(|| purl.clone());
                }
            }
        }
    }
    for (i, p) in packages.iter_mut().enumerate() {
        if p.ecosystem.is_os() || p.locations.is_empty() {
            continue;
        }
        let owners: Vec<Option<&String>> =
            (0..p.locations.len()).map(|l| owned.get(&(i, l))).collect();
        if owners.iter().all(Option::is_some) {
            p.owned_by = owners.first().copied().flatten().cloned();
        }
    }
}

/// Paths (absolute) of a list that `wanted` accepts: one path a line, as in dpkg's `.list`
/// files; `md5sums` lines (`<hash>  <relative path>`) when `md5sums` is set.
pub(crate) fn listed<'a>(
    text: &'a str,
    md5sums: bool,
    wanted: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = String> + 'a {
    text.lines().filter_map(move |line| {
        let path = if md5sums {
            line.split_once("  ").map(|(_, p)| p)?
        } else {
            line
        };
        let path = path.trim_end_matches('\r');
        let absolute = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        // `/.` is how dpkg lists the root directory.
        (absolute.len() > 2 && wanted(&absolute)).then_some(absolute)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_of_locations() {
        assert_eq!(
            candidates("/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA"),
            [
                "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA",
                "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info"
            ]
        );
        assert_eq!(
            candidates("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"),
            [
                "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
                "/usr/lib/python3/dist-packages/six-1.16.0.egg-info"
            ]
        );
        assert_eq!(
            candidates("/app.jar:BOOT-INF/lib/x.jar"),
            ["/app.jar:BOOT-INF/lib/x.jar", "/app.jar"]
        );
        assert_eq!(candidates("/usr/bin/hugo"), ["/usr/bin/hugo"]);
    }

    #[test]
    fn lists_and_md5sums() {
        let wanted = |p: &str| p.ends_with(".dist-info") || p == "/usr/bin/x";
        let list = "/.\n/usr\n/usr/lib/python3/dist-packages/pip-23.0.1.dist-info\n/usr/bin/x\n";
        assert_eq!(
            listed(list, false, &wanted).collect::<Vec<_>>(),
            [
                "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info",
                "/usr/bin/x"
            ]
        );
        let sums = "0123abcd  usr/bin/x\r\nbad line\n";
        assert_eq!(
            listed(sums, true, &wanted).collect::<Vec<_>>(),
            ["/usr/bin/x"]
        );
    }
}
