//! Random access to the files of an image on disk: a directory (OCI layout) or a tar archive
//! (docker-archive, OCI archive) indexed once, members then read in place by offset.
//!
//! Neither follows a link out of the image: a layout's files are opened with no symbolic link
//! followed below the layout directory and only regular files read (see
//! [`seaworthy_core::files`]); an archive is opened once (a regular file, never a FIFO) and its
//! links resolve to other members only.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use seaworthy_core::files::{self, Dir, FileError, Links};

use crate::error::{ImageError, Result};
use crate::layer::normalize;

pub trait BlobStore: Sync {
    /// Human name of the store, used in errors.
    fn name(&self) -> String;
    /// Opens a member by relative path; `Ok(None)` when it does not exist.
    fn open(&self, path: &str) -> Result<Option<(Box<dyn Read + Send>, u64)>>;

    /// Reads a small member (JSON) whole, refusing anything over `limit` bytes.
    fn read_small(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        let what = format!("{}: {path}", self.name());
        let (mut reader, size) = self
            .open(path)?
            .ok_or_else(|| ImageError::bad(&what, "missing from the image"))?;
        if size > limit {
            return Err(ImageError::bad(
                &what,
                format!("larger than the {limit} byte limit"),
            ));
        }
        let mut data = Vec::with_capacity(size as usize);
        reader
            .by_ref()
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| ImageError::from_read(&what, e))?;
        Ok(data)
    }
}

/// A file of the image that cannot be read: the input's fault unless the machine failed.
pub(crate) fn file_error(e: FileError) -> ImageError {
    let what = e.path.display().to_string();
    if e.is_not_found() {
        ImageError::NotFound {
            what,
            message: Some("no such file or directory".into()),
        }
    } else if e.is_input_error() {
        ImageError::bad(what, e.message())
    } else {
        match e.kind {
            files::FileErrorKind::Io(source) => ImageError::io(what, source),
            _ => ImageError::bad(what, "cannot be read"),
        }
    }
}

/// An OCI layout directory.
pub struct DirStore {
    dir: Dir,
}

impl DirStore {
    /// Opens the layout directory at `root` (which must be a directory).
    pub fn open(root: &Path) -> Result<DirStore> {
        Ok(DirStore {
            dir: Dir::open(root).map_err(file_error)?,
        })
    }
}

impl BlobStore for DirStore {
    fn name(&self) -> String {
        self.dir.path().display().to_string()
    }

    fn open(&self, path: &str) -> Result<Option<(Box<dyn Read + Send>, u64)>> {
        let rel = normalize(path.as_bytes())
            .map_err(|m| ImageError::bad(self.name(), m))?
            .ok_or_else(|| ImageError::bad(self.name(), "empty member path"))?;
        match self.dir.open_file(&rel).map_err(file_error)? {
            Some((file, len)) => Ok(Some((Box::new(file), len))),
            None => Ok(None),
        }
    }
}

/// A tar archive whose members are located once and then read by offset, in parallel.
pub struct TarStore {
    path: PathBuf,
    /// The archive, opened once: members are read from it by position, never by reopening it.
    file: Arc<File>,
    members: HashMap<String, Member>,
}

#[derive(Debug, Clone)]
enum Member {
    Data { offset: u64, size: u64 },
    Link(String),
}

impl TarStore {
    pub fn open(path: &Path) -> Result<TarStore> {
        let what = path.display().to_string();
        // The archive is named by the user: a link to it is followed, a FIFO or device refused.
        let (file, _) = files::open(path, Links::Follow).map_err(file_error)?;
        // A file that is not a tar archive is named for what it is, not by a parser's error.
        if let Some(what_it_is) =
            crate::sniff::not_a_tar(&head(&file).map_err(|e| ImageError::io(&what, e))?)
        {
            return Err(ImageError::bad(&what, what_it_is));
        }
        let file = Arc::new(file);
        let mut archive = tar::Archive::new(PositionedReader::new(file.clone(), 0, u64::MAX));
        let mut members = HashMap::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| ImageError::from_read(&what, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ImageError::from_read(&what, e))?;
            if members.len() > 1_000_000 {
                return Err(ImageError::bad(&what, "more than a million members"));
            }
            let Ok(Some(name)) = normalize(&entry.path_bytes()) else {
                continue;
            };
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Member::Data {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                },
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    let Some(target) = entry.link_name_bytes() else {
                        continue;
                    };
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let resolved = if entry.header().entry_type() == tar::EntryType::Symlink {
                        let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                        format!("{dir}/{target}")
                    } else {
                        target
                    };
                    Member::Link(resolved)
                }
                _ => continue,
            };
            members.insert(name, member);
        }
        Ok(TarStore {
            path: path.to_path_buf(),
            file,
            members,
        })
    }

    pub fn contains(&self, path: &str) -> bool {
        self.lookup(path).is_some()
    }

    fn lookup(&self, path: &str) -> Option<(u64, u64)> {
        let mut name = normalize(path.as_bytes()).ok()??;
        for _ in 0..8 {
            match self.members.get(&name)? {
                Member::Data { offset, size } => return Some((*offset, *size)),
                Member::Link(target) => name = resolve_dots(target)?,
            }
        }
        None
    }
}

/// The first [`crate::sniff::HEAD_LEN`] bytes of `file` (fewer if it is shorter).
fn head(file: &File) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    let mut buf = vec![0; crate::sniff::HEAD_LEN];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Resolves `a/../b` style member links; `None` if they climb out of the archive.
fn resolve_dots(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

impl BlobStore for TarStore {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn open(&self, path: &str) -> Result<Option<(Box<dyn Read + Send>, u64)>> {
        let Some((offset, size)) = self.lookup(path) else {
            return Ok(None);
        };
        let reader = PositionedReader::new(self.file.clone(), offset, size);
        Ok(Some((Box::new(reader), size)))
    }
}

/// Reads `len` bytes of a shared file from `offset` on, by position (`pread`), so that members
/// are read in parallel from one open file.
struct PositionedReader {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl PositionedReader {
    fn new(file: Arc<File>, offset: u64, len: u64) -> PositionedReader {
        PositionedReader {
            file,
            pos: offset,
            end: offset.saturating_add(len),
        }
    }
}

impl Read for PositionedReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for PositionedReader {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let base = |b: u64, d: i64| {
            b.checked_add_signed(d).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek out of range")
            })
        };
        self.pos = match to {
            std::io::SeekFrom::Start(p) => p,
            std::io::SeekFrom::Current(d) => base(self.pos, d)?,
            std::io::SeekFrom::End(d) => base(self.file.metadata()?.len(), d)?,
        };
        Ok(self.pos)
    }
}
