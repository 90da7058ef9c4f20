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

/// See [`say!`]. While progress bars are drawn ([`ActiveProgress`]), they are cleared for the
/// line and drawn again under it, so a warning never lands inside a spinner.
pub fn say(line: &str) {
    let text = seaworthy_core::text::for_message(line);
    let write = || {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{text}");
    };
    let active = ACTIVE.lock().ok().and_then(|a| a.clone());
    match active {
        Some(ActiveProgress::Bars(multi)) => multi.suspend(write),
        Some(ActiveProgress::Bar(bar)) => bar.suspend(write),
        None => write(),
    }
}

/// The progress display on stderr now, if any: [`say`] writes around it.
#[derive(Clone)]
pub enum ActiveProgress {
    Bars(indicatif::MultiProgress),
    Bar(indicatif::ProgressBar),
}

static ACTIVE: std::sync::Mutex<Option<ActiveProgress>> = std::sync::Mutex::new(None);

/// Registers the progress display that is drawn from now on (`None`: it is gone).
pub fn set_active_progress(progress: Option<ActiveProgress>) {
    if let Ok(mut active) = ACTIVE.lock() {
        *active = progress;
    }
}

#[cfg(test)]
mod tests {
    use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};

    use super::*;
    use crate::progress::recording::Recorder;

    /// Issue 19 item 10: a warning said while spinners run clears them first and has them
    /// drawn again below it, instead of being written into a spinner's line.
    #[test]
    fn a_line_said_during_progress_clears_the_bars_first() {
        let term = Recorder::default();
        let multi =
            MultiProgress::with_draw_target(ProgressDrawTarget::term_like(Box::new(term.clone())));
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_message("image scanning");
        bar.tick();
        let drawn = term.calls().len();
        assert!(drawn > 0, "the spinner is drawn");
        set_active_progress(Some(ActiveProgress::Bars(multi.clone())));
        say("seaworthy: warning: something");
        set_active_progress(None);
        let after: Vec<String> = term.calls()[drawn..].to_vec();
        assert!(
            after.iter().any(|c| c == "clear"),
            "the bars are cleared: {after:?}"
        );
        assert!(
            after.iter().any(|c| c.contains("image scanning")),
            "and drawn again: {after:?}"
        );
        // Nothing registered: no clearing (the line goes straight to stderr).
        let before = term.calls().len();
        say("seaworthy: note: plain");
        assert_eq!(term.calls().len(), before);
    }
}
