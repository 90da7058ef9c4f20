//! `dir:PATH` and `rootfs:PATH`: an unpacked root filesystem (a `docker export` extracted, a
//! chroot, a mounted volume) read as one pseudo-layer, through the same layer walk as an
//! image's layers: the directory is written as a tar stream on a thread and indexed by
//! [`crate::layer::index_layer`], so every cataloger, limit and guard of an image scan applies.
//!
//! The walk never leaves the root and never blocks: every directory and file is opened relative
//! to its parent with `O_NOFOLLOW` (a symbolic link is recorded as a link, with its target as
//! stored, and resolved later inside the root by the filesystem view, like a link in a layer);
//! FIFOs, sockets and devices are recorded, never opened; each regular file is opened
//! non-blocking, checked to be the file that was listed (same device and inode, still regular),
//! and read up to the size it was listed with (a file that shrinks meanwhile reads as zeros, one
//! that grows is cut). A file that cannot be read (permissions) or a hard link owned by another
//! user than the root directory's owner (which cannot be told from the host file it may link
//! to) is recorded without contents, as a device is. Nothing is executed.

use std::ffi::{CStr, CString, OsStr};
use std::io::{self, BufWriter, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use serde_json::Value;

use crate::error::{ImageError, Result};
use crate::image::{ImageConfig, ImageInfo, LayerInfo};
use crate::limits::Limits;
use crate::sources::{ImageSource, LayerBlob};

/// The media type the pseudo-layer is listed with.
pub const MEDIA_TYPE: &str = "application/vnd.seaworthy.rootfs.directory";

/// An unpacked root filesystem.
pub struct Rootfs {
    info: ImageInfo,
    root: PathBuf,
    max_entries: u64,
}

impl Rootfs {
    /// Opens the directory at `path` (a link in `path` itself is followed: the user named it);
    /// `reference` is the input as given, the name reports use.
    pub fn open(path: &Path, reference: &str, limits: &Limits) -> Result<Rootfs> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ImageError::not_found(path.display().to_string()),
            _ => ImageError::io(path.display().to_string(), e),
        })?;
        if !meta.is_dir() {
            return Err(ImageError::bad(
                path.display().to_string(),
                "is not a directory: `dir:` and `rootfs:` take an unpacked root filesystem \
                 (an image archive is given by its path or `docker-archive:PATH`)",
            ));
        }
        let info = ImageInfo {
            reference: reference.to_string(),
            source: "rootfs",
            manifest_digest: None,
            config_digest: None,
            repo_tags: Vec::new(),
            config: ImageConfig {
                os: "linux".into(),
                raw: Value::Null,
                ..ImageConfig::default()
            },
            layers: vec![LayerInfo {
                digest: None,
                diff_id: None,
                media_type: MEDIA_TYPE.into(),
                size: None,
                history: None,
            }],
        };
        Ok(Rootfs {
            info,
            root: path.to_path_buf(),
            max_entries: limits.max_entries_per_layer,
        })
    }
}

impl ImageSource for Rootfs {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, _index: usize) -> Result<LayerBlob<'_>> {
        let what = &self.info.reference;
        let (reader, writer) = io::pipe().map_err(|e| ImageError::io(what, e))?;
        let root = self.root.clone();
        let max_entries = self.max_entries;
        let handle = std::thread::Builder::new()
            .name("rootfs-tar".into())
            .spawn(move || write_tar(&root, writer, max_entries))
            .map_err(|e| ImageError::io(what, e))?;
        Ok(LayerBlob {
            reader: Box::new(Joined {
                reader,
                handle: Some(handle),
            }),
            verify: None,
            size: None,
        })
    }

    fn layer_key(&self, _index: usize) -> Option<String> {
        None
    }
}

/// The tar stream's reading end; at its end, the walk's own error (if any) is the error.
struct Joined {
    reader: io::PipeReader,
    handle: Option<JoinHandle<io::Result<()>>>,
}

impl Read for Joined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        if n == 0
            && !buf.is_empty()
            && let Some(handle) = self.handle.take()
        {
            match handle.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(io::Error::other("the directory walk failed")),
            }
        }
        Ok(n)
    }
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK
}

fn file_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY
}

/// Writes the tree below `root` as a tar stream to `out`, depth first, names sorted.
fn write_tar(root: &Path, out: impl Write, max_entries: u64) -> io::Result<()> {
    let root_fd = rustix::fs::open(root, dir_flags() & !OFlags::NOFOLLOW, Mode::empty())?;
    let owner = rustix::fs::fstat(&root_fd)?.st_uid;
    let mut tar = tar::Builder::new(BufWriter::with_capacity(256 << 10, out));
    tar.follow_symlinks(false);
    let mut walk = Walk {
        tar,
        owner,
        entries: 0,
        max_entries,
    };
    let mut stack: Vec<(OwnedFd, PathBuf)> = vec![(root_fd, PathBuf::new())];
    while let Some((fd, rel)) = stack.pop() {
        let mut names: Vec<CString> = Vec::new();
        for entry in rustix::fs::Dir::read_from(&fd)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_bytes() == b"." || name.to_bytes() == b".." {
                continue;
            }
            walk.count()?;
            names.push(name.to_owned());
        }
        names.sort();
        // Children are pushed in reverse so that they are walked in name order.
        let mut children = Vec::new();
        for name in &names {
            let path = rel.join(OsStr::from_bytes(name.to_bytes()));
            if let Some(child) = walk.entry(fd.as_fd(), name, &path)? {
                children.push((child, path));
            }
        }
        stack.extend(children.into_iter().rev());
    }
    walk.tar.into_inner()?.flush()
}

struct Walk<W: Write> {
    tar: tar::Builder<W>,
    owner: u32,
    entries: u64,
    max_entries: u64,
}

impl<W: Write> Walk<W> {
    fn count(&mut self) -> io::Result<()> {
        self.entries = self.entries.saturating_add(1);
        if self.entries > self.max_entries {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("more than {} entries", self.max_entries),
            ));
        }
        Ok(())
    }

    /// Records one entry of the directory `parent`; a directory opened to walk is returned.
    fn entry(
        &mut self,
        parent: std::os::fd::BorrowedFd<'_>,
        name: &CStr,
        path: &Path,
    ) -> io::Result<Option<OwnedFd>> {
        let st = match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            // Gone since it was listed.
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut header = tar::Header::new_gnu();
        header.set_mode(st.st_mode & 0o7777);
        header.set_uid(u64::from(st.st_uid));
        header.set_gid(u64::from(st.st_gid));
        header.set_mtime(u64::try_from(st.st_mtime).unwrap_or(0));
        header.set_size(0);
        match FileType::from_raw_mode(st.st_mode) {
            FileType::Directory => {
                header.set_entry_type(tar::EntryType::Directory);
                self.tar.append_data(&mut header, path, io::empty())?;
                match rustix::fs::openat(parent, name, dir_flags(), Mode::empty()) {
                    Ok(fd) => {
                        let opened = rustix::fs::fstat(&fd)?;
                        if (opened.st_dev, opened.st_ino) == (st.st_dev, st.st_ino) {
                            return Ok(Some(fd));
                        }
                        Ok(None)
                    }
                    // Unreadable or swapped for something else: listed, not walked.
                    Err(_) => Ok(None),
                }
            }
            FileType::Symlink => {
                let target = match rustix::fs::readlinkat(parent, name, Vec::new()) {
                    Ok(t) => t.into_bytes(),
                    Err(_) => Vec::new(),
                };
                header.set_entry_type(tar::EntryType::Symlink);
                self.tar
                    .append_link(&mut header, path, OsStr::from_bytes(&target))?;
                Ok(None)
            }
            FileType::RegularFile => {
                let size = u64::try_from(st.st_size).unwrap_or(0);
                match self.open_file(parent, name, &st) {
                    Some(file) => {
                        header.set_entry_type(tar::EntryType::Regular);
                        header.set_size(size);
                        let padded = Padded {
                            inner: file.take(size),
                            left: size,
                        };
                        self.tar.append_data(&mut header, path, padded)?;
                    }
                    None => self.not_read(&mut header, path)?,
                }
                Ok(None)
            }
            FileType::CharacterDevice => {
                header.set_entry_type(tar::EntryType::Char);
                self.tar.append_data(&mut header, path, io::empty())?;
                Ok(None)
            }
            FileType::BlockDevice => {
                header.set_entry_type(tar::EntryType::Block);
                self.tar.append_data(&mut header, path, io::empty())?;
                Ok(None)
            }
            // FIFOs, sockets and anything else: listed, never opened.
            _ => {
                self.not_read(&mut header, path)?;
                Ok(None)
            }
        }
    }

    /// A file recorded without contents (the layer walk sees "something else", as a FIFO).
    fn not_read(&mut self, header: &mut tar::Header, path: &Path) -> io::Result<()> {
        header.set_entry_type(tar::EntryType::Fifo);
        header.set_size(0);
        self.tar.append_data(header, path, io::empty())
    }

    /// Opens the regular file `name` of `parent` as listed (`st`), or `None` when it cannot be
    /// read, is no longer that file, or is a hard link owned by another user than the root's.
    fn open_file(
        &self,
        parent: std::os::fd::BorrowedFd<'_>,
        name: &CStr,
        st: &rustix::fs::Stat,
    ) -> Option<std::fs::File> {
        let fd = rustix::fs::openat(parent, name, file_flags(), Mode::empty()).ok()?;
        let opened = rustix::fs::fstat(&fd).ok()?;
        let same = (opened.st_dev, opened.st_ino) == (st.st_dev, st.st_ino)
            && FileType::from_raw_mode(opened.st_mode) == FileType::RegularFile;
        let foreign_link = opened.st_nlink > 1 && opened.st_uid != self.owner;
        (same && !foreign_link).then(|| std::fs::File::from(fd))
    }
}

/// Exactly `left` bytes: the file's, then zeros if it shrank since it was listed.
struct Padded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Padded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match self.inner.read(&mut buf[..want]) {
            Ok(0) | Err(_) => {
                buf[..want].fill(0);
                want
            }
            Ok(n) => n,
        };
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::capture::ExactPaths;
    use crate::layer::EntryKind;

    #[test]
    fn links_stay_inside_and_fifos_are_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/os-release"), b"ID=alpine\n").unwrap();
        let outside = dir.path().join("secret");
        std::fs::write(&outside, b"host secret").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("etc/passwd")).unwrap();
        std::os::unix::fs::symlink("../../../../secret", root.join("etc/group")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("etc/shadow"))
            .status()
            .unwrap();
        assert!(status.success());
        let want = ["etc/os-release", "etc/passwd", "etc/group", "etc/shadow"];
        let filter = ExactPaths(&want);
        let mut opts = crate::LoadOptions::new(&filter);
        opts.limits = Limits::default();
        let image = crate::load(&format!("dir:{}", root.display()), &opts).unwrap();
        assert_eq!(image.info.source, "rootfs");
        assert_eq!(image.info.layers.len(), 1);
        assert_eq!(
            image.fs.read("etc/os-release").map(|f| f.data.to_vec()),
            Some(b"ID=alpine\n".to_vec())
        );
        // The absolute link resolves inside the root, where nothing is; so does the climbing one.
        assert!(image.fs.read("etc/passwd").is_none());
        assert!(image.fs.read("etc/group").is_none());
        assert!(matches!(
            image.fs.node("etc/shadow").map(|n| &n.kind),
            Some(EntryKind::Other)
        ));
    }

    #[test]
    fn limits_apply() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            std::fs::write(dir.path().join(format!("f{i}")), b"x").unwrap();
        }
        let mut opts = crate::LoadOptions::new(&crate::NoContent);
        opts.limits.max_entries_per_layer = 5;
        let err = crate::load(&format!("rootfs:{}", dir.path().display()), &opts).unwrap_err();
        assert!(err.is_input_error(), "{err}");
        assert!(err.to_string().contains("more than 5 entries"), "{err}");
        let err = crate::load("dir:/nonexistent/root", &opts).unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }
}
