//! `seaworthy dockerfile`: lint every input in parallel, one report, one exit code.

use std::collections::HashMap;

use rayon::prelude::*;
use seaworthy_core::{Finding, InputError, Report, Severity};
use seaworthy_dockerfile::shellcheck::{Scripts, ShellCheck};
use seaworthy_dockerfile::{LintOptions, lint_file};

use crate::cli::OutputArgs;
use crate::cli::{DockerfileArgs, FailOn};
use crate::config;
use crate::exit::ExitCode;
use crate::inputs::{self, Input};
use crate::output::{emit, format_of, use_color};
use seaworthy_report::{RenderOptions, render};

/// What a run produced: the report, and the texts of the inputs for code frames.
pub struct Outcome {
    pub report: Report,
    pub sources: HashMap<String, String>,
    /// Expired waivers that matched a finding that gates: each fails the run.
    pub expired_waivers: Vec<String>,
    /// Expired waivers that matched only findings below the threshold: warnings.
    pub expired_warnings: Vec<String>,
}

/// Findings before waivers, with what was read.
pub struct Linted {
    /// None: report only (`--fail-on none`, `mode = "report"`).
    pub fail_on: Option<Severity>,
    pub inputs: Vec<String>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub sources: HashMap<String, String>,
}

/// What a run could not check, and why (ShellCheck missing or timed out): notes on stderr,
/// in the assess report.
pub type Notes = Vec<String>;

pub fn run(args: &DockerfileArgs) -> anyhow::Result<(Outcome, Notes)> {
    let (
        Linted {
            fail_on,
            inputs,
            mut findings,
            errors,
            sources,
        },
        notes,
    ) = lint(args)?;
    let waived = crate::policy::waive_findings(args.config.as_deref(), &mut findings, fail_on)?;
    let expired_waivers = waived.failing;
    let mut report = findings_report(fail_on, inputs, findings, errors);
    report.passed &= expired_waivers.is_empty();
    let outcome = Outcome {
        report,
        sources,
        expired_waivers,
        expired_warnings: waived.warnings,
    };
    Ok((outcome, notes))
}

/// The findings report of a run; without a threshold it reports only (the threshold shown is
/// then the default, high).
pub fn findings_report(
    fail_on: Option<Severity>,
    inputs: Vec<String>,
    findings: Vec<Finding>,
    errors: Vec<InputError>,
) -> Report {
    let version = env!("CARGO_PKG_VERSION");
    match fail_on {
        Some(t) => Report::new(version, t, inputs, findings, errors),
        None => Report::new(version, Severity::High, inputs, findings, errors).into_report_only(),
    }
}

/// Lints every input in parallel, then ShellCheck on every RUN script at once; waivers are the
/// caller's.
pub fn lint(args: &DockerfileArgs) -> anyhow::Result<(Linted, Notes)> {
    let settings = config::load(args.config.as_deref(), !args.no_hadolint_config)?;
    let mut build_args = settings.build_args.clone();
    build_args.extend(args.build_args.iter().cloned());
    // ShellCheck on RUN (SC codes), as hadolint does, when it is installed.
    let mut notes = Vec::new();
    let shellcheck = if args.no_shellcheck || settings.shellcheck == Some(false) {
        None
    } else {
        let found = ShellCheck::find().map(|sc| match user_cache_dir() {
            Some(dir) if !args.no_shellcheck_cache => sc.with_cache(dir),
            _ => sc,
        });
        if found.is_none() {
            notes.push(
                "shellcheck not found: SC checks skipped (install the shellcheck package, or \
                 --no-shellcheck)"
                    .to_string(),
            );
        }
        found
    };
    let opts = LintOptions {
        build_args,
        target: args.target.clone().or(settings.target.clone()),
        config: settings.dockerfile,
        shellcheck: shellcheck.is_some(),
    };
    let fail_on = FailOn::resolve(
        args.fail_on,
        settings.dockerfile_mode == Some(seaworthy_report::assess::Mode::Report),
        settings.fail_on,
    );

    let (inputs, missing) = inputs::collect(&args.paths);
    let results: Vec<(String, LintResult)> = inputs
        .par_iter()
        .map(|input| (input.display(), lint_one(input, &opts)))
        .collect();

    let mut findings = Vec::new();
    let mut errors: Vec<InputError> = missing
        .into_iter()
        .map(|(path, message)| InputError {
            path,
            line: None,
            column: None,
            message,
        })
        .collect();
    let mut sources = HashMap::new();
    let mut names = Vec::new();
    let mut scripts = Vec::new();
    for (name, result) in results {
        names.push(name.clone());
        match result {
            Ok((f, text, s)) => {
                findings.extend(f);
                scripts.extend(s);
                sources.insert(name, text);
            }
            Err(e) => errors.push(e),
        }
    }
    // Every file's RUN scripts at once: a few processes for the whole run.
    if let Some(sc) = &shellcheck {
        let files: Vec<&Scripts> = scripts.iter().collect();
        let checked = sc.check(&files, &opts.config);
        findings.extend(checked.findings.into_iter().flatten());
        notes.extend(checked.notes);
    }
    let linted = Linted {
        fail_on,
        inputs: names,
        findings,
        errors,
        sources,
    };
    Ok((linted, notes))
}

/// `$XDG_CACHE_HOME/seaworthy` (or `~/.cache/seaworthy`), where ShellCheck's results are kept.
fn user_cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(base.join("seaworthy"))
}

/// The findings of one input, its text and its RUN scripts for ShellCheck, or why it could not
/// be linted.
type LintResult = Result<(Vec<Finding>, String, Option<Scripts>), InputError>;

fn lint_one(input: &Input, opts: &LintOptions) -> LintResult {
    let path = input.display();
    let bytes = input.read().map_err(|message| InputError {
        path: path.clone(),
        line: None,
        column: None,
        message,
    })?;
    match lint_file(&path, &bytes, opts) {
        // The text feeds code frames: secrets in it are masked like everywhere else.
        Ok(linted) => Ok((
            linted.findings,
            seaworthy_dockerfile::redact::redact(&String::from_utf8_lossy(&bytes)),
            linted.scripts,
        )),
        Err(e) => Err(InputError {
            path,
            line: e.line,
            column: e.column,
            message: e.message,
        }),
    }
}

/// `seaworthy dockerfile`.
pub fn execute(args: &DockerfileArgs) -> ExitCode {
    let (outcome, notes) = match run(args) {
        Ok((outcome, notes)) => (Ok(outcome), notes),
        Err(e) => (Err(e), Vec::new()),
    };
    let code = report(outcome, &args.output);
    for n in &notes {
        crate::note!("seaworthy: note: {n}");
    }
    code
}

/// Renders a findings report (dockerfile, compose, run); exit 2 when an input could not be read, 1 when the policy failed.
pub fn report(outcome: anyhow::Result<Outcome>, output: &OutputArgs) -> ExitCode {
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            crate::say!("seaworthy: {e:#}");
            return ExitCode::Usage;
        }
    };
    let report = &outcome.report;
    let rules = crate::commands::rules::all_rules();
    let source = |p: &str| outcome.sources.get(p).cloned();
    let opts = RenderOptions {
        color: use_color(output),
        rules: &rules,
        source: &source,
    };
    let text = render(report, format_of(output.format), &opts);
    if let Err(e) = emit(output, &text) {
        crate::say!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    for err in &report.errors {
        crate::say!("seaworthy: error: {}", err.display());
    }
    for e in &outcome.expired_waivers {
        crate::say!("seaworthy: policy failed: {e}");
    }
    for e in &outcome.expired_warnings {
        crate::note!("seaworthy: warning: {e}");
    }
    if !report.errors.is_empty() {
        ExitCode::Usage
    } else if report.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}
