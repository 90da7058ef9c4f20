//! Which file contents are read while layers stream by. Everything else is only indexed.

/// Bytes of a file's head handed to [`ContentFilter::wants_magic`].
pub const MAGIC_LEN: usize = 64;

/// Chooses the files whose contents are kept, by path or by magic bytes, and may shrink them
/// (an ELF binary to its build-info section, say) before the layer stream moves on.
pub trait ContentFilter: Sync {
    /// Keep this file's contents? `path` is relative to the image root, without a leading `/`.
    fn wants_path(&self, path: &str) -> bool;

    /// Does any file need its magic bytes checked? When false, heads are never read.
    fn uses_magic(&self) -> bool {
        false
    }

    /// Keep this file's contents, judged from its first bytes (at most [`MAGIC_LEN`])?
    fn wants_magic(&self, _path: &str, _head: &[u8]) -> bool {
        false
    }

    /// Scan every candidate file of every layer for secrets as it streams by (see
    /// [`seaworthy_secrets::is_candidate_path`]); hits land in [`crate::FsView::secrets`].
    fn scans_secrets(&self) -> bool {
        false
    }

    /// Keep the versions of this wanted file that later layers rewrite, after the image is
    /// read (see [`crate::FsView::earlier_versions`])? A package database tells which layer
    /// added each package only beside its versions below. Others are dropped once rewritten.
    fn keeps_versions(&self, _path: &str) -> bool {
        false
    }

    /// Reduces captured contents to what is kept; `None` keeps nothing. Runs on the layer's thread.
    fn reduce(&self, _path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        Some(data)
    }

    /// The largest file at `path` (one [`ContentFilter::wants_path`] wants) worth reading, and
    /// the name of the limit: a lockfile its parser would refuse is not read at all. A larger
    /// file is not read and is reported (see [`crate::FsView::skipped`]). `None`: only
    /// [`crate::Limits::max_file_bytes`] applies.
    fn read_limit(&self, _path: &str) -> Option<(u64, &'static str)> {
        None
    }
}

/// Captures nothing: the layer walk only indexes paths.
pub struct NoContent;

impl ContentFilter for NoContent {
    fn wants_path(&self, _path: &str) -> bool {
        false
    }
}

/// Captures files whose path is in a fixed list (tests, OS detection).
pub struct ExactPaths<'a>(pub &'a [&'a str]);

impl ContentFilter for ExactPaths<'_> {
    fn wants_path(&self, path: &str) -> bool {
        self.0.contains(&path)
    }
}
