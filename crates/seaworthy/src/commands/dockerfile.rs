//! `seaworthy dockerfile`: lint every input in parallel, one report, one exit code.

use std::collections::HashMap;

use rayon::prelude::*;
use seaworthy_core::{Finding, InputError, Report, Severity};
use seaworthy_dockerfile::{LintOptions, lint_bytes};

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

pub fn run(args: &DockerfileArgs) -> anyhow::Result<Outcome> {
    let Linted {
        fail_on,
        inputs,
        mut findings,
        errors,
        sources,
    } = lint(args)?;
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

/// Lints every input in parallel; waivers are the caller's.
pub fn lint(args: &DockerfileArgs) -> anyhow::Result<Linted> {
    let settings = config::load(args.config.as_deref(), !args.no_hadolint_config)?;
    let mut build_args = settings.build_args.clone();
    build_args.extend(args.build_args.iter().cloned());
    let opts = LintOptions {
        build_args,
        target: args.target.clone().or(settings.target.clone()),
        config: settings.dockerfile,
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
    for (name, result) in results {
        names.push(name.clone());
        match result {
            Ok((f, text)) => {
                findings.extend(f);
                sources.insert(name, text);
            }
            Err(e) => errors.push(e),
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

/// The findings of one input and its text, or why it could not be linted.
type LintResult = Result<(Vec<Finding>, String), InputError>;

fn lint_one(input: &Input, opts: &LintOptions) -> LintResult {
    let path = input.display();
    let bytes = input.read().map_err(|message| InputError {
        path: path.clone(),
        line: None,
        column: None,
        message,
    })?;
    match lint_bytes(&path, &bytes, opts) {
        // The text feeds code frames: secrets in it are masked like everywhere else.
        Ok(findings) => Ok((
            findings,
            seaworthy_dockerfile::redact::redact(&String::from_utf8_lossy(&bytes)),
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
    report(run(args), &args.output)
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
