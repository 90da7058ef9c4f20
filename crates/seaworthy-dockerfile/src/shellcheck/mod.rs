//! ShellCheck on RUN, for hadolint users: the script of every shell-form RUN and ONBUILD RUN
//! trigger (hadolint checks those too), as the shell will run it (continuations and inner comment
//! lines removed, heredocs included), is checked by the `shellcheck` program in the dialect of
//! the stage's SHELL, and each ShellCheck comment comes back as a finding at the Dockerfile line
//! and column, its SC code as the rule id.
//!
//! As hadolint does: the default shell is `/bin/sh`; SHELLs ShellCheck cannot read (PowerShell,
//! cmd, zsh) are skipped, as are exec-form RUNs; the ENV and ARG names the RUN can see are
//! declared so SC2154 does not fire on them; SC1090, SC1091 (sourced files that are not there)
//! and SC2187 (ash) are left out.
//!
//! Speed: the scripts of every file of a run go to a few `shellcheck` processes at once (one
//! per core, each given many scripts as files of a private temporary directory, in memory where
//! the system has `/dev/shm`), a script seen twice is checked once, and with
//! [`ShellCheck::with_cache`] a script checked by an earlier run (same text, same program, same
//! options) is not checked again. Bounds: each process is killed after [`ShellCheck::TIMEOUT`]
//! or when its output passes [`MAX_OUTPUT_BYTES`]; the scripts of a batch that failed are
//! retried one by one, so one hostile RUN costs only its own checks, and the run says so in a
//! note.

mod cache;
mod comment;
mod family;
mod process;
mod script;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use seaworthy_core::Finding;

use crate::config::Config;
use crate::context::Context;
use crate::lint::Pragmas;
use crate::parser::LineIndex;

pub use family::{
    FAMILY_DOCS, FAMILY_GROUP, FAMILY_ID, FAMILY_NAME, FAMILY_REMEDIATION, FAMILY_TITLE, LEVELS,
    level_severity, levels_text,
};
pub use script::Dialect;
use script::RunCheck;

/// Codes that make no sense for a RUN script (as in hadolint): SC1090 and SC1091 (a sourced
/// file is in the image, not here), SC2187 (ash is checked as dash).
pub const EXCLUDED: &[&str] = &["SC1090", "SC1091", "SC2187"];
/// Most bytes of ShellCheck output read from one process; past it the process is killed.
pub const MAX_OUTPUT_BYTES: usize = 32 * 1024 * 1024;
/// Most scripts given to one `shellcheck` process (its command line stays short and a batch
/// that fails costs little to retry).
const MAX_BATCH_SCRIPTS: usize = 256;
/// Most bytes of scripts given to one `shellcheck` process.
const MAX_BATCH_BYTES: usize = 2 * 1024 * 1024;
/// After this many timeouts in one run, the scripts not yet checked are left unchecked.
const MAX_TIMEOUTS: usize = 3;

/// The ShellCheck page of a code.
pub fn wiki_url(code: &str) -> String {
    format!("https://www.shellcheck.net/wiki/{code}")
}

/// `SC2086` for `SC2086` or `sc2086`; `None` for anything else.
pub fn code(s: &str) -> Option<String> {
    let digits = s.strip_prefix("SC").or_else(|| s.strip_prefix("sc"))?;
    (!digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("SC{digits}"))
}

/// What `seaworthy explain SC2086` prints: what is known of a ShellCheck code without asking
/// ShellCheck (which has no such command).
pub fn explain(query: &str) -> Option<String> {
    let code = code(query.trim())?;
    let url = wiki_url(&code);
    let levels = levels_text();
    Some(format!(
        "{code} (shellcheck): ShellCheck check {code} on RUN scripts\n\
         area: dockerfile  group: shellcheck  default severity: ShellCheck's level ({levels})\n\
         see also: shellcheck {code}, hadolint {code}\n\
         \n\
         A comment of ShellCheck (https://www.shellcheck.net), which seaworthy runs, when the \
         `shellcheck` program is installed, on the script of every shell-form RUN in the dialect \
         of the stage's SHELL (default /bin/sh), as hadolint does. The finding stands at the \
         Dockerfile line and column of the code ShellCheck points at; its title is ShellCheck's \
         message.\n\
         \n\
         ShellCheck's documentation of {code}, with examples and the fix: {url}\n\
         \n\
         Silence it with `# hadolint ignore={code}` or `# seaworthy ignore={code}` above the \
         RUN, `ignored: [{code}]` in .hadolint.yaml or `[rules] disable = [\"{code}\"]` in \
         seaworthy.toml; `--no-shellcheck` (`[dockerfile] shellcheck = false`) turns ShellCheck \
         off.\n\
         \n\
         Remediation: {url}\n"
    ))
}

/// The RUN scripts of one Dockerfile as ShellCheck is to see them, and what turning its
/// comments into findings takes (the source for positions, the pragmas).
#[derive(Debug)]
pub struct Scripts {
    path: String,
    source: String,
    index: LineIndex,
    pragmas: Pragmas,
    runs: Vec<RunCheck>,
    /// Why some RUNs are not checked (too many scripts in one file).
    notes: Vec<String>,
}

impl Scripts {
    pub(crate) fn gather(path: &str, cx: &Context<'_>, pragmas: Pragmas) -> Scripts {
        let (runs, notes) = script::gather(path, cx);
        Scripts {
            path: path.to_string(),
            source: cx.df.source.clone(),
            index: cx.df.index.clone(),
            pragmas,
            runs,
            notes,
        }
    }

    /// How many RUN scripts ShellCheck is to check.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The texts given to ShellCheck (shebang, declarations, script), in file order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.runs.iter().map(|r| r.text.as_str())
    }
}

/// What ShellCheck found in the files of a run.
#[derive(Debug, Default)]
pub struct Checked {
    /// Findings of each file, in the order the files were given.
    pub findings: Vec<Vec<Finding>>,
    /// What was not checked, and why (timeouts, failures): one line each, for the run's notes.
    pub notes: Vec<String>,
}

/// The `shellcheck` program, and how long one process of it may run.
#[derive(Debug, Clone)]
pub struct ShellCheck {
    program: PathBuf,
    timeout: Duration,
    workers: usize,
    /// Where results are kept between runs ([`ShellCheck::with_cache`]).
    cache: Option<PathBuf>,
}

impl ShellCheck {
    /// How long one `shellcheck` process may run before it is killed.
    pub const TIMEOUT: Duration = Duration::from_secs(10);

    /// `shellcheck` on `PATH`, if it is there.
    pub fn find() -> Option<ShellCheck> {
        Self::find_in(&std::env::var_os("PATH")?)
    }

    /// `shellcheck` in one of the directories of `path` (a `PATH` value).
    pub fn find_in(path: &OsStr) -> Option<ShellCheck> {
        std::env::split_paths(path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join("shellcheck"))
            .find(|p| is_executable(p))
            .map(ShellCheck::at)
    }

    /// The program at `program`.
    pub fn at(program: impl Into<PathBuf>) -> ShellCheck {
        ShellCheck {
            program: program.into(),
            timeout: Self::TIMEOUT,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cache: None,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ShellCheck {
        self.timeout = timeout;
        self
    }

    /// Keeps ShellCheck's results in `dir` (created private to the user) and reuses them for
    /// scripts seen before: a repeated lint runs ShellCheck only on what changed.
    pub fn with_cache(mut self, dir: impl Into<PathBuf>) -> ShellCheck {
        self.cache = Some(dir.into());
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Checks the scripts of every file in a few `shellcheck` processes run side by side, and
    /// turns the comments into findings (config-disabled codes left out, severity overrides
    /// and pragmas applied).
    pub fn check(&self, files: &[&Scripts], config: &Config) -> Checked {
        let mut checked = Checked {
            findings: vec![Vec::new(); files.len()],
            notes: files.iter().flat_map(|f| f.notes.iter().cloned()).collect(),
        };
        // Each distinct text once; `owners[u]` are the (file, run) pairs with text `u`.
        let mut unique: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<(usize, usize)>> = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (f, file) in files.iter().enumerate() {
            for (r, run) in file.runs.iter().enumerate() {
                let u = *seen.entry(run.text.as_str()).or_insert_with(|| {
                    unique.push(run.text.as_str());
                    owners.push(Vec::new());
                    unique.len() - 1
                });
                owners[u].push((f, r));
            }
        }
        if unique.is_empty() {
            return checked;
        }
        let excluded = exclusions(config);
        let mut cache = self
            .cache
            .as_deref()
            .and_then(|dir| cache::Cache::open(dir, &self.program, &excluded));
        let mut results: Vec<Option<ScriptResult>> = unique
            .iter()
            .map(|t| cache.as_mut().and_then(|c| c.get(t)).map(Ok))
            .collect();
        let todo: Vec<usize> = (0..unique.len())
            .filter(|&u| results[u].is_none())
            .collect();
        if !todo.is_empty() {
            let texts: Vec<&str> = todo.iter().map(|&u| unique[u]).collect();
            let ran = process::ScriptDir::write(&texts)
                .map_err(|e| format!("cannot write the RUN scripts: {e}"))
                .and_then(|dir| self.run_all(&dir, &texts, &excluded));
            match ran {
                Ok(ran) => {
                    for (u, result) in todo.into_iter().zip(ran) {
                        if let (Some(c), Ok(comments)) = (cache.as_mut(), &result) {
                            c.put(unique[u], comments);
                        }
                        results[u] = Some(result);
                    }
                }
                Err(why) => {
                    checked
                        .notes
                        .push(format!("shellcheck {why}: SC checks skipped"));
                    return checked;
                }
            }
        }
        if let Some(Err(e)) = cache.map(cache::Cache::save) {
            checked.notes.push(format!(
                "shellcheck: the cache of its results could not be written: {e}"
            ));
        }
        let results = results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("was not run".to_string())));
        for (u, result) in results.enumerate() {
            match result {
                Ok(comments) => {
                    for &(f, r) in &owners[u] {
                        let file = files[f];
                        let run = &file.runs[r];
                        checked.findings[f].extend(
                            comments
                                .iter()
                                .filter_map(|c| comment::finding(file, run, c, config)),
                        );
                    }
                }
                Err(why) => {
                    for &(f, r) in &owners[u] {
                        let file = files[f];
                        checked.notes.push(format!(
                            "{}:{}: shellcheck {why}: the SC checks of this RUN are skipped",
                            file.path, file.runs[r].line
                        ));
                    }
                }
            }
        }
        for f in &mut checked.findings {
            f.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            f.dedup();
        }
        checked
    }

    /// Comments for each of `unique`, or why it has none: batches side by side, then the
    /// scripts of failed batches one by one. `Err` when the program cannot run at all.
    fn run_all(
        &self,
        dir: &process::ScriptDir,
        unique: &[&str],
        excluded: &str,
    ) -> Result<Vec<ScriptResult>, String> {
        let batches = batches(unique, self.workers);
        let timeouts = AtomicUsize::new(0);
        let mut results: Vec<Option<ScriptResult>> = vec![None; unique.len()];
        let mut retry = Vec::new();
        let outcomes = self.pool(dir, &batches, excluded, &timeouts);
        for (batch, outcome) in batches.iter().zip(outcomes) {
            match outcome {
                Ok(mut by_script) => {
                    for &u in batch {
                        results[u] = Some(Ok(by_script.remove(&u).unwrap_or_default()));
                    }
                }
                Err(process::Failure::Fatal(why)) => return Err(why),
                Err(e) if batch.len() == 1 => results[batch[0]] = Some(Err(e.to_string())),
                Err(_) => retry.extend(batch.iter().map(|&u| vec![u])),
            }
        }
        let outcomes = self.pool(dir, &retry, excluded, &timeouts);
        for (batch, outcome) in retry.iter().zip(outcomes) {
            let u = batch[0];
            results[u] = Some(match outcome {
                Ok(mut by_script) => Ok(by_script.remove(&u).unwrap_or_default()),
                Err(e) => Err(e.to_string()),
            });
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err("was not run".to_string())))
            .collect())
    }

    /// Runs every batch, `self.workers` processes at a time; results in batch order.
    fn pool(
        &self,
        dir: &process::ScriptDir,
        batches: &[Vec<usize>],
        excluded: &str,
        timeouts: &AtomicUsize,
    ) -> Vec<Result<HashMap<usize, Vec<process::Comment>>, process::Failure>> {
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            for _ in 0..self.workers.clamp(1, batches.len().max(1)) {
                let tx = tx.clone();
                let next = &next;
                s.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(batch) = batches.get(i) else { break };
                        let outcome = if timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
                            Err(process::Failure::Skipped(MAX_TIMEOUTS))
                        } else {
                            let r = process::run(&self.program, dir, batch, excluded, self.timeout);
                            if matches!(r, Err(process::Failure::TimedOut(_))) {
                                timeouts.fetch_add(1, Ordering::Relaxed);
                            }
                            r
                        };
                        if tx.send((i, outcome)).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        drop(tx);
        let mut out: Vec<Option<_>> = (0..batches.len()).map(|_| None).collect();
        for (i, outcome) in rx {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(outcome);
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or(Err(process::Failure::Skipped(MAX_TIMEOUTS))))
            .collect()
    }
}

/// The comments on one script, or why it was not checked.
type ScriptResult = Result<Vec<process::Comment>, String>;

/// The `-e` list: [`EXCLUDED`] and the ShellCheck codes the config disables.
fn exclusions(config: &Config) -> String {
    let mut codes: Vec<String> = EXCLUDED.iter().map(|c| c.to_string()).collect();
    codes.extend(config.disabled.iter().filter_map(|id| code(id)));
    codes.sort();
    codes.dedup();
    codes.join(",")
}

/// Splits the scripts into batches of about equal size: at least one per worker, each at most
/// [`MAX_BATCH_SCRIPTS`] scripts and [`MAX_BATCH_BYTES`] bytes (a larger script alone).
fn batches(unique: &[&str], workers: usize) -> Vec<Vec<usize>> {
    let total: usize = unique.iter().map(|t| t.len()).sum();
    let by_count = unique.len().div_ceil(MAX_BATCH_SCRIPTS);
    let by_bytes = total.div_ceil(MAX_BATCH_BYTES);
    let n = workers
        .max(by_count)
        .max(by_bytes)
        .next_multiple_of(workers.max(1))
        .clamp(1, unique.len().max(1));
    // Longest first onto the lightest batch.
    let mut order: Vec<usize> = (0..unique.len()).collect();
    order.sort_by_key(|&u| std::cmp::Reverse(unique[u].len()));
    let mut batches: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); n];
    for u in order {
        let lightest = batches
            .iter_mut()
            .min_by_key(|(bytes, list)| (*bytes, list.len()));
        if let Some((bytes, list)) = lightest {
            *bytes += unique[u].len();
            list.push(u);
        }
    }
    let mut out = Vec::new();
    for (_, mut list) in batches {
        list.sort_unstable();
        // A batch past the bounds (many tiny scripts on few workers) is cut.
        let mut bytes = 0;
        let mut current = Vec::new();
        for u in list {
            let len = unique[u].len();
            if !current.is_empty()
                && (current.len() >= MAX_BATCH_SCRIPTS || bytes + len > MAX_BATCH_BYTES)
            {
                out.push(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += len;
            current.push(u);
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_recognised_and_normalised() {
        assert_eq!(code("SC2086").as_deref(), Some("SC2086"));
        assert_eq!(code("sc1091").as_deref(), Some("SC1091"));
        for bad in ["SC", "DL3008", "SC20x6", "SC123456", "2086", "SW-DF-001"] {
            assert_eq!(code(bad), None, "{bad}");
        }
    }

    #[test]
    fn explain_names_the_code_and_the_wiki() {
        let text = explain("sc2086").unwrap_or_default();
        assert!(text.starts_with("SC2086 (shellcheck): "), "{text}");
        assert!(
            text.contains("https://www.shellcheck.net/wiki/SC2086"),
            "{text}"
        );
        assert_eq!(explain("DL3008"), None);
    }

    #[test]
    fn batches_cover_every_script_once_and_respect_the_bounds() {
        let texts: Vec<String> = (0..1000).map(|i| "x".repeat(i % 97 + 1)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        for workers in [1, 2, 8] {
            let b = batches(&refs, workers);
            assert!(b.len() >= workers.min(refs.len()));
            assert!(
                b.iter()
                    .all(|x| !x.is_empty() && x.len() <= MAX_BATCH_SCRIPTS)
            );
            let mut all: Vec<usize> = b.concat();
            all.sort_unstable();
            assert_eq!(all, (0..1000).collect::<Vec<_>>());
        }
        assert_eq!(batches(&["a"], 4), vec![vec![0]]);
    }

    #[test]
    fn config_disables_become_exclusions() {
        let mut config = Config::default();
        config.disabled.insert("SC2086".into());
        config.disabled.insert("SW-DF-012".into());
        assert_eq!(exclusions(&config), "SC1090,SC1091,SC2086,SC2187");
    }
}
