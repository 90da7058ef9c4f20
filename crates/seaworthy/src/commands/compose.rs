//! `seaworthy compose`: the container rules (CIS section 5 and beyond) on every service of
//! compose files, before anything is deployed. Findings point at file:line of the offending key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use seaworthy_container::{Context, compose, findings};
use seaworthy_core::{Finding, InputError};

use crate::cli::{ComposeArgs, FailOn};
use crate::commands::dockerfile::{Linted, Outcome, findings_report};
use crate::config;
use crate::exit::ExitCode;

/// The files `docker compose` looks for, in its order.
pub const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

pub fn run(args: &ComposeArgs) -> anyhow::Result<Outcome> {
    let Linted {
        fail_on,
        inputs,
        mut findings,
        errors,
        sources,
    } = check_all(args)?;
    let waived = crate::policy::waive_findings(args.config.as_deref(), &mut findings, fail_on)?;
    let expired_waivers = waived.failing;
    let mut report = findings_report(fail_on, inputs, findings, errors);
    report.passed &= expired_waivers.is_empty();
    Ok(Outcome {
        report,
        sources,
        expired_waivers,
        expired_warnings: waived.warnings,
    })
}

/// Checks every service of every file; waivers are the caller's.
pub fn check_all(args: &ComposeArgs) -> anyhow::Result<Linted> {
    let settings = config::load(args.config.as_deref(), false)?;
    let fail_on = FailOn::resolve(args.fail_on, false, settings.fail_on);
    let mut errors = Vec::new();
    let files: Vec<PathBuf> = if args.files.is_empty() {
        match DEFAULT_FILES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        {
            Some(p) => vec![p],
            None => {
                errors.push(input_error(
                    ".",
                    format!(
                        "no compose file found (looked for {})",
                        DEFAULT_FILES.join(", ")
                    ),
                ));
                Vec::new()
            }
        }
    } else {
        args.files.clone()
    };
    let mut findings = Vec::new();
    let mut sources = HashMap::new();
    let mut names = Vec::new();
    for path in &files {
        let name = shown(path);
        names.push(name.clone());
        match check_file(path, &name) {
            Ok((f, text)) => {
                findings.extend(f);
                sources.insert(name, text);
            }
            Err(e) => errors.push(InputError {
                path: e.path,
                line: e.line,
                column: e.column,
                message: e.message,
            }),
        }
    }
    Ok(Linted {
        fail_on,
        inputs: names,
        findings,
        errors,
        sources,
    })
}

fn check_file(path: &Path, name: &str) -> Result<(Vec<Finding>, String), compose::ComposeError> {
    let text = compose::read(path, name)?;
    let specs = compose::parse(name, &text, &compose::env_for(path)?)?;
    let ctx = Context::default();
    let found = specs.iter().flat_map(|spec| findings(spec, &ctx)).collect();
    // The text feeds code frames: secrets in it are masked like everywhere else.
    let shown = seaworthy_dockerfile::redact::redact(&compose::redact(&text, &specs));
    Ok((found, shown))
}

/// The path as given, forward slashes, without a leading `./`.
fn shown(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn input_error(path: &str, message: String) -> InputError {
    InputError {
        path: path.to_string(),
        line: None,
        column: None,
        message,
    }
}

/// `seaworthy compose`.
pub fn execute(args: &ComposeArgs) -> ExitCode {
    crate::commands::dockerfile::report(run(args), &args.output)
}
