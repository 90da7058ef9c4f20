//! seaworthy: is this container fit to sail?

mod cli;
mod commands;
mod config;
mod inputs;
mod policy;
mod progress;

use std::io::{IsTerminal, Write};
use std::process;

use clap::Parser;
use seaworthy_report::{Format, RenderOptions, render};

use cli::{Cli, ColorChoice, Command, OutputArgs, OutputFormat};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Pass = 0,
    PolicyFailed = 1,
    Usage = 2,
    Internal = 3,
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            process::exit(if e.use_stderr() {
                ExitCode::Usage as i32
            } else {
                0
            });
        }
    };
    // A panic inside the third-party shell parser is caught and handled: keep it off stderr.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !seaworthy_dockerfile::shell::in_guarded_parse() {
            default_hook(info);
        }
    }));
    let code = match std::panic::catch_unwind(|| run(cli)) {
        Ok(code) => code,
        Err(_) => {
            eprintln!(
                "seaworthy: internal error (this is a bug; please report it with the input that caused it)"
            );
            ExitCode::Internal
        }
    };
    process::exit(code as i32);
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Dockerfile(args) => {
            findings_report(commands::dockerfile::run(&args), &args.output)
        }
        Command::Compose(args) => findings_report(commands::compose::run(&args), &args.output),
        Command::Run(args) => findings_report(commands::run::run(&args), &args.output),
        Command::Sbom(args) => run_sbom(&args),
        Command::Image(args) => run_image(&args),
        Command::Vex(mut args) => {
            args.format = cli::VulnFormat::Openvex;
            run_image(&args)
        }
        Command::Container(args) => run_container(&args),
        Command::Host(args) => run_host(&args),
        Command::Assess(args) => run_assess(&args),
        Command::Init(args) => match commands::init::run(&args) {
            Ok(message) => {
                eprintln!("seaworthy: {message}");
                ExitCode::Pass
            }
            Err(e) => {
                eprintln!("seaworthy: error: {e:#}");
                ExitCode::Usage
            }
        },
        Command::Db(command) => run_db(&command),
        Command::Rules(args) => {
            print!("{}", commands::rules::list(args.format));
            ExitCode::Pass
        }
        Command::Explain { rule } => match commands::rules::explain(&rule) {
            Ok(text) => {
                print!("{text}");
                ExitCode::Pass
            }
            Err(e) => {
                eprintln!("seaworthy: {e}");
                ExitCode::Usage
            }
        },
    }
}

/// Renders a findings report; exit 2 when an input could not be read, 1 when the policy failed.
fn findings_report(
    outcome: anyhow::Result<commands::dockerfile::Outcome>,
    output: &OutputArgs,
) -> ExitCode {
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            eprintln!("seaworthy: {e:#}");
            return ExitCode::Usage;
        }
    };
    let report = &outcome.report;
    let rules = commands::rules::all_rules();
    let source = |p: &str| outcome.sources.get(p).cloned();
    let opts = RenderOptions {
        color: use_color(output),
        rules: &rules,
        source: &source,
    };
    let text = render(report, format_of(output.format), &opts);
    if let Err(e) = emit(output, &text) {
        eprintln!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    for err in &report.errors {
        eprintln!("seaworthy: error: {}", err.display());
    }
    for e in &outcome.expired_waivers {
        eprintln!("seaworthy: policy failed: {e}");
    }
    if !report.errors.is_empty() {
        ExitCode::Usage
    } else if report.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

fn run_sbom(args: &cli::SbomArgs) -> ExitCode {
    let outcome = match commands::sbom::run(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("seaworthy: error: {e}");
            return if e.is_input_error() {
                ExitCode::Usage
            } else {
                ExitCode::Internal
            };
        }
    };
    let created = commands::sbom::created_now();
    let input = seaworthy_report::sbom::SbomInput {
        image: &outcome.image.info,
        inventory: &outcome.inventory,
        tool_version: env!("CARGO_PKG_VERSION"),
        created: &created,
    };
    let format = match args.format {
        cli::SbomFormat::Table => seaworthy_report::sbom::SbomFormat::Table,
        cli::SbomFormat::Json => seaworthy_report::sbom::SbomFormat::Json,
        cli::SbomFormat::Cyclonedx => seaworthy_report::sbom::SbomFormat::CycloneDx,
        cli::SbomFormat::Spdx => seaworthy_report::sbom::SbomFormat::Spdx,
    };
    let out = OutputArgs {
        format: if args.format == cli::SbomFormat::Table {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        },
        output: args.output.clone(),
        color: args.color,
    };
    let text = seaworthy_report::sbom::render_sbom(&input, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        eprintln!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    for err in &outcome.inventory.errors {
        eprintln!(
            "seaworthy: error: {} (layer {}): {}: {}",
            err.path,
            err.layer + 1,
            err.cataloger,
            err.message
        );
    }
    if outcome.inventory.errors.is_empty() {
        ExitCode::Pass
    } else {
        ExitCode::Usage
    }
}

fn run_host(args: &cli::HostArgs) -> ExitCode {
    use seaworthy_report::checks::{CheckFormat, CheckReport, render_checks};
    let outcome = match commands::host::run(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let rules: Vec<_> = seaworthy_host::rules::metas();
    let report = CheckReport {
        area: seaworthy_core::Area::Host,
        target: &outcome.target,
        results: &outcome.results,
        fail_on: args.fail_on,
        tool_version: env!("CARGO_PKG_VERSION"),
        notes: &outcome.notes,
        rules: &rules,
        vulnerabilities: &outcome.vulnerabilities,
    };
    let (format, out_format) = match args.format {
        cli::HostFormat::Table => (CheckFormat::Table, OutputFormat::Table),
        cli::HostFormat::Json => (CheckFormat::Json, OutputFormat::Json),
        cli::HostFormat::Sarif => (CheckFormat::Sarif, OutputFormat::Sarif),
        cli::HostFormat::Junit => (CheckFormat::Junit, OutputFormat::Junit),
    };
    let out = OutputArgs {
        format: out_format,
        output: args.output.clone(),
        color: args.color,
    };
    let text = render_checks(&report, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        eprintln!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    let _ = outcome.checks_time;
    if report.passed() {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

fn run_assess(args: &cli::AssessArgs) -> ExitCode {
    use seaworthy_report::assess;
    let targets = match commands::assess::outputs(args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let outcome = match commands::assess::run(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let a = &outcome.assessment;
    for (format, path) in &targets {
        let out = OutputArgs {
            format: if *format == cli::AssessFormat::Table {
                OutputFormat::Table
            } else {
                OutputFormat::Json
            },
            output: path.clone(),
            color: args.color,
        };
        let text = match format {
            cli::AssessFormat::Table => assess::render_table(a, use_color(&out)),
            cli::AssessFormat::Json => assess::render_json(a),
            cli::AssessFormat::Sarif => assess::render_sarif(a),
            cli::AssessFormat::Junit => assess::render_junit(a),
            cli::AssessFormat::Markdown => assess::render_markdown(a),
            cli::AssessFormat::Html => assess::render_html(a),
        };
        if let Err(e) = emit(&out, &text) {
            eprintln!("seaworthy: {e}");
            return ExitCode::Usage;
        }
    }
    for area in &a.areas {
        for err in &area.errors {
            eprintln!(
                "seaworthy: error: {}: {}",
                area.area.as_str(),
                err.display()
            );
        }
    }
    for w in &a.waivers.expired {
        eprintln!(
            "seaworthy: policy failed: waiver for {} at {} expired on {} ({}); renew it with a new \
             date or fix the finding",
            w.id,
            w.source,
            w.expires.as_deref().unwrap_or("?"),
            w.reason
        );
    }
    for w in &a.waivers.unused {
        eprintln!(
            "seaworthy: note: waiver for {} at {} matched nothing; remove it",
            w.id, w.source
        );
    }
    if outcome.internal {
        ExitCode::Internal
    } else if a.has_errors() {
        ExitCode::Usage
    } else if a.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

fn failure_code(f: &commands::db::Failure) -> ExitCode {
    eprintln!("seaworthy: error: {:#}", f.error);
    if f.input {
        ExitCode::Usage
    } else {
        ExitCode::Internal
    }
}

fn run_db(command: &cli::DbCommand) -> ExitCode {
    use commands::db;
    let result = match command {
        cli::DbCommand::Update(args) => db::run_update(args),
        cli::DbCommand::Import(args) => db::run_import(args),
        cli::DbCommand::Export(args) => db::run_export(args),
        cli::DbCommand::Status(args) => db::run_status(args),
        cli::DbCommand::Search(args) => db::run_search(args),
    };
    match result {
        Ok(text) => {
            let out = OutputArgs {
                format: OutputFormat::Table,
                output: None,
                color: ColorChoice::Never,
            };
            match emit(&out, &text) {
                Ok(()) => ExitCode::Pass,
                Err(e) => {
                    eprintln!("seaworthy: {e}");
                    ExitCode::Internal
                }
            }
        }
        Err(f) => failure_code(&f),
    }
}

fn run_container(args: &cli::ContainerArgs) -> ExitCode {
    let outcome = match commands::container::run(args) {
        Ok(o) => o,
        Err(f) => return failure_code(&f),
    };
    for w in &outcome.warnings {
        eprintln!("seaworthy: warning: {w}");
    }
    let rules = commands::rules::all_rules();
    let no_source = |_: &str| None;
    let opts = RenderOptions {
        color: use_color(&args.output),
        rules: &rules,
        source: &no_source,
    };
    let text = render(&outcome.report, format_of(args.output.format), &opts);
    if let Err(e) = emit(&args.output, &text) {
        eprintln!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    if outcome.report.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

fn run_image(args: &cli::ImageScanArgs) -> ExitCode {
    use seaworthy_report::vulns::{VulnFormat, VulnReportInput, render_vulns};
    let outcome = match commands::image::run(args) {
        Ok(o) => o,
        Err(f) => return failure_code(&f),
    };
    let created = commands::sbom::created_now();
    let input = VulnReportInput {
        image: &outcome.image.info,
        inventory: &outcome.inventory,
        matches: &outcome.result.matches,
        db: &outcome.db,
        ignored_unfixed: outcome.result.ignored_unfixed,
        waived: &outcome.waived,
        expired_waivers: &outcome.expired_waivers,
        findings: &outcome.findings,
        ignored_base: outcome.ignored_base,
        fail_on: Some(outcome.fail_on),
        tool_version: env!("CARGO_PKG_VERSION"),
        created: &created,
    };
    let format = match args.format {
        cli::VulnFormat::Table => VulnFormat::Table,
        cli::VulnFormat::Json => VulnFormat::Json,
        cli::VulnFormat::Sarif => VulnFormat::Sarif,
        cli::VulnFormat::Cyclonedx => VulnFormat::Cyclonedx,
        cli::VulnFormat::Openvex => VulnFormat::Openvex,
    };
    let out = OutputArgs {
        format: if args.format == cli::VulnFormat::Table {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        },
        output: args.output.clone(),
        color: args.color,
    };
    let text = render_vulns(&input, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        eprintln!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    for e in &outcome.expired_waivers {
        eprintln!("seaworthy: policy failed: {e}");
    }
    for (reason, count) in &outcome.result.not_matched {
        eprintln!("seaworthy: note: {count} {reason} were not checked for vulnerabilities");
    }
    for e in outcome.result.range_errors.iter().take(5) {
        eprintln!("seaworthy: warning: advisory range not understood: {e}");
    }
    for err in &outcome.inventory.errors {
        eprintln!(
            "seaworthy: error: {} (layer {}): {}: {}",
            err.path,
            err.layer + 1,
            err.cataloger,
            err.message
        );
    }
    if !outcome.inventory.errors.is_empty() {
        return ExitCode::Usage;
    }
    // Writing VEX documents decisions; it does not gate.
    if args.format != cli::VulnFormat::Openvex && !input.passed() {
        ExitCode::PolicyFailed
    } else {
        ExitCode::Pass
    }
}

fn format_of(f: OutputFormat) -> Format {
    match f {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Github => Format::Github,
    }
}

/// Colors only for the table on a terminal, never with NO_COLOR (any value) or into a file.
fn use_color(out: &OutputArgs) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if out.format != OutputFormat::Table || no_color {
        return false;
    }
    match out.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => out.output.is_none() && std::io::stdout().is_terminal(),
    }
}

fn emit(out: &OutputArgs, text: &str) -> std::io::Result<()> {
    match &out.output {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                // A closed pipe (`| head`) is not an error of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    }
}
