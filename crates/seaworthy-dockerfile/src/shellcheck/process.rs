//! One `shellcheck` process over a batch of scripts: written as files of a private temporary
//! directory, run directly (never through a shell) with a clean environment, killed after a
//! timeout or when its output grows past a bound, its `json1` output read back.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::MAX_OUTPUT_BYTES;

/// Most bytes of standard error kept (for the message of a failure).
const MAX_STDERR_BYTES: usize = 64 * 1024;

/// Memory-backed storage for the script files, when the system has it (Linux).
const SHM: &str = "/dev/shm";

/// The scripts of a run, one file each (`<n>.sh`), in a directory only this user can read; it is
/// removed when dropped.
pub struct ScriptDir {
    dir: tempfile::TempDir,
}

impl ScriptDir {
    /// Writes the scripts under `$TMPDIR` when it is set; else in memory (`/dev/shm`) when there
    /// is one, else in the system's temporary directory. Hundreds of small files cost little in
    /// memory, but on a disk filesystem creating them took longer than linting every file of
    /// the corpus (ext4 allocating an inode per file, past those deleted by earlier runs). A
    /// base that fails (missing, read-only, full: a container's /dev/shm is 64 MiB) gives way to
    /// the next.
    pub fn write(texts: &[&str]) -> io::Result<ScriptDir> {
        let tmpdir = std::env::var_os("TMPDIR");
        let bases = bases(
            tmpdir.as_deref(),
            Path::new(SHM).is_dir(),
            std::env::temp_dir(),
        );
        Self::write_in(&bases, texts)
    }

    /// Writes the scripts under the first of `bases` that takes them all.
    pub(super) fn write_in(bases: &[PathBuf], texts: &[&str]) -> io::Result<ScriptDir> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no temporary directory");
        for base in bases {
            let written = tempfile::Builder::new()
                .prefix("seaworthy-shellcheck-")
                .tempdir_in(base)
                .and_then(|dir| {
                    for (n, text) in texts.iter().enumerate() {
                        std::fs::write(dir.path().join(file_name(n)), text)?;
                    }
                    Ok(ScriptDir { dir })
                });
            match written {
                Ok(dir) => return Ok(dir),
                // The partly written directory is removed when dropped.
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Where the script directory may go, in order: `$TMPDIR` alone when set (the user's choice);
/// else `/dev/shm` (when `shm` is there), then `tmp`.
fn bases(tmpdir: Option<&std::ffi::OsStr>, shm: bool, tmp: PathBuf) -> Vec<PathBuf> {
    if tmpdir.is_some_and(|v| !v.is_empty()) || !shm {
        return vec![tmp];
    }
    vec![PathBuf::from(SHM), tmp]
}

fn file_name(n: usize) -> String {
    format!("{n}.sh")
}

/// One ShellCheck comment as `json1` gives it (lines and columns 1-based, columns in
/// characters, tabs counted as one, end column exclusive).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The script file it is about (not kept in the cache).
    #[serde(default, skip_serializing)]
    pub file: String,
    pub line: u32,
    pub end_line: u32,
    pub column: u32,
    pub end_column: u32,
    pub level: String,
    pub code: u32,
    pub message: String,
    #[serde(default)]
    pub fix: Option<Fix>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fix {
    #[serde(default)]
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Replacement {
    pub line: u32,
    pub end_line: u32,
    pub column: u32,
    pub end_column: u32,
    pub replacement: String,
}

#[derive(Debug, Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

/// Why a batch has no comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The program cannot run or refuses its options: no other batch will do better.
    Fatal(String),
    TimedOut(Duration),
    TooMuchOutput,
    /// It crashed or wrote something that is not its `json1` output.
    Failed(String),
    /// Not run: the run had this many timeouts already.
    Skipped(usize),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Fatal(why) | Failure::Failed(why) => f.write_str(why),
            Failure::TimedOut(t) => write!(f, "timed out after {} s", t.as_secs_f32()),
            Failure::TooMuchOutput => write!(
                f,
                "wrote more than {} MiB of output",
                MAX_OUTPUT_BYTES / (1024 * 1024)
            ),
            Failure::Skipped(n) => write!(f, "was not run (it had timed out {n} times)"),
        }
    }
}

/// Runs `program` on the scripts `batch` of `dir`; their comments by script number.
pub fn run(
    program: &Path,
    dir: &ScriptDir,
    batch: &[usize],
    excluded: &str,
    timeout: Duration,
) -> Result<HashMap<usize, Vec<Comment>>, Failure> {
    let mut cmd = Command::new(program);
    cmd.args(["--norc", "--format=json1", "--severity=style"])
        .arg(format!("--exclude={excluded}"))
        .arg("--")
        .args(batch.iter().map(|&n| file_name(n)))
        .current_dir(dir.path())
        // No SHELLCHECK_OPTS, no rc file: the same checks wherever seaworthy runs.
        .env_clear()
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure::Fatal(format!("cannot be started ({}): {e}", program.display())))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Failure::Failed("gave no output pipes".to_string()));
    };
    let deadline = Instant::now() + timeout;
    let (tx, rx) = mpsc::channel();
    let (out, err, status) = std::thread::scope(|s| {
        let out = s.spawn(move || {
            let r = read_bounded(stdout, MAX_OUTPUT_BYTES, false);
            let _ = tx.send(matches!(r, Bounded::Over));
            r
        });
        let err = s.spawn(move || read_bounded(stderr, MAX_STDERR_BYTES, true));
        let remaining = deadline.saturating_duration_since(Instant::now());
        // Output past its bound: the child is killed at once, not waited for.
        let mut status = match rx.recv_timeout(remaining) {
            Ok(false) => wait_until(&mut child, deadline),
            Ok(true) | Err(_) => None,
        };
        if status.is_none() {
            let _ = child.kill();
            // Reaps it; its pipes close, so the readers end.
            let _ = child.wait();
        }
        let out = out.join().unwrap_or(Bounded::Error);
        if matches!(out, Bounded::Over) {
            status = None;
        }
        let err = err.join().unwrap_or(Bounded::Error);
        (out, err, status)
    });
    let stdout = match out {
        Bounded::Over => return Err(Failure::TooMuchOutput),
        Bounded::Error => return Err(Failure::Failed("output could not be read".to_string())),
        Bounded::Read(bytes) => bytes,
    };
    let Some(status) = status else {
        return Err(Failure::TimedOut(timeout));
    };
    let stderr = match err {
        Bounded::Read(bytes) => first_line(&bytes),
        _ => String::new(),
    };
    match status.code() {
        // 0: no comments, 1: comments.
        Some(0 | 1) => {}
        // 3: bad syntax or options, 4: unknown option (a ShellCheck older than 0.8).
        Some(code @ (3 | 4)) => {
            return Err(Failure::Fatal(format!(
                "refused its options (exit {code}: {stderr}); seaworthy needs ShellCheck 0.8 or later"
            )));
        }
        Some(code) => return Err(Failure::Failed(format!("failed (exit {code}: {stderr})"))),
        None => return Err(Failure::Failed("was killed by a signal".to_string())),
    }
    let output: Output = serde_json::from_slice(&stdout)
        .map_err(|e| Failure::Failed(format!("wrote output that is not json1: {e}")))?;
    let mut by_script: HashMap<usize, Vec<Comment>> = HashMap::new();
    for c in output.comments {
        let n = c
            .file
            .strip_suffix(".sh")
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(n) = n.filter(|n| batch.contains(n)) {
            by_script.entry(n).or_default().push(c);
        }
    }
    Ok(by_script)
}

/// Waits for the child to exit, at most until `deadline`.
fn wait_until(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Option<std::process::ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            _ => return None,
        }
    }
}

enum Bounded {
    Read(Vec<u8>),
    Over,
    Error,
}

/// Reads `r` to its end, keeping at most `max` bytes; past that, either stops (`Over`) or, with
/// `drain`, reads on and throws the rest away (so the writer never blocks on a full pipe).
fn read_bounded(r: impl Read, max: usize, drain: bool) -> Bounded {
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let mut r = r;
    let mut buf = Vec::new();
    if (&mut r)
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .is_err()
    {
        return Bounded::Error;
    }
    if buf.len() > max {
        if !drain {
            return Bounded::Over;
        }
        buf.truncate(max);
        let _ = io::copy(&mut r, &mut io::sink());
    }
    Bounded::Read(buf)
}

/// The first line of a message, control characters out, at most 200 characters.
fn first_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_go_to_memory_unless_tmpdir_says_otherwise() {
        let tmp = PathBuf::from("/var/tmp");
        assert_eq!(
            bases(None, true, tmp.clone()),
            [PathBuf::from("/dev/shm"), tmp.clone()]
        );
        assert_eq!(
            bases(Some("".as_ref()), true, tmp.clone()),
            [PathBuf::from("/dev/shm"), tmp.clone()]
        );
        let only_tmp = vec![tmp.clone()];
        assert_eq!(bases(Some("/x".as_ref()), true, tmp.clone()), only_tmp);
        assert_eq!(bases(None, false, tmp.clone()), [tmp]);
    }

    #[test]
    fn a_base_that_fails_gives_way_to_the_next() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let not_a_dir = root.path().join("file");
        std::fs::write(&not_a_dir, "x").unwrap_or_else(|e| panic!("{e}"));
        let good = root.path().join("good");
        std::fs::create_dir(&good).unwrap_or_else(|e| panic!("{e}"));
        let dir = ScriptDir::write_in(
            &[not_a_dir.clone(), good.clone()],
            &["echo a\n", "echo b\n"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(dir.path().starts_with(&good));
        let b = std::fs::read_to_string(dir.path().join(file_name(1))).unwrap_or_default();
        assert_eq!(b, "echo b\n");
        assert!(ScriptDir::write_in(&[not_a_dir], &["x"]).is_err());
    }
}
