//! `seaworthy init`: a commented starter seaworthy.toml for the repository in the working
//! directory, naming the Dockerfiles and compose files it finds.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::cli::InitArgs;
use crate::commands::compose::DEFAULT_FILES;
use crate::config::FILE_NAME;
use crate::exit::ExitCode;
use crate::inputs::{self, Input};

pub fn run(args: &InitArgs) -> Result<String> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let text = starter(&cwd);
    if args.stdout {
        print!("{text}");
        return Ok("configuration printed".to_string());
    }
    let path = Path::new(FILE_NAME);
    if path.exists() && !args.force {
        bail!("{FILE_NAME} exists (use --force to overwrite it, or --stdout to print)");
    }
    std::fs::write(path, &text).with_context(|| format!("cannot write {FILE_NAME}"))?;
    Ok(format!(
        "wrote {FILE_NAME}; check the image reference, then run `seaworthy assess`"
    ))
}

/// The starter configuration for the repository at `root`.
pub fn starter(root: &Path) -> String {
    let (found, _) = inputs::collect(&[root.to_path_buf()]);
    let dockerfiles: Vec<String> = found
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(shown(root, p)),
            Input::Stdin => None,
        })
        .collect();
    let compose: Vec<&str> = DEFAULT_FILES
        .iter()
        .copied()
        .filter(|f| root.join(f).is_file())
        .collect();
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .unwrap_or_else(|| "app".to_string());

    let mut t = String::new();
    t.push_str(
        "# seaworthy.toml: what `seaworthy assess` checks and how strictly.\n\
         # Written by `seaworthy init`; every key is documented in README.md (Configuration).\n\
         # Exit codes: 0 pass, 1 policy failed, 2 bad input or usage, 3 internal error.\n\n\
         # Threshold of every area: active findings at or above it fail a gate area.\n\
         fail-on = \"high\"\n\
         # OpenVEX documents whose not_affected/fixed statements clear vulnerabilities.\n\
         # vex = [\"security/app.vex.json\"]\n\n",
    );
    t.push_str("[dockerfile]\n# Dockerfiles (or directories searched for them).\n");
    let _ = writeln!(t, "paths = {}", list(&dockerfiles));
    t.push_str(
        "mode = \"gate\"            # gate: fails the run; report: shown only\n\
         # trusted-registries = [\"docker.io\", \"ghcr.io/my-org\"]\n\
         # disable = [\"DL3008\"]     # rule ids, hadolint codes or globs\n\
         # severity = { \"SW-DF-019\" = \"low\" }\n\n",
    );
    t.push_str("[image]\n# Images to scan: docker:NAME (local daemon), registry:NAME, archives.\n");
    let dockerfile = dockerfiles.first().cloned();
    match &dockerfile {
        Some(df) => {
            let _ = writeln!(
                t,
                "# Linked to its Dockerfile: findings name the line that brought them in.\n\
                 # `--image REF` on the command line replaces the reference (CI build tags).\n\
                 targets = [{{ ref = \"docker:{name}:latest\", dockerfile = \"{df}\" }}]"
            );
        }
        None => {
            let _ = writeln!(t, "targets = [\"docker:{name}:latest\"]");
        }
    }
    t.push_str(
        "mode = \"gate\"\n\
         # Findings from the base image's layers are shown apart and do not gate.\n\
         ignore-base = false\n\
         # ignore-unfixed = true\n\n",
    );
    t.push_str(
        "[container]\n# Compose files checked before deploy (CIS Docker Benchmark section 5).\n",
    );
    let _ = writeln!(t, "compose = {}", list(&compose));
    t.push_str(
        "# Running containers: running = true, or names / filters (`docker ps --filter`).\n\
         # filters = [\"label=com.docker.compose.project=shop\"]\n\
         mode = \"gate\"\n\n",
    );
    t.push_str(
        "[host]\n\
         # CIS Docker Benchmark host checks: reported, not gating, by default.\n\
         enabled = false\n\
         mode = \"report\"\n\
         level = 1\n\n",
    );
    t.push_str(
        "# Accepted risks: a reason and an expiry are required. An expired waiver fails\n\
         # the run when what it covered would gate without it; otherwise it is a warning.\n\
         # [[waiver]]\n\
         # id = \"CVE-2023-45853\"          # rule or advisory id, globs allowed\n\
         # package = \"zlib1g\"             # optional scope: path, image, package, container\n\
         # reason = \"minizip is not used\"\n\
         # expires = 2027-01-31\n",
    );
    t
}

fn list(items: &[impl AsRef<str>]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| {
            format!(
                "\"{}\"",
                s.as_ref().replace('\\', "\\\\").replace('"', "\\\"")
            )
        })
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn shown(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `seaworthy init`.
pub fn execute(args: &InitArgs) -> ExitCode {
    match run(args) {
        Ok(message) => {
            crate::note!("seaworthy: {message}");
            ExitCode::Pass
        }
        Err(e) => {
            crate::say!("seaworthy: error: {e:#}");
            ExitCode::Usage
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn starter_names_what_it_finds_and_parses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM debian:12\n").unwrap();
        std::fs::create_dir(dir.path().join("api")).unwrap();
        std::fs::write(dir.path().join("api/Dockerfile"), "FROM node:22\n").unwrap();
        std::fs::write(dir.path().join("compose.yaml"), "services: {}\n").unwrap();
        let text = starter(dir.path());
        assert!(
            text.contains("paths = [\"Dockerfile\", \"api/Dockerfile\"]"),
            "{text}"
        );
        assert!(text.contains("compose = [\"compose.yaml\"]"), "{text}");
        let parsed: crate::config::FileConfig = toml::from_str(&text).expect("valid config");
        assert_eq!(parsed.dockerfile.paths.len(), 2);
        assert_eq!(parsed.image.targets.len(), 1);
        assert!(!parsed.host.enabled);
    }
}
