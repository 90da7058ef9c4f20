//! One layer, streamed once: decompressed by magic (gzip, zstd or plain tar), tar headers
//! indexed, whiteouts noted, wanted contents captured. Nothing is written to disk.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::capture::{ContentFilter, MAGIC_LEN};
use crate::error::{ImageError, Result};
use crate::limits::{CaptureBudget, Limits, Reservation};
use crate::progress::Progress;

/// What a tar entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// Target exactly as stored (absolute or relative to the link's directory).
    Symlink(String),
    /// Target path, normalised relative to the image root.
    Hardlink(String),
    /// Devices, fifos and the like.
    Other,
}

/// One indexed tar entry, its path normalised (no leading `/`, no `.` components).
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub kind: EntryKind,
    pub mode: u32,
    pub size: u64,
    pub uid: u64,
    pub gid: u64,
}

/// Everything one layer contributes to the filesystem view.
#[derive(Debug, Default, Clone)]
pub struct LayerIndex {
    pub entries: Vec<Entry>,
    /// Paths this layer deletes from the layers below (`.wh.name`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents this layer hides (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// Captured (and reduced) contents by path. Shared: a hardlink to a captured file and the
    /// same layer listed twice cost no second copy.
    pub contents: HashMap<String, Arc<Vec<u8>>>,
    /// Files the filter wanted but that were not read, by path, with the reason (a limit).
    pub skipped: HashMap<String, String>,
    /// Files (captured or skipped) whose earlier versions the view keeps when this layer
    /// rewrites them ([`ContentFilter::keeps_versions`]).
    pub versioned: HashSet<String>,
    /// Bytes of uncompressed tar.
    pub tar_bytes: u64,
    /// Secrets found in this layer's files, by path (only with [`ContentFilter::scans_secrets`]).
    pub secrets: Vec<(String, Vec<seaworthy_secrets::Secret>)>,
}

/// Streams a layer blob and indexes it. `what` names the layer in errors. Contents are read
/// only while `budget` (the image's capture budget) has room for them.
pub fn index_layer(
    blob: impl Read,
    what: &str,
    filter: &dyn ContentFilter,
    limits: &Limits,
    budget: &CaptureBudget,
    progress: &dyn Progress,
) -> Result<LayerIndex> {
    let meter = Arc::new(Meter::default());
    let counted = Counting {
        inner: blob,
        meter: meter.clone(),
        progress,
    };
    let mut buffered = BufReader::with_capacity(256 << 10, counted);
    let head = buffered
        .fill_buf()
        .map_err(|e| ImageError::from_read(what, e))?;
    let decoded: Box<dyn Read> = match head {
        [0x1f, 0x8b, ..] => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Box::new(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| ImageError::from_read(what, e))?,
        ),
        _ => Box::new(buffered),
    };
    let mut tar = Bounded {
        inner: decoded,
        meter: meter.clone(),
        limits,
    };
    let walk = Walk {
        what,
        filter,
        limits,
        budget,
        meter: &meter,
    };
    let mut index = walk.run(&mut tar)?;
    // Drain past the end-of-archive blocks so the blob's digest is checked over every byte.
    io::copy(&mut tar, &mut io::sink()).map_err(|e| ImageError::from_read(what, e))?;
    index.tar_bytes = meter.tar.load(Ordering::Relaxed);
    Ok(index)
}

/// What one layer's tar walk reads with.
struct Walk<'a> {
    what: &'a str,
    filter: &'a dyn ContentFilter,
    limits: &'a Limits,
    budget: &'a CaptureBudget,
    meter: &'a Meter,
}

/// Why a wanted file was not read.
enum NotRead {
    /// Not wanted after all (or reduced to nothing): nothing to report.
    Unwanted,
    Skipped(String),
}

impl Walk<'_> {
    fn run(&self, reader: &mut dyn Read) -> Result<LayerIndex> {
        let Walk {
            what,
            filter,
            limits,
            ..
        } = *self;
        let mut index = LayerIndex::default();
        let mut archive = tar::Archive::new(reader);
        let entries = archive
            .entries()
            .map_err(|e| ImageError::from_read(what, e))?;
        let secrets = filter.scans_secrets();
        for (n, entry) in entries.enumerate() {
            let mut entry = entry.map_err(|e| ImageError::from_tar(what, n + 1, e))?;
            if index.entries.len() as u64 >= limits.max_entries_per_layer {
                return Err(ImageError::bad(
                    what,
                    format!("more than {} entries", limits.max_entries_per_layer),
                ));
            }
            let raw_path = entry.path_bytes().into_owned();
            let Some(path) = normalize(&raw_path).map_err(|m| ImageError::bad(what, m))? else {
                continue;
            };
            let header = entry.header();
            let mode = header.mode().unwrap_or(0);
            let uid = header.uid().unwrap_or(0);
            let gid = header.gid().unwrap_or(0);
            let size = entry.size();
            let entry_type = header.entry_type();
            if entry_type == tar::EntryType::GNUSparse {
                // The holes of a sparse file cost nothing in the tar but read as zeros: they
                // count against the layer's size and ratio limits like decompressed bytes.
                let stored = header.entry_size().unwrap_or(0);
                self.meter
                    .sparse
                    .fetch_add(size.saturating_sub(stored), Ordering::Relaxed);
                self.meter
                    .check(limits)
                    .map_err(|e| ImageError::from_read(format!("{what}: {path}"), e))?;
            }

            let (dir, name) = split_parent(&path);
            if let Some(hidden) = name.strip_prefix(".wh.") {
                if hidden == ".wh..opq" {
                    index.opaque_dirs.push(dir.to_string());
                } else if !hidden.is_empty() && hidden != "." && hidden != ".." {
                    index.whiteouts.push(join(dir, hidden));
                }
                continue;
            }

            let kind = match entry_type {
                tar::EntryType::Regular
                | tar::EntryType::Continuous
                | tar::EntryType::GNUSparse => EntryKind::File,
                tar::EntryType::Directory => EntryKind::Dir,
                tar::EntryType::Symlink => {
                    let target = link_target(&entry, what, &path)?;
                    EntryKind::Symlink(String::from_utf8_lossy(&target).into_owned())
                }
                tar::EntryType::Link => {
                    let target = link_target(&entry, what, &path)?;
                    let normal = normalize(&target)
                        .map_err(|m| ImageError::bad(what, format!("hardlink {path}: {m}")))?
                        .ok_or_else(|| {
                            ImageError::bad(what, format!("hardlink {path} points at the root"))
                        })?;
                    EntryKind::Hardlink(normal)
                }
                tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => continue,
                _ => EntryKind::Other,
            };

            index.skipped.remove(&path);
            match &kind {
                EntryKind::File => {
                    let scan = secrets
                        && size <= seaworthy_secrets::Limits::DEFAULT.max_file_size as u64
                        && seaworthy_secrets::is_candidate_path(&path);
                    let kept = if scan {
                        self.scan_and_capture(&mut entry, &path, size, &mut index)
                    } else {
                        self.capture(&mut entry, &path, size)
                    };
                    match kept.map_err(|e| ImageError::from_read(format!("{what}: {path}"), e))? {
                        Ok(data) => {
                            index.contents.insert(path.clone(), data);
                        }
                        Err(not_read) => {
                            index.contents.remove(&path);
                            if let NotRead::Skipped(reason) = not_read {
                                index.skipped.insert(path.clone(), reason);
                            }
                        }
                    }
                }
                EntryKind::Hardlink(target) => {
                    if filter.wants_path(&path) {
                        // Shares the target's bytes: a link costs no second copy.
                        if let Some(data) = index.contents.get(target).cloned() {
                            index.contents.insert(path.clone(), data);
                        } else if let Some(reason) = index.skipped.get(target).cloned() {
                            index.skipped.insert(path.clone(), reason);
                        }
                    }
                }
                _ => {
                    index.contents.remove(&path);
                }
            }
            if (index.contents.contains_key(&path) || index.skipped.contains_key(&path))
                && filter.keeps_versions(&path)
            {
                index.versioned.insert(path.clone());
            } else {
                index.versioned.remove(&path);
            }
            index.entries.push(Entry {
                path,
                kind,
                mode,
                size,
                uid,
                gid,
            });
        }
        Ok(index)
    }

    /// The contents of a file the filter wants (by path, or by its first bytes), reduced, or
    /// why they were not kept.
    fn capture(
        &self,
        entry: &mut impl Read,
        path: &str,
        size: u64,
    ) -> io::Result<std::result::Result<Arc<Vec<u8>>, NotRead>> {
        let filter = self.filter;
        let by_path = filter.wants_path(path);
        let (max, name) = match filter.read_limit(path).filter(|_| by_path) {
            Some((max, name)) if max < self.limits.max_file_bytes => (max, name),
            _ => (self.limits.max_file_bytes, "max_file_bytes"),
        };
        if size > max {
            // Binaries picked by their magic bytes may be any size; a package database or
            // lockfile named by its path that is too large to read is reported.
            return Ok(Err(if by_path {
                NotRead::Skipped(format!(
                    "not read: {size} bytes, over the {max} byte limit for one file ({name})"
                ))
            } else {
                NotRead::Unwanted
            }));
        }
        let mut head = [0u8; MAGIC_LEN];
        let mut n = 0;
        if !by_path {
            if !filter.uses_magic() || size < 4 {
                return Ok(Err(NotRead::Unwanted));
            }
            n = read_up_to(entry, &mut head)?;
            if !filter.wants_magic(path, &head[..n]) {
                return Ok(Err(NotRead::Unwanted));
            }
        }
        let reservation = self.budget.reserve(size);
        let mut data = Vec::with_capacity(size as usize);
        data.extend_from_slice(&head[..n]);
        entry.take(size - n as u64).read_to_end(&mut data)?;
        Ok(self.keep(reservation, path, data))
    }

    /// Reads a candidate file whole (it is under the secret scan's size limit), scans it, and
    /// keeps it when the filter wants it.
    fn scan_and_capture(
        &self,
        entry: &mut impl Read,
        path: &str,
        size: u64,
        index: &mut LayerIndex,
    ) -> io::Result<std::result::Result<Arc<Vec<u8>>, NotRead>> {
        let filter = self.filter;
        let mut data = Vec::with_capacity(size as usize);
        entry.take(size).read_to_end(&mut data)?;
        let found = seaworthy_secrets::scan_file(path, &data);
        if !found.is_empty() {
            index.secrets.push((path.to_string(), found));
        }
        let head = &data[..data.len().min(MAGIC_LEN)];
        let wanted = filter.wants_path(path)
            || (filter.uses_magic() && data.len() >= 4 && filter.wants_magic(path, head));
        if !wanted {
            return Ok(Err(NotRead::Unwanted));
        }
        let reservation = self.budget.reserve(data.len() as u64);
        Ok(self.keep(reservation, path, data))
    }

    /// Reduces what was read and charges what is kept to the capture budget.
    fn keep(
        &self,
        reservation: Reservation<'_>,
        path: &str,
        data: Vec<u8>,
    ) -> std::result::Result<Arc<Vec<u8>>, NotRead> {
        let size = data.len() as u64;
        match self.filter.reduce(path, data) {
            Some(kept) if reservation.keep(kept.len() as u64) => Ok(kept.into()),
            Some(_) => Err(self.over_budget(size)),
            None => Err(NotRead::Unwanted),
        }
    }

    fn over_budget(&self, size: u64) -> NotRead {
        NotRead::Skipped(format!(
            "not kept ({size} bytes): the image's capture budget of {} bytes is spent \
             (max_captured_bytes)",
            self.budget.max()
        ))
    }
}

fn link_target<R: Read>(entry: &tar::Entry<'_, R>, what: &str, path: &str) -> Result<Vec<u8>> {
    let target = entry
        .link_name_bytes()
        .ok_or_else(|| ImageError::bad(what, format!("link {path} has no target")))?;
    if target.len() > 4096 {
        return Err(ImageError::bad(
            what,
            format!("link {path} has a target longer than 4096 bytes"),
        ));
    }
    Ok(target.into_owned())
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Normalises a tar path: strips leading `/` and `./`, drops `.` components, rejects `..`.
/// `Ok(None)` is the root itself.
pub fn normalize(raw: &[u8]) -> Result<Option<String>, String> {
    let text = String::from_utf8_lossy(raw);
    if text.contains('\0') {
        return Err(format!("path {text:?} contains a NUL byte"));
    }
    let mut out = String::with_capacity(text.len());
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(format!("path {text:?} escapes the image root (`..`)")),
            _ => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(part);
            }
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

pub(crate) fn split_parent(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    }
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Counts bytes that pass (the compressed side of a layer).
struct Counting<'a, R> {
    inner: R,
    meter: Arc<Meter>,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.compressed.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// Bytes one layer has cost so far: as stored, as uncompressed tar, and the holes of sparse
/// files (which read as zeros without being stored).
#[derive(Debug, Default)]
struct Meter {
    compressed: AtomicU64,
    tar: AtomicU64,
    sparse: AtomicU64,
}

impl Meter {
    /// Enforces the uncompressed size and compression-ratio limits (gzip/zstd bombs, sparse
    /// files). Sparse holes count as uncompressed bytes.
    fn check(&self, limits: &Limits) -> io::Result<()> {
        let sparse = self.sparse.load(Ordering::Relaxed);
        let expanded = self.tar.load(Ordering::Relaxed).saturating_add(sparse);
        let why = if sparse > 0 {
            " (sparse files count at their expanded size)"
        } else {
            ""
        };
        if expanded > limits.max_layer_bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "layer expands past the {} byte limit (max_layer_bytes){why}",
                    limits.max_layer_bytes
                ),
            ));
        }
        if expanded > limits.ratio_floor_bytes {
            let packed = self.compressed.load(Ordering::Relaxed).max(1);
            if expanded / packed > limits.max_compression_ratio {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "layer expands more than {}:1 (compression bomb?){why}",
                        limits.max_compression_ratio
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Counts the uncompressed tar and enforces the layer limits as it is read.
struct Bounded<'a, R> {
    inner: R,
    meter: Arc<Meter>,
    limits: &'a Limits,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.meter.tar.fetch_add(n as u64, Ordering::Relaxed);
        self.meter.check(self.limits)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize(b"./etc/passwd"), Ok(Some("etc/passwd".into())));
        assert_eq!(normalize(b"/etc//x/./y/"), Ok(Some("etc/x/y".into())));
        assert_eq!(normalize(b"./"), Ok(None));
        assert!(normalize(b"../etc/passwd").is_err());
        assert!(normalize(b"a/../../b").is_err());
    }
}
