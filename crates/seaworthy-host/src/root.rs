//! The host filesystem below `--root DIR`: paths from the host (and from untrusted files) are
//! resolved component by component inside the root, so `..` and symlinks never leave it, and
//! every read is bounded.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

/// Largest host file read (daemon.json, unit files, /etc/group, audit rules, /proc files).
pub const MAX_READ: u64 = 4 * 1024 * 1024;
/// Symlinks followed while resolving one path.
const MAX_LINKS: usize = 40;

/// The host's `/` as seen by seaworthy (`/`, or e.g. `/host` in container mode).
#[derive(Debug, Clone)]
pub struct HostRoot {
    dir: PathBuf,
}

/// Kind, mode and owner of a host file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Permission bits (`0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub kind: FileKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
    Socket,
    Other,
}

impl FileStat {
    pub fn describe(&self) -> String {
        format!("mode {:04o} owner {}:{}", self.mode, self.uid, self.gid)
    }
}

impl HostRoot {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        HostRoot { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the root is the real `/` (commands like `auditctl` see this host).
    pub fn is_system_root(&self) -> bool {
        self.dir == Path::new("/")
    }

    /// The real path of host path `host` (absolute, as on the host) inside the root, following
    /// symlinks as the host would but never out of the root. `None` when a component is missing.
    pub fn resolve(&self, host: &str) -> Option<PathBuf> {
        let mut parts: Vec<String> = Vec::new();
        let mut pending: Vec<String> = components(host).into_iter().rev().collect();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                parts.pop();
                continue;
            }
            let candidate = self.join(&parts).join(&part);
            let meta = std::fs::symlink_metadata(&candidate).ok()?;
            if meta.file_type().is_symlink() {
                links += 1;
                if links > MAX_LINKS {
                    return None;
                }
                let target = std::fs::read_link(&candidate).ok()?;
                let target = target.to_string_lossy().into_owned();
                if target.starts_with('/') {
                    parts.clear();
                }
                pending.extend(components(&target).into_iter().rev());
            } else {
                parts.push(part);
            }
        }
        Some(self.join(&parts))
    }

    fn join(&self, parts: &[String]) -> PathBuf {
        let mut p = self.dir.clone();
        for part in parts {
            p.push(part);
        }
        p
    }

    /// Mode and owner of a host path (symlinks resolved inside the root).
    pub fn stat(&self, host: &str) -> Option<FileStat> {
        let meta = std::fs::symlink_metadata(self.resolve(host)?).ok()?;
        let ft = meta.file_type();
        let kind = if ft.is_file() {
            FileKind::File
        } else if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_socket() {
            FileKind::Socket
        } else {
            FileKind::Other
        };
        Some(FileStat {
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            kind,
        })
    }

    pub fn exists(&self, host: &str) -> bool {
        self.resolve(host).is_some_and(|p| p.exists())
    }

    /// A text file, at most [`MAX_READ`] bytes (longer files are an error naming the file).
    /// Anything but a regular file (a FIFO, a device) reads as absent and is never opened for a
    /// blocking read.
    pub fn read(&self, host: &str) -> Result<Option<String>, String> {
        use seaworthy_core::files::{self, FileErrorKind, Links};
        let Some(path) = self.resolve(host) else {
            return Ok(None);
        };
        match files::read(&path, MAX_READ, Links::Follow) {
            Ok(buf) => Ok(Some(String::from_utf8_lossy(&buf).into_owned())),
            Err(e) => match e.kind {
                FileErrorKind::TooLarge(_) => Err(format!("{host}: larger than {MAX_READ} bytes")),
                _ => Ok(None),
            },
        }
    }

    /// Like [`HostRoot::read`], but an unreadable or oversized file reads as absent.
    pub fn read_lossy(&self, host: &str) -> Option<String> {
        self.read(host).ok().flatten()
    }

    /// Names in a host directory, sorted, at most `limit`.
    pub fn list(&self, host: &str, limit: usize) -> Vec<String> {
        let Some(dir) = self.resolve(host) else {
            return Vec::new();
        };
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .take(limit)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The target of a symlink (e.g. `/proc/<pid>/fd/3` → `socket:[123]`), not followed.
    pub fn read_link(&self, host: &str) -> Option<String> {
        let mut parts = components(host);
        let last = parts.pop()?;
        let dir = self.resolve(&format!("/{}", parts.join("/")))?;
        std::fs::read_link(dir.join(last))
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
    }
}

/// The normal components of a path (`.` and empty ones dropped, `..` kept).
fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlinks_and_dotdot_stay_inside_the_root() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        std::fs::create_dir_all(root.join("etc/docker")).unwrap();
        std::fs::write(outer.path().join("secret"), "outside").unwrap();
        std::fs::write(root.join("secret"), "inside").unwrap();
        symlink("/secret", root.join("etc/abs")).unwrap();
        symlink("../../../../secret", root.join("etc/docker/rel")).unwrap();
        symlink("loop", root.join("etc/loop")).unwrap();
        let r = HostRoot::new(&root);
        assert_eq!(r.read("/etc/abs").unwrap().as_deref(), Some("inside"));
        assert_eq!(
            r.read("/etc/docker/rel").unwrap().as_deref(),
            Some("inside")
        );
        assert_eq!(r.read("/../../secret").unwrap().as_deref(), Some("inside"));
        assert_eq!(r.read("/etc/loop").unwrap(), None);
        assert_eq!(r.read("/missing").unwrap(), None);
        assert_eq!(r.stat("/etc/docker").unwrap().kind, FileKind::Dir);
    }

    #[test]
    fn reads_are_bounded() {
        let root = tempfile::tempdir().unwrap();
        let f = std::fs::File::create(root.path().join("big")).unwrap();
        f.set_len(MAX_READ + 1).unwrap();
        let r = HostRoot::new(root.path());
        let err = r.read("/big").unwrap_err();
        assert!(err.starts_with("/big:"), "{err}");
    }
}
