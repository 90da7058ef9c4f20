//! Which files a `dockerfile` run reads: explicit files, Dockerfiles found under directories,
//! and standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use seaworthy_core::files::{self, Links};
use seaworthy_dockerfile::parser::source::MAX_FILE_BYTES;

/// The path shown for standard input.
pub const STDIN: &str = "<stdin>";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    /// How the input is named in reports: the path as given (forward slashes), or `<stdin>`.
    pub fn display(&self) -> String {
        match self {
            Input::File(p) => {
                let s = p.to_string_lossy().replace('\\', "/");
                s.strip_prefix("./").map(str::to_string).unwrap_or(s)
            }
            Input::Stdin => STDIN.to_string(),
        }
    }

    /// Reads at most the size limit plus one byte, so an oversized input is refused, not loaded.
    /// A file must be a regular file: a FIFO, socket or device is refused, never opened for a
    /// blocking read.
    pub fn read(&self) -> Result<Vec<u8>, String> {
        let limit = MAX_FILE_BYTES as u64 + 1;
        let mut buf = Vec::new();
        let result = match self {
            Input::File(p) => {
                let (file, _) = files::open(p, Links::Follow).map_err(|e| e.message())?;
                file.take(limit).read_to_end(&mut buf)
            }
            Input::Stdin => std::io::stdin().lock().take(limit).read_to_end(&mut buf),
        };
        match result {
            Ok(_) => Ok(buf),
            Err(e) => Err(format!("cannot read: {e}")),
        }
    }
}

/// Whether a file name is one of Docker's conventional Dockerfile names.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// Expands the arguments into inputs. Errors name paths that do not exist.
pub fn collect(paths: &[PathBuf]) -> (Vec<Input>, Vec<(String, String)>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if p.is_dir() {
            let found = walk(p);
            if found.is_empty() {
                errors.push((
                    p.display().to_string(),
                    "no Dockerfile found in this directory".to_string(),
                ));
            }
            inputs.extend(found.into_iter().map(Input::File));
        } else if p.exists() {
            inputs.push(Input::File(p.clone()));
        } else {
            errors.push((
                p.display().to_string(),
                "no such file or directory".to_string(),
            ));
        }
    }
    inputs.sort();
    inputs.dedup();
    (inputs, errors)
}

/// Dockerfiles below `dir`, honouring .gitignore/.ignore, skipping hidden directories.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .max_depth(Some(32))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_dockerfile_name))
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Dockerfile.dev",
            "app.Dockerfile",
            "Containerfile",
            "dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in ["Dockerfile-template.txt", "README.md", "docker-compose.yml"] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
