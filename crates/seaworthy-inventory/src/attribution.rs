//! Which layer added each package of a package database. Every install rewrites the whole
//! database, so the layer that last wrote it is only the last layer that installed anything: a
//! package is attributed instead to the lowest layer from which the same name, version and
//! architecture is present in every version of the database up to the image's (the versions
//! later layers rewrote are kept by [`seaworthy_oci::FsView::earlier_versions`]). A later layer
//! that rewrites the database without changing a package does not take it; one that upgrades
//! it does. Every cataloger's files get this (see [`crate::Cataloger::keeps_versions`]):
//! lockfiles are rewritten whole too, and a `chown -R` rewrites any file unchanged.

use std::collections::HashSet;

use seaworthy_oci::FileRef;

use crate::cataloger::Env;
use crate::package::{Package, PackageLocation};

/// What identifies a package across versions of its database: name, version, architecture.
pub type Key = (String, String, Option<String>);

/// Most earlier versions of one database read, nearest first; packages present in all of them
/// keep the layer that last wrote the database, with a skipped note.
pub const MAX_VERSIONS: usize = 64;

/// The key of a package.
pub fn key(p: &Package) -> Key {
    (p.name.clone(), p.version.clone(), p.arch.clone())
}

/// The layer that added each of `keys` (the packages of the version `top_layer` wrote), given
/// the earlier versions nearest first, each as the layer that wrote it and its keys or why it
/// could not be read. Versions are read only while some package is in every one so far (each
/// parsed once, one at a time). Packages still present when a version cannot be read keep
/// `top_layer`, and the second value says why.
pub fn adding_layers<I>(top_layer: usize, keys: &[Key], earlier: I) -> (Vec<usize>, Option<String>)
where
    I: IntoIterator<Item = (usize, Result<HashSet<Key>, String>)>,
{
    let mut layers = vec![top_layer; keys.len()];
    let mut present: Vec<usize> = (0..keys.len()).collect();
    for (layer, version) in earlier {
        if present.is_empty() {
            break;
        }
        match version {
            Ok(set) => {
                present.retain(|&i| set.contains(&keys[i]));
                for &i in &present {
                    layers[i] = layer;
                }
            }
            Err(reason) => {
                for &i in &present {
                    layers[i] = top_layer;
                }
                let note = format!(
                    "the version layer {layer} wrote was not read ({reason}): {} packages are \
                     attributed to layer {top_layer}, which last wrote the file, not to the \
                     layer that added them",
                    present.len()
                );
                return (layers, Some(note));
            }
        }
    }
    (layers, None)
}

/// Gives the packages read from `file` that have no location yet the layer that added each,
/// reading the file's earlier versions with `read` (their keys). A note on what could not be
/// read is a skipped part of the file.
pub fn attribute<F>(file: &FileRef<'_>, env: &Env<'_>, packages: &mut [Package], read: F)
where
    F: Fn(&[u8]) -> Result<HashSet<Key>, String>,
{
    let mut unplaced: Vec<&mut Package> = packages
        .iter_mut()
        .filter(|p| p.locations.is_empty())
        .collect();
    let versions = env.fs.earlier_versions(file.path);
    if versions.is_empty() || unplaced.is_empty() {
        return;
    }
    let keys: Vec<Key> = unplaced.iter().map(|p| key(p)).collect();
    let nearest = versions
        .iter()
        .rev()
        .take(MAX_VERSIONS)
        .map(|v| (v.layer, v.data.map_err(str::to_string).and_then(&read)));
    let beyond = versions
        .len()
        .checked_sub(MAX_VERSIONS + 1)
        .and_then(|i| versions.get(i))
        .map(|v| {
            let reason = format!("more than {MAX_VERSIONS} earlier versions of the file");
            (v.layer, Err(reason))
        });
    let (layers, note) = adding_layers(file.layer, &keys, nearest.chain(beyond));
    for (p, layer) in unplaced.iter_mut().zip(layers) {
        p.locations.push(PackageLocation {
            path: format!("/{}", file.path),
            layer,
        });
    }
    if let Some(note) = note {
        env.skip(note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(name: &str, version: &str) -> Key {
        (name.into(), version.into(), None)
    }

    fn set(keys: &[Key]) -> Result<HashSet<Key>, String> {
        Ok(keys.iter().cloned().collect())
    }

    #[test]
    fn lowest_layer_of_an_unbroken_run() {
        let top = [k("musl", "1"), k("busybox", "2"), k("curl", "8")];
        // Nearest first: layer 2 rewrote it unchanged, layer 1 added curl with busybox 1,
        // layer 0 had musl and busybox 1.
        let earlier = vec![
            (2, set(&top)),
            (1, set(&[k("musl", "1"), k("busybox", "1"), k("curl", "8")])),
            (0, set(&[k("musl", "1"), k("busybox", "1")])),
        ];
        assert_eq!(adding_layers(3, &top, earlier), (vec![0, 2, 1], None));
    }

    #[test]
    fn a_gap_restarts_the_run() {
        let top = [k("a", "1")];
        let earlier = vec![(1, set(&[])), (0, set(&top))];
        assert_eq!(adding_layers(2, &top, earlier).0, vec![2]);
    }

    #[test]
    fn unreadable_versions_keep_the_top_layer_and_say_so() {
        let top = [k("a", "1"), k("b", "1")];
        let earlier = vec![
            (2, set(&top)),
            (1, Err("over the capture budget".to_string())),
            (0, set(&top)),
        ];
        let (layers, note) = adding_layers(3, &top, earlier);
        assert_eq!(layers, vec![3, 3]);
        assert!(note.is_some_and(|n| n.contains("layer 1") && n.contains("2 packages")));
        // Nothing left to attribute: the unreadable version is never reached.
        let earlier = vec![(2, set(&[])), (1, Err("unread".to_string()))];
        assert_eq!(adding_layers(3, &top, earlier), (vec![3, 3], None));
    }
}
