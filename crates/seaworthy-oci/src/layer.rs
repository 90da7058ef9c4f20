//! One layer, streamed once: decompressed by magic (gzip, zstd or plain tar), tar headers
//! indexed, whiteouts noted, wanted contents captured. Nothing is written to disk.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::capture::{ContentFilter, MAGIC_LEN};
use crate::error::{ImageError, Result};
use crate::limits::Limits;
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
#[derive(Debug, Default)]
pub struct LayerIndex {
    pub entries: Vec<Entry>,
    /// Paths this layer deletes from the layers below (`.wh.name`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents this layer hides (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// Captured (and reduced) contents by path.
    pub contents: HashMap<String, Vec<u8>>,
    /// Bytes of uncompressed tar.
    pub tar_bytes: u64,
    /// Secrets found in this layer's files, by path (only with [`ContentFilter::scans_secrets`]).
    pub secrets: Vec<(String, Vec<seaworthy_secrets::Secret>)>,
}

/// Streams a layer blob and indexes it. `what` names the layer in errors.
pub fn index_layer(
    blob: impl Read,
    what: &str,
    filter: &dyn ContentFilter,
    limits: &Limits,
    progress: &dyn Progress,
) -> Result<LayerIndex> {
    let compressed = Arc::new(AtomicU64::new(0));
    let counted = Counting {
        inner: blob,
        count: compressed.clone(),
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
        read: 0,
        compressed,
        limits,
    };
    let mut index = walk_tar(&mut tar, what, filter, limits)?;
    // Drain past the end-of-archive blocks so the blob's digest is checked over every byte.
    io::copy(&mut tar, &mut io::sink()).map_err(|e| ImageError::from_read(what, e))?;
    index.tar_bytes = tar.read;
    Ok(index)
}

fn walk_tar(
    reader: &mut dyn Read,
    what: &str,
    filter: &dyn ContentFilter,
    limits: &Limits,
) -> Result<LayerIndex> {
    let mut index = LayerIndex::default();
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::from_read(what, e))?;
    let uses_magic = filter.uses_magic();
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
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
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

        match &kind {
            EntryKind::File => {
                let scan = secrets
                    && size <= seaworthy_secrets::Limits::DEFAULT.max_file_size as u64
                    && seaworthy_secrets::is_candidate_path(&path);
                let kept = if scan {
                    scan_and_capture(&mut entry, &path, size, filter, uses_magic, &mut index)
                } else {
                    capture(&mut entry, &path, size, filter, uses_magic, limits)
                };
                if let Some(data) =
                    kept.map_err(|e| ImageError::from_read(format!("{what}: {path}"), e))?
                {
                    index.contents.insert(path.clone(), data);
                } else {
                    index.contents.remove(&path);
                }
            }
            EntryKind::Hardlink(target) => {
                if filter.wants_path(&path)
                    && let Some(data) = index.contents.get(target).cloned()
                {
                    index.contents.insert(path.clone(), data);
                }
            }
            _ => {
                index.contents.remove(&path);
            }
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

fn capture(
    entry: &mut impl Read,
    path: &str,
    size: u64,
    filter: &dyn ContentFilter,
    uses_magic: bool,
    limits: &Limits,
) -> io::Result<Option<Vec<u8>>> {
    if size > limits.max_file_bytes {
        return Ok(None);
    }
    if filter.wants_path(path) {
        let mut data = Vec::with_capacity(size as usize);
        entry.take(size).read_to_end(&mut data)?;
        return Ok(filter.reduce(path, data));
    }
    if !uses_magic || size < 4 {
        return Ok(None);
    }
    let mut head = [0u8; MAGIC_LEN];
    let n = read_up_to(entry, &mut head)?;
    if !filter.wants_magic(path, &head[..n]) {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(size as usize);
    data.extend_from_slice(&head[..n]);
    entry.take(size - n as u64).read_to_end(&mut data)?;
    Ok(filter.reduce(path, data))
}

/// Reads a candidate file whole (it is under the secret scan's size limit), scans it, and keeps it
/// when the filter wants it.
fn scan_and_capture(
    entry: &mut impl Read,
    path: &str,
    size: u64,
    filter: &dyn ContentFilter,
    uses_magic: bool,
    index: &mut LayerIndex,
) -> io::Result<Option<Vec<u8>>> {
    let mut data = Vec::with_capacity(size as usize);
    entry.take(size).read_to_end(&mut data)?;
    let found = seaworthy_secrets::scan_file(path, &data);
    if !found.is_empty() {
        index.secrets.push((path.to_string(), found));
    }
    let head = &data[..data.len().min(MAGIC_LEN)];
    let wanted = filter.wants_path(path)
        || (uses_magic && data.len() >= 4 && filter.wants_magic(path, head));
    Ok(if wanted {
        filter.reduce(path, data)
    } else {
        None
    })
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
    count: Arc<AtomicU64>,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// Enforces the uncompressed size and compression-ratio limits (gzip/zstd bombs).
struct Bounded<'a, R> {
    inner: R,
    read: u64,
    compressed: Arc<AtomicU64>,
    limits: &'a Limits,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let limits = self.limits;
        if self.read > limits.max_layer_bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "layer expands past the {} byte limit",
                    limits.max_layer_bytes
                ),
            ));
        }
        if self.read > limits.ratio_floor_bytes {
            let packed = self.compressed.load(Ordering::Relaxed).max(1);
            if self.read / packed > limits.max_compression_ratio {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "layer expands more than {}:1 (compression bomb?)",
                        limits.max_compression_ratio
                    ),
                ));
            }
        }
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
