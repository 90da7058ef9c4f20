//! Reading the files a user names, and the files inside a directory a user names, so that hostile
//! input cannot make seaworthy block, read a host file through a link, or load an unbounded file.
//!
//! - Only regular files are read. A FIFO, socket, device or directory is refused before it is
//!   opened, and every open is non-blocking (`O_NONBLOCK`, `O_NOCTTY`), so a file swapped for a
//!   FIFO between the check and the open cannot block either; the opened file is checked again
//!   and must be the one that was checked (same device and inode).
//! - Below a [`Dir`] no symbolic link is followed, in any component: each component is opened
//!   relative to its parent with `O_NOFOLLOW`, and `..` or an absolute path is refused. A regular
//!   file with more than one hard link is read only when it has the owner of the directory: a
//!   hard link cannot be told from the file it links to, so one planted by another user (a link
//!   to `/etc/shadow` owned by root in a directory owned by a user) is refused, while the
//!   directory owner's own hard links (deduplicated blobs) are read.
//! - Reads are bounded: a file over its limit is an error, never silently truncated.
//! - Errors name the path and what is wrong with it, never a link's target, nor anything of a
//!   refused file's content, hash or size.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

/// Whether the last component of a path the user named may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it: the user named the path, a link included.
    Follow,
    /// Refuse it: the path was found inside an input, not named by the user.
    Refuse,
}

/// What is wrong with a file.
#[derive(Debug)]
pub enum FileErrorKind {
    NotFound,
    /// A symbolic link where none is followed.
    Symlink,
    /// Not a regular file: "a FIFO", "a directory", "a socket", …
    NotRegular(&'static str),
    /// Not a directory where one is expected: "a regular file", "a FIFO", …
    NotDirectory(&'static str),
    /// A regular file with several hard links, owned by someone other than the directory owner.
    ForeignHardlink,
    /// Larger than the limit (the limit, in bytes).
    TooLarge(u64),
    /// A path inside a directory that is absolute, empty or climbs out with `..`.
    Escapes,
    /// Changed between the check and the open.
    Changed,
    /// Reading failed for a reason of the machine (permissions, disk).
    Io(io::Error),
}

/// A file that could not be read, with its path.
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub kind: FileErrorKind,
}

impl FileError {
    fn new(path: impl Into<PathBuf>, kind: FileErrorKind) -> FileError {
        FileError {
            path: path.into(),
            kind,
        }
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> String {
        match &self.kind {
            FileErrorKind::NotFound => "no such file or directory".into(),
            FileErrorKind::Symlink => {
                "is a symbolic link; links are not followed here, so it was not read".into()
            }
            FileErrorKind::NotRegular(what) => format!("is {what}, not a regular file"),
            FileErrorKind::NotDirectory(what) => format!("is {what}, not a directory"),
            FileErrorKind::ForeignHardlink => "is a hard link to a file owned by another user \
                 than the directory's owner, so it was not read"
                .into(),
            FileErrorKind::TooLarge(limit) => format!("is larger than the {limit} byte limit"),
            FileErrorKind::Escapes => "path is absolute, empty or leaves the directory".into(),
            FileErrorKind::Changed => "changed while it was being opened".into(),
            FileErrorKind::Io(e) => e.to_string(),
        }
    }

    /// True when the file (the input) is to blame, false for a failure of the machine.
    pub fn is_input_error(&self) -> bool {
        !matches!(self.kind, FileErrorKind::Io(_))
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, FileErrorKind::NotFound)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message())
    }
}

impl std::error::Error for FileError {}

/// The flags every open uses: read-only, never blocking, never a controlling terminal.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

fn type_name(ft: FileType) -> &'static str {
    match ft {
        FileType::RegularFile => "a regular file",
        FileType::Directory => "a directory",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO",
        FileType::Socket => "a socket",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Unknown => "of an unknown type",
    }
}

fn std_type_name(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_file() {
        "a regular file"
    } else if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else {
        "of an unknown type"
    }
}

fn io_kind(e: io::Error) -> FileErrorKind {
    match e.kind() {
        io::ErrorKind::NotFound => FileErrorKind::NotFound,
        _ => FileErrorKind::Io(e),
    }
}

/// Checks an opened file: a regular file, and the one `expected` (device, inode) names.
fn check_opened(
    fd: OwnedFd,
    path: &Path,
    expected: (u64, u64),
) -> Result<(File, std::fs::Metadata), FileError> {
    let file = File::from(fd);
    let meta = file
        .metadata()
        .map_err(|e| FileError::new(path, FileErrorKind::Io(e)))?;
    if !meta.file_type().is_file() {
        return Err(FileError::new(
            path,
            FileErrorKind::NotRegular(std_type_name(meta.file_type())),
        ));
    }
    if (meta.dev(), meta.ino()) != expected {
        return Err(FileError::new(path, FileErrorKind::Changed));
    }
    Ok((file, meta))
}

/// Opens the regular file at `path` (a path the user named or one found while walking a
/// directory the user named) for reading. Returns the file and its length.
pub fn open(path: &Path, links: Links) -> Result<(File, u64), FileError> {
    let meta = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(|e| FileError::new(path, io_kind(e)))?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(FileError::new(path, FileErrorKind::Symlink));
    }
    if !ft.is_file() {
        return Err(FileError::new(
            path,
            FileErrorKind::NotRegular(std_type_name(ft)),
        ));
    }
    let mut flags = read_flags();
    if links == Links::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| {
        let e = io::Error::from(e);
        if links == Links::Refuse
            && e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
        {
            FileError::new(path, FileErrorKind::Symlink)
        } else {
            FileError::new(path, io_kind(e))
        }
    })?;
    let (file, meta) = check_opened(fd, path, (meta.dev(), meta.ino()))?;
    Ok((file, meta.len()))
}

/// Reads all of a bounded file already opened; `len` is its length as opened.
pub fn read_opened(file: File, len: u64, limit: u64, path: &Path) -> Result<Vec<u8>, FileError> {
    if len > limit {
        return Err(FileError::new(path, FileErrorKind::TooLarge(limit)));
    }
    let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| FileError::new(path, FileErrorKind::Io(e)))?;
    if data.len() as u64 > limit {
        return Err(FileError::new(path, FileErrorKind::TooLarge(limit)));
    }
    Ok(data)
}

/// Reads the regular file at `path` whole, refusing it when larger than `limit` bytes.
pub fn read(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>, FileError> {
    let (file, len) = open(path, links)?;
    read_opened(file, len, limit, path)
}

/// Like [`read`], `Ok(None)` when nothing is at `path` (an optional file such as `.env`).
pub fn read_optional(path: &Path, limit: u64, links: Links) -> Result<Option<Vec<u8>>, FileError> {
    match read(path, limit, links) {
        Ok(data) => Ok(Some(data)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// A directory the user named, whose files are opened without following any link below it.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
    owner: u32,
}

impl Dir {
    /// Opens the directory at `path` (a link in `path` itself is followed: the user named it).
    pub fn open(path: &Path) -> Result<Dir, FileError> {
        let meta = std::fs::metadata(path).map_err(|e| FileError::new(path, io_kind(e)))?;
        if !meta.is_dir() {
            return Err(FileError::new(
                path,
                FileErrorKind::NotDirectory(std_type_name(meta.file_type())),
            ));
        }
        let fd = rustix::fs::open(path, read_flags() | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| FileError::new(path, io_kind(e.into())))?;
        let opened = rustix::fs::fstat(&fd)
            .map_err(|e| FileError::new(path, FileErrorKind::Io(e.into())))?;
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
            owner: opened.st_uid,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the regular file at `rel` (`/`-separated, relative) below the directory, following
    /// no link. `Ok(None)` when it does not exist. Returns the file and its length.
    pub fn open_file(&self, rel: &str) -> Result<Option<(File, u64)>, FileError> {
        let parts: Vec<&str> = rel
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        let shown = parts.iter().fold(self.path.clone(), |p, part| p.join(part));
        if rel.starts_with('/') || parts.is_empty() || parts.contains(&"..") {
            return Err(FileError::new(shown, FileErrorKind::Escapes));
        }
        let (name, dirs) = parts.split_last().unwrap_or((&"", &[]));
        let mut here: Option<OwnedFd> = None;
        let mut at = self.path.clone();
        for dir in dirs {
            at.push(dir);
            let parent = here.as_ref().map_or(self.fd.as_fd(), |fd| fd.as_fd());
            match self.open_dir_at(parent, dir, &at) {
                Ok(fd) => here = Some(fd),
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        let parent = here.as_ref().map_or(self.fd.as_fd(), |fd| fd.as_fd());
        let before = match rustix::fs::statat(parent, *name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(FileError::new(shown, FileErrorKind::Io(e.into()))),
        };
        match FileType::from_raw_mode(before.st_mode) {
            FileType::RegularFile => {}
            FileType::Symlink => return Err(FileError::new(shown, FileErrorKind::Symlink)),
            other => {
                return Err(FileError::new(
                    shown,
                    FileErrorKind::NotRegular(type_name(other)),
                ));
            }
        }
        let fd = rustix::fs::openat(
            parent,
            *name,
            read_flags() | OFlags::NOFOLLOW,
            Mode::empty(),
        )
        .map_err(|e| match e {
            rustix::io::Errno::LOOP => FileError::new(&shown, FileErrorKind::Symlink),
            e => FileError::new(&shown, io_kind(e.into())),
        })?;
        let (file, meta) = check_opened(fd, &shown, (before.st_dev, before.st_ino))?;
        if meta.nlink() > 1 && meta.uid() != self.owner {
            return Err(FileError::new(shown, FileErrorKind::ForeignHardlink));
        }
        Ok(Some((file, meta.len())))
    }

    /// Reads the regular file at `rel` whole (see [`Dir::open_file`]); `Ok(None)` when missing.
    pub fn read_file(&self, rel: &str, limit: u64) -> Result<Option<Vec<u8>>, FileError> {
        let Some((file, len)) = self.open_file(rel)? else {
            return Ok(None);
        };
        let path = rel
            .split('/')
            .fold(self.path.clone(), |p, part| p.join(part));
        read_opened(file, len, limit, &path).map(Some)
    }

    /// Opens the directory `name` in `parent`, refusing a link or anything but a directory.
    fn open_dir_at(
        &self,
        parent: std::os::fd::BorrowedFd<'_>,
        name: &str,
        shown: &Path,
    ) -> Result<OwnedFd, FileError> {
        rustix::fs::openat(
            parent,
            name,
            read_flags() | OFlags::DIRECTORY | OFlags::NOFOLLOW,
            Mode::empty(),
        )
        .map_err(|e| match e {
            rustix::io::Errno::NOENT => FileError::new(shown, FileErrorKind::NotFound),
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => {
                // Say what is there instead, without following it.
                match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)
                    .map(|st| FileType::from_raw_mode(st.st_mode))
                {
                    Ok(FileType::Symlink) => FileError::new(shown, FileErrorKind::Symlink),
                    Ok(other) => {
                        FileError::new(shown, FileErrorKind::NotDirectory(type_name(other)))
                    }
                    Err(e) => FileError::new(shown, FileErrorKind::Io(e.into())),
                }
            }
            e => FileError::new(shown, FileErrorKind::Io(e.into())),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::process::Command;
    use std::time::{Duration, Instant};

    fn mkfifo(path: &Path) {
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success(), "mkfifo {}", path.display());
    }

    #[test]
    fn regular_files_are_read_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, b"hello").unwrap();
        assert_eq!(read(&f, 5, Links::Refuse).unwrap(), b"hello");
        let err = read(&f, 4, Links::Refuse).unwrap_err();
        assert!(matches!(err.kind, FileErrorKind::TooLarge(4)), "{err}");
        // The file's size (5) is not told; the temporary path may hold a 5 of its own.
        let told = err.to_string().replace(&f.display().to_string(), "PATH");
        assert!(!told.contains('5'), "no size: {err}");
        assert!(
            read_optional(&dir.path().join("none"), 5, Links::Follow)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn fifos_sockets_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let start = Instant::now();
        for links in [Links::Follow, Links::Refuse] {
            let err = read(&fifo, 10, links).unwrap_err();
            assert!(
                matches!(err.kind, FileErrorKind::NotRegular("a FIFO")),
                "{err}"
            );
            let err = read(dir.path(), 10, links).unwrap_err();
            assert!(matches!(err.kind, FileErrorKind::NotRegular("a directory")));
        }
        let link = dir.path().join("link");
        symlink(&fifo, &link).unwrap();
        assert!(read(&link, 10, Links::Follow).is_err());
        let d = Dir::open(dir.path()).unwrap();
        let err = d.open_file("fifo").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("fifo: is a FIFO, not a regular file"),
            "{err}"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn links_are_followed_only_when_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"secret").unwrap();
        let link = dir.path().join("link");
        symlink(&target, &link).unwrap();
        assert_eq!(read(&link, 100, Links::Follow).unwrap(), b"secret");
        let err = read(&link, 100, Links::Refuse).unwrap_err();
        assert!(matches!(err.kind, FileErrorKind::Symlink));
        assert!(!err.to_string().contains("target"), "{err}");
    }

    #[test]
    fn no_link_is_followed_below_a_dir() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("shadow"), b"root:secret").unwrap();
        std::fs::create_dir(outside.path().join("sub")).unwrap();
        std::fs::write(outside.path().join("sub/blob"), b"root:secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
        std::fs::write(root.join("blobs/sha256/ok"), b"fine").unwrap();
        symlink(
            outside.path().join("shadow"),
            root.join("blobs/sha256/file"),
        )
        .unwrap();
        symlink(outside.path().join("sub"), root.join("blobs/linked")).unwrap();
        symlink("ok", root.join("blobs/sha256/relative")).unwrap();
        let d = Dir::open(root).unwrap();
        assert_eq!(
            d.read_file("blobs/sha256/ok", 100).unwrap().unwrap(),
            b"fine"
        );
        assert!(d.read_file("blobs/sha256/missing", 100).unwrap().is_none());
        assert!(d.read_file("missing/x", 100).unwrap().is_none());
        for rel in [
            "blobs/sha256/file",
            "blobs/linked/blob",
            "blobs/sha256/relative",
        ] {
            let err = d.read_file(rel, 100).unwrap_err();
            assert!(matches!(err.kind, FileErrorKind::Symlink), "{rel}: {err}");
            let text = err.to_string();
            assert!(!text.contains(&*outside.path().to_string_lossy()), "{text}");
            assert!(!text.contains("secret") && !text.contains("11"), "{text}");
        }
        for rel in ["../x", "/etc/passwd", "", "blobs/../../x"] {
            let err = d.read_file(rel, 100).unwrap_err();
            assert!(matches!(err.kind, FileErrorKind::Escapes), "{rel}: {err}");
        }
    }

    #[test]
    fn own_hard_links_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"same").unwrap();
        std::fs::hard_link(dir.path().join("a"), dir.path().join("b")).unwrap();
        let d = Dir::open(dir.path()).unwrap();
        assert_eq!(d.read_file("b", 100).unwrap().unwrap(), b"same");
    }

    /// A hard link to a file of another owner (root's, as `/etc/shadow`) in a directory owned by
    /// a user is refused. Needs root to hand the directory to another user; skipped otherwise.
    #[test]
    fn foreign_hard_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, b"root:secret").unwrap();
        if std::fs::metadata(&secret).unwrap().uid() != 0 {
            eprintln!("skipped: not root");
            return;
        }
        let layout = dir.path().join("layout");
        std::fs::create_dir(&layout).unwrap();
        std::fs::hard_link(&secret, layout.join("blob")).unwrap();
        std::os::unix::fs::chown(&layout, Some(65534), Some(65534)).unwrap();
        let err = Dir::open(&layout)
            .unwrap()
            .read_file("blob", 100)
            .unwrap_err();
        assert!(matches!(err.kind, FileErrorKind::ForeignHardlink), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
