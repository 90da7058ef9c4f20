//! ShellCheck's comments on scripts it has seen before, kept between runs in one file of the
//! user's cache directory: a script is looked up by its whole text (no hash, so no collision),
//! and the file holds only what one `shellcheck` program said with one set of options (any
//! other program, version or option list starts the cache afresh). The same text always gets
//! the same comments from the same program, so a hit is exactly what ShellCheck would say.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::process::Comment;

const FILE_NAME: &str = "shellcheck-cache.json";
/// Changes whenever what is stored, or how it is used, changes.
const FORMAT: u32 = 1;
/// A cache file larger than this is not read (and is replaced).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most scripts kept: those of the last run first, then older ones.
const MAX_ENTRIES: usize = 20_000;
/// Most bytes of script text kept.
const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The program (path, size, modification time, inode) and the options it ran with.
    identity: String,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    text: String,
    comments: Vec<Comment>,
}

/// The cache of one run: what was read, what this run looked up or added.
pub struct Cache {
    path: PathBuf,
    identity: String,
    old: HashMap<String, Vec<Comment>>,
    /// Texts of this run, in the order they were first looked up or added.
    used: Vec<(String, Vec<Comment>)>,
}

impl Cache {
    /// The cache in `dir` for `program` run with `excluded`; `None` when the program cannot be
    /// identified. An unreadable, foreign or damaged file is an empty cache.
    pub fn open(dir: &Path, program: &Path, excluded: &str) -> Option<Cache> {
        let identity = identity(program, excluded)?;
        let path = dir.join(FILE_NAME);
        let old = read(&path)
            .filter(|s| s.format == FORMAT && s.identity == identity)
            .map(|s| {
                s.entries
                    .into_iter()
                    .map(|e| (e.text, e.comments))
                    .collect()
            })
            .unwrap_or_default();
        Some(Cache {
            path,
            identity,
            old,
            used: Vec::new(),
        })
    }

    pub fn get(&mut self, text: &str) -> Option<Vec<Comment>> {
        let comments = self.old.remove(text)?;
        self.used.push((text.to_string(), comments.clone()));
        Some(comments)
    }

    pub fn put(&mut self, text: &str, comments: &[Comment]) {
        self.used.push((text.to_string(), comments.to_vec()));
    }

    /// Writes the cache back (to a temporary file renamed over the old one, so a concurrent run
    /// reads either file whole): this run's scripts, then older ones while the bounds allow.
    pub fn save(self) -> std::io::Result<()> {
        let Some(dir) = self.path.parent() else {
            return Ok(());
        };
        let mut entries = Vec::new();
        let mut bytes = 0;
        for (text, comments) in self.used.into_iter().chain(self.old) {
            bytes += text.len();
            if entries.len() >= MAX_ENTRIES || bytes > MAX_TEXT_BYTES {
                break;
            }
            entries.push(Entry { text, comments });
        }
        let stored = Stored {
            format: FORMAT,
            identity: self.identity,
            entries,
        };
        create_private_dir(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut tmp, &stored)?;
        tmp.flush()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

fn read(path: &Path) -> Option<Stored> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// What tells one `shellcheck` program apart from another: its real path, size, modification
/// time and inode, and the `--exclude` list it runs with.
fn identity(program: &Path, excluded: &str) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let real = std::fs::canonicalize(program).ok()?;
    let m = std::fs::metadata(&real).ok()?;
    Some(format!(
        "{}\0{}\0{}.{}\0{}\0{excluded}",
        real.display(),
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ino()
    ))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}
