//! seaworthy: is this container fit to sail?

mod cli;
mod commands;
mod config;
mod exit;
mod formats;
mod inputs;
mod output;
mod policy;
mod progress;

use std::process;

use clap::{CommandFactory, FromArgMatches, Parser};

use cli::{Cli, Command};
use exit::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            if let Err(e) = formats::settle_all(&mut cli, &matches) {
                output::say(&format!("seaworthy: error: {e}"));
                process::exit(ExitCode::Usage as i32);
            }
            output::set_quiet(cli.quiet);
            cli
        }
        // Help and version go out as clap writes them; a usage error may quote an argument
        // (`docker run` lines are input), so it is told from the arguments escaped.
        Err(e) if e.use_stderr() => {
            for line in usage_error(&e).lines() {
                output::say(line);
            }
            let argv: Vec<String> = std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            if let Some(var) = formats::variable_behind(&e, &argv) {
                output::say(&format!(
                    "seaworthy: the value comes from the environment variable {var}; unset it \
                     or pass the option on the command line"
                ));
            }
            process::exit(ExitCode::Usage as i32);
        }
        Err(e) => {
            let _ = e.print();
            process::exit(0);
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

/// The usage error as clap words it for the arguments with their control characters escaped,
/// so a line break or ESC in an argument cannot start a line of its own or reach the terminal.
fn usage_error(e: &clap::Error) -> String {
    let escaped: Vec<String> = std::env::args_os()
        .map(|a| seaworthy_core::text::escape_for_terminal(&a.to_string_lossy()).into_owned())
        .collect();
    match Cli::try_parse_from(&escaped) {
        Err(shown) if shown.kind() == e.kind() => shown.render().to_string(),
        // Escaping changed the outcome: say what kind of error it is, quoting nothing.
        _ => format!("error: {}\n\nFor more information, try '--help'.", e.kind()),
    }
}

/// One command, one module: each `execute` renders its report and returns the exit code.
fn run(cli: Cli) -> ExitCode {
    use commands::*;
    match cli.command {
        Command::Dockerfile(args) => dockerfile::execute(&args),
        Command::Compose(args) => compose::execute(&args),
        Command::Run(args) => run::execute(&args),
        Command::Sbom(args) => sbom::execute(&args),
        Command::Image(args) => image::execute(&args),
        Command::Vex(mut args) => {
            args.format = cli::VulnFormat::Openvex;
            image::execute(&args)
        }
        Command::Container(args) => container::execute(&args),
        Command::Host(args) => host::execute(&args),
        Command::Assess(args) => assess::execute(&args),
        Command::Init(args) => init::execute(&args),
        Command::Db(command) => db::execute(&command),
        Command::Rules(args) => rules::execute_list(&args),
        Command::Explain { rule } => rules::execute_explain(&rule),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { dir } => docs::man(dir.as_deref()),
    }
}
