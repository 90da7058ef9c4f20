//! Random access to the files of an image on disk: a directory (OCI layout) or a tar archive
//! (docker-archive, OCI archive) indexed once, members then read in place by offset.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

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
                format!("{size} bytes, more than the {limit} byte limit"),
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

/// An OCI layout directory.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> DirStore {
        DirStore {
            root: root.to_path_buf(),
        }
    }
}

impl BlobStore for DirStore {
    fn name(&self) -> String {
        self.root.display().to_string()
    }

    fn open(&self, path: &str) -> Result<Option<(Box<dyn Read + Send>, u64)>> {
        let rel = normalize(path.as_bytes())
            .map_err(|m| ImageError::bad(self.name(), m))?
            .ok_or_else(|| ImageError::bad(self.name(), "empty member path"))?;
        let full = self.root.join(rel);
        match File::open(&full) {
            Ok(file) => {
                let meta = file
                    .metadata()
                    .map_err(|e| ImageError::io(full.display().to_string(), e))?;
                if !meta.is_file() {
                    return Err(ImageError::bad(
                        full.display().to_string(),
                        "not a regular file",
                    ));
                }
                Ok(Some((Box::new(file), meta.len())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ImageError::io(full.display().to_string(), e)),
        }
    }
}

/// A tar archive whose members are located once and then read by offset, in parallel.
pub struct TarStore {
    path: PathBuf,
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
        let file = File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ImageError::not_found(&what),
            _ => ImageError::io(&what, e),
        })?;
        let mut archive = tar::Archive::new(file);
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
        let what = self.name();
        let mut file = File::open(&self.path).map_err(|e| ImageError::io(&what, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(&what, e))?;
        Ok(Some((Box::new(file.take(size)), size)))
    }
}
