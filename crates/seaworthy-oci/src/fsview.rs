//! The image's final filesystem: layers merged in order with whiteouts applied. Every path knows
//! the layer that last wrote it; only captured files have contents. A captured file that later
//! layers rewrote keeps its earlier versions (see [`FsView::earlier_versions`]): a package
//! database tells which layer added each package only beside the versions below it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use crate::layer::{EntryKind, LayerIndex, split_parent};

/// A path in the merged view.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: EntryKind,
    pub mode: u32,
    pub size: u64,
    pub uid: u64,
    pub gid: u64,
    /// Index of the layer that last wrote this path.
    pub layer: usize,
}

/// A captured file's contents and where they came from.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    pub path: &'a str,
    pub layer: usize,
    pub data: &'a [u8],
}

/// Why a path could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("{0}: too many levels of symbolic links")]
    Loop(String),
}

/// Hard limit on symlinks followed while resolving one path (Linux uses 40).
const MAX_SYMLINK_HOPS: usize = 40;

#[derive(Debug, Default)]
pub struct FsView {
    nodes: BTreeMap<String, Node>,
    contents: HashMap<String, Arc<Vec<u8>>>,
    secrets: Vec<LayerSecrets>,
    /// Wanted files that were not read (a limit), by path, with the reason.
    skipped: BTreeMap<String, String>,
    /// Versions of a captured file that later layers rewrote, by path, lowest first.
    earlier: HashMap<String, Vec<Earlier>>,
}

/// A version of a file that a later layer rewrote: its contents, or why they were not read.
#[derive(Debug, Clone)]
struct Earlier {
    layer: usize,
    contents: Result<Arc<Vec<u8>>, String>,
}

/// An earlier version of a file (see [`FsView::earlier_versions`]).
#[derive(Debug, Clone, Copy)]
pub struct EarlierVersion<'a> {
    /// The layer that wrote this version.
    pub layer: usize,
    /// Its contents (as captured and reduced), or why they were not read (names the limit).
    pub data: Result<&'a [u8], &'a str>,
}

/// A file in the final view whose contents a cataloger wanted but that was not read.
#[derive(Debug, Clone, Copy)]
pub struct SkippedFile<'a> {
    pub path: &'a str,
    pub layer: usize,
    /// Why (names the limit).
    pub reason: &'a str,
}

/// Secrets found in one file of one layer. Kept for every layer: a file deleted or replaced by a
/// later layer is still in the image's blobs.
#[derive(Debug, Clone)]
pub struct LayerSecrets {
    pub path: String,
    pub layer: usize,
    pub secrets: Vec<seaworthy_secrets::Secret>,
}

impl FsView {
    /// Merges layer indexes, lowest first. Fails on a hardlink whose target exists nowhere.
    pub fn from_layers(layers: Vec<LayerIndex>) -> Result<FsView, (usize, String)> {
        let order: Vec<usize> = (0..layers.len()).collect();
        FsView::from_listed_layers(layers, &order)
    }

    /// Merges the layers an image lists, lowest first, where the same layer may be listed more
    /// than once: `order[i]` is the index in `distinct` of the image's layer `i`, each distinct
    /// layer read once. A layer listed again writes every path it holds and deletes what it
    /// deletes again, so only its last listing changes the result: it is applied there (paths
    /// name that layer), its secrets name the first. Fails on a hardlink whose target exists
    /// nowhere.
    pub fn from_listed_layers(
        distinct: Vec<LayerIndex>,
        order: &[usize],
    ) -> Result<FsView, (usize, String)> {
        let mut first = vec![usize::MAX; distinct.len()];
        let mut last = vec![usize::MAX; distinct.len()];
        for (i, &d) in order.iter().enumerate() {
            let Some(slot) = first.get_mut(d) else {
                return Err((i, format!("no layer {d} to list")));
            };
            if *slot == usize::MAX {
                *slot = i;
            }
            last[d] = i;
        }
        let mut distinct: Vec<Option<LayerIndex>> = distinct.into_iter().map(Some).collect();
        let mut view = FsView::default();
        for (i, &d) in order.iter().enumerate() {
            if last[d] != i {
                continue;
            }
            if let Some(layer) = distinct[d].take() {
                view.apply(i, first[d], layer).map_err(|m| (i, m))?;
            }
        }
        Ok(view)
    }

    /// A view of loose files, all in layer 0 (catalogers' tests, directory scans).
    pub fn from_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> FsView {
        let mut view = FsView::default();
        for (path, data) in files {
            let path = path.trim_start_matches('/').to_string();
            view.nodes.insert(
                path.clone(),
                Node {
                    kind: EntryKind::File,
                    mode: 0o644,
                    size: data.len() as u64,
                    uid: 0,
                    gid: 0,
                    layer: 0,
                },
            );
            view.contents.insert(path, data.into());
        }
        view
    }

    /// Applies one layer's index as layer `layer`; its secrets are recorded as found in
    /// `secrets_layer` (the first listing of a layer listed twice).
    fn apply(
        &mut self,
        layer: usize,
        secrets_layer: usize,
        index: LayerIndex,
    ) -> Result<(), String> {
        for dir in &index.opaque_dirs {
            self.remove_below(dir);
        }
        for path in &index.whiteouts {
            self.remove(path);
        }
        self.secrets.extend(
            index
                .secrets
                .into_iter()
                .map(|(path, secrets)| LayerSecrets {
                    path,
                    layer: secrets_layer,
                    secrets,
                }),
        );
        let mut contents = index.contents;
        let mut skipped = index.skipped;
        let versioned = index.versioned;
        for entry in index.entries {
            let is_dir = entry.kind == EntryKind::Dir;
            if !is_dir
                && self
                    .nodes
                    .get(&entry.path)
                    .is_some_and(|n| n.kind == EntryKind::Dir)
            {
                self.remove_below(&entry.path);
            }
            if let EntryKind::Hardlink(target) = &entry.kind {
                if !self.nodes.contains_key(target) {
                    return Err(format!(
                        "hardlink {} points at {target}, which does not exist",
                        entry.path
                    ));
                }
                if !contents.contains_key(&entry.path)
                    && let Some(data) = self.contents.get(target)
                {
                    contents.insert(entry.path.clone(), data.clone());
                }
            }
            self.supersede(&entry, versioned.contains(&entry.path));
            match contents.remove(&entry.path) {
                Some(data) => {
                    self.contents.insert(entry.path.clone(), data);
                }
                None if !is_dir => {
                    self.contents.remove(&entry.path);
                }
                None => {}
            }
            match skipped.remove(&entry.path) {
                Some(reason) => {
                    self.skipped.insert(entry.path.clone(), reason);
                }
                None => {
                    self.skipped.remove(&entry.path);
                }
            }
            self.nodes.insert(
                entry.path,
                Node {
                    kind: entry.kind,
                    mode: entry.mode,
                    size: entry.size,
                    uid: entry.uid,
                    gid: entry.gid,
                    layer,
                },
            );
        }
        Ok(())
    }

    /// Before `entry` replaces its path: keeps the version it replaces when both are files
    /// and the filter keeps the path's versions (`versioned`: see [`LayerIndex::versioned`]),
    /// else forgets the path's earlier versions, as a deleted file's.
    fn supersede(&mut self, entry: &crate::layer::Entry, versioned: bool) {
        let is_file = |kind: &EntryKind| matches!(kind, EntryKind::File | EntryKind::Hardlink(_));
        let old = match self.nodes.get(&entry.path) {
            Some(node) if versioned && is_file(&entry.kind) && is_file(&node.kind) => {
                match (
                    self.contents.get(&entry.path),
                    self.skipped.get(&entry.path),
                ) {
                    (Some(data), _) => Some((node.layer, Ok(data.clone()))),
                    (None, Some(reason)) => Some((node.layer, Err(reason.clone()))),
                    (None, None) => None,
                }
            }
            _ => None,
        };
        match old {
            Some((layer, contents)) => self
                .earlier
                .entry(entry.path.clone())
                .or_default()
                .push(Earlier { layer, contents }),
            None => {
                if !self.earlier.is_empty() {
                    self.earlier.remove(&entry.path);
                }
            }
        }
    }

    fn remove(&mut self, path: &str) {
        self.earlier.remove(path);
        self.nodes.remove(path);
        self.contents.remove(path);
        self.skipped.remove(path);
        self.remove_below(path);
    }

    /// Removes everything under `dir` (not `dir` itself); `""` is the root.
    fn remove_below(&mut self, dir: &str) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.earlier.remove(&k);
            self.contents.remove(&k);
            self.skipped.remove(&k);
            self.nodes.remove(&k);
        }
    }

    /// Adds or replaces one path (synthetic views: rule tests, directory scans).
    pub fn insert(&mut self, path: &str, node: Node, data: Option<Vec<u8>>) {
        let path = path.trim_start_matches('/').to_string();
        self.earlier.remove(&path);
        match data {
            Some(data) => {
                self.contents.insert(path.clone(), data.into());
            }
            None => {
                self.contents.remove(&path);
            }
        }
        self.nodes.insert(path, node);
    }

    /// The versions of the file at `path` (exactly, as [`FileRef::path`]) that later layers
    /// rewrote, lowest layer first, back to where it was last created: a version deleted
    /// (whiteout, opaque directory), replaced by something other than a file, or not captured
    /// ends the list. Kept only for paths the filter names ([`crate::ContentFilter::keeps_versions`]):
    /// their contents were captured with the image and charged to its capture budget
    /// ([`crate::Limits::max_captured_bytes`]) like every captured file; a version not read
    /// names the limit.
    pub fn earlier_versions(&self, path: &str) -> Vec<EarlierVersion<'_>> {
        self.earlier
            .get(path.trim_start_matches('/'))
            .map(|versions| {
                versions
                    .iter()
                    .map(|v| EarlierVersion {
                        layer: v.layer,
                        data: match &v.contents {
                            Ok(data) => Ok(&data[..]),
                            Err(reason) => Err(reason.as_str()),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Secrets found in files of every layer, lowest layer first.
    pub fn secrets(&self) -> &[LayerSecrets] {
        &self.secrets
    }

    /// Files in the final view a cataloger wanted but that were not read because of a limit
    /// (the file size, the capture budget), sorted by path.
    pub fn skipped(&self) -> Vec<SkippedFile<'_>> {
        self.skipped
            .iter()
            .map(|(path, reason)| SkippedFile {
                path,
                layer: self.nodes.get(path).map_or(0, |n| n.layer),
                reason,
            })
            .collect()
    }

    /// Records secrets found in a file (synthetic views: rule tests).
    pub fn add_secrets(&mut self, found: LayerSecrets) {
        self.secrets.push(found);
    }

    /// The node at `path` exactly (symlinks not followed).
    pub fn node(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path.trim_start_matches('/'))
    }

    /// Every path in the view, sorted.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Resolves symlinks in every component, inside the image root: absolute targets start at
    /// the image root and `..` stops there, as under chroot. Nothing outside the image is touched.
    pub fn resolve(&self, path: &str) -> Result<String, ResolveError> {
        let mut todo: VecDeque<String> = path.split('/').map(str::to_string).collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = todo.pop_front() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => current.push(part),
            }
            let here = current.join("/");
            if let Some(Node {
                kind: EntryKind::Symlink(target),
                ..
            }) = self.nodes.get(&here)
            {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(ResolveError::Loop(path.to_string()));
                }
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                for part in target.split('/').rev() {
                    todo.push_front(part.to_string());
                }
            }
        }
        Ok(current.join("/"))
    }

    /// Contents of the file at `path` (symlinks followed inside the root), if captured.
    pub fn read(&self, path: &str) -> Option<FileRef<'_>> {
        let resolved = self.resolve(path).ok()?;
        let (key, data) = self.contents.get_key_value(&resolved)?;
        let layer = self.nodes.get(&resolved).map_or(0, |n| n.layer);
        Some(FileRef {
            path: key,
            layer,
            data: &data[..],
        })
    }

    /// Every captured file visible in the final view, sorted by path.
    pub fn captured(&self) -> Vec<FileRef<'_>> {
        let mut files: Vec<FileRef<'_>> = self
            .contents
            .iter()
            .map(|(path, data)| FileRef {
                path,
                layer: self.nodes.get(path).map_or(0, |n| n.layer),
                data: &data[..],
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(b.path));
        files
    }

    /// Children names of a directory, sorted.
    pub fn children(&self, dir: &str) -> Vec<&str> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| {
                let rest = &k[prefix.len()..];
                (!rest.contains('/')).then_some(split_parent(k).1)
            })
            .collect()
    }
}
