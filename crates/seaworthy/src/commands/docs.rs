//! `seaworthy completions SHELL` and `seaworthy man`: generated from the clap definition itself,
//! so they never drift from the options the binary takes.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::ExitCode;

/// Prints the completion script of `shell`.
pub fn completions(shell: Shell) -> ExitCode {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "seaworthy", &mut out);
    write_stdout(&out)
}

/// Writes seaworthy.1 and a page per command into `dir`, or seaworthy.1 to stdout.
pub fn man(dir: Option<&Path>) -> ExitCode {
    let cmd = Cli::command();
    let Some(dir) = dir else {
        let mut out = Vec::new();
        return match clap_mangen::Man::new(cmd).render(&mut out) {
            Ok(()) => write_stdout(&out),
            Err(e) => {
                crate::say!("seaworthy: error: cannot render the man page: {e}");
                ExitCode::Internal
            }
        };
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        crate::say!("seaworthy: error: cannot create {}: {e}", dir.display());
        return ExitCode::Usage;
    }
    match clap_mangen::generate_to(cmd, dir) {
        Ok(()) => {
            crate::note!("seaworthy: man pages written to {}", dir.display());
            ExitCode::Pass
        }
        Err(e) => {
            crate::say!(
                "seaworthy: error: cannot write man pages to {}: {e}",
                dir.display()
            );
            ExitCode::Usage
        }
    }
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::Pass,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::Pass,
        Err(e) => {
            crate::say!("seaworthy: error: cannot write to stdout: {e}");
            ExitCode::Internal
        }
    }
}
