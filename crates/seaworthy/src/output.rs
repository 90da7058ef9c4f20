//! Writing a rendered report: to stdout or `--output`, with color only where it belongs; and the
//! lines for people on stderr ([`say!`]).

use std::io::{IsTerminal, Write};

use seaworthy_report::Format;

use crate::cli::{ColorChoice, OutputArgs, OutputFormat};

pub fn format_of(f: OutputFormat) -> Format {
    match f {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Github => Format::Github,
        OutputFormat::Markdown => Format::Markdown,
    }
}

/// Colors only for the table on a terminal, never with NO_COLOR (any value) or into a file.
pub fn use_color(out: &OutputArgs) -> bool {
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

/// Writes `text` to `--output` or stdout; a closed stdout pipe is not an error.
pub fn emit(out: &OutputArgs, text: &str) -> std::io::Result<()> {
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

/// `eprintln!` for every line seaworthy writes on stderr (errors, warnings, notes, progress):
/// the whole line goes through [`seaworthy_core::text::for_message`], so a path, tag, compose
/// key or feed name inside it shows its control characters as visible escapes (`\x1b`, `\n`)
/// and cannot color the terminal or start a line of its own in a CI log (a forged `::error`
/// workflow command), and a message is never longer than 4 KiB. Each call writes one line.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say(&::std::format!($($arg)*))
    };
}

/// [`say!`] for a line that is not an error: a note, a warning, progress, what was done. Quiet
/// (`-q`, `SEAWORTHY_QUIET`) leaves these out; errors and why a policy failed always go out.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::output::quiet() {
            $crate::output::say(&::std::format!($($arg)*))
        }
    };
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: no progress, notes or warnings from here on.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `-q` was given.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// See [`say!`].
pub fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", seaworthy_core::text::for_message(line));
}
