//! `seaworthy run -- docker run …`: the container rules (CIS section 5 and beyond) on a command
//! line, before the container is started. Findings name the flag to change.

use std::collections::HashMap;

use seaworthy_container::{Context, findings, run as docker_run};
use seaworthy_core::InputError;

use crate::cli::{FailOn, RunArgs};
use crate::commands::dockerfile::{Outcome, findings_report};
use crate::config;
use crate::exit::ExitCode;

/// How the command line is named in reports.
pub const INPUT: &str = "docker run";

pub fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let settings = config::load(args.config.as_deref(), false)?;
    let fail_on = FailOn::resolve(args.fail_on, false, settings.fail_on);
    let (mut findings, errors) = match docker_run::parse(&args.command) {
        Ok(spec) => (findings(&spec, &Context::default()), Vec::new()),
        Err(e) => (
            Vec::new(),
            vec![InputError {
                path: INPUT.to_string(),
                line: None,
                column: None,
                message: e.to_string(),
            }],
        ),
    };
    let waived = crate::policy::waive_findings(args.config.as_deref(), &mut findings, fail_on)?;
    let expired_waivers = waived.failing;
    let mut report = findings_report(fail_on, vec![INPUT.to_string()], findings, errors);
    report.passed &= expired_waivers.is_empty();
    Ok(Outcome {
        report,
        sources: HashMap::new(),
        expired_waivers,
        expired_warnings: waived.warnings,
    })
}

/// `seaworthy run`.
pub fn execute(args: &RunArgs) -> ExitCode {
    crate::commands::dockerfile::report(run(args), &args.output)
}
