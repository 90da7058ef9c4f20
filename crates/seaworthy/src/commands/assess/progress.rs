//! Progress of the areas on standard error: a spinner per area on a terminal outside CI, one
//! plain line per step otherwise (`CI=true`, a pipe, a log file), nothing with `--progress never`.

use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use seaworthy_report::assess::AreaKind;

use super::areas::AreaRun;
use crate::cli::ColorChoice;
use crate::commands::sbom::show_progress;

enum Mode {
    Bars(MultiProgress, Vec<(AreaKind, ProgressBar)>),
    Lines,
    Silent,
}

pub struct AreaProgress {
    mode: Mode,
}

impl AreaProgress {
    pub fn new(choice: ColorChoice, kinds: &[AreaKind]) -> Self {
        let mode = if choice == ColorChoice::Never || crate::output::quiet() {
            Mode::Silent
        } else if show_progress(choice) {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} {prefix:<10} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let bars = kinds
                .iter()
                .map(|k| {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(style.clone());
                    bar.set_prefix(k.as_str());
                    bar.set_message("waiting");
                    (*k, bar)
                })
                .collect();
            crate::output::set_active_progress(Some(crate::output::ActiveProgress::Bars(
                multi.clone(),
            )));
            Mode::Bars(multi, bars)
        } else {
            Mode::Lines
        };
        AreaProgress { mode }
    }

    /// Runs one area, showing it start and end.
    pub fn around(&self, kind: AreaKind, f: impl FnOnce() -> AreaRun) -> AreaRun {
        let started = Instant::now();
        let bar = match &self.mode {
            Mode::Bars(_, bars) => bars.iter().find(|(k, _)| *k == kind).map(|(_, b)| b),
            _ => None,
        };
        match (&self.mode, bar) {
            (Mode::Lines, _) => crate::say!("seaworthy: {}: started", kind.as_str()),
            (_, Some(b)) => {
                b.set_message("running");
                b.enable_steady_tick(std::time::Duration::from_millis(120));
            }
            _ => {}
        }
        let run = f();
        let r = &run.report;
        let line = format!(
            "{}, {}, {} in {} ms",
            count(r.targets.len(), "target"),
            count(r.items.len(), "item"),
            count(r.errors.len(), "error"),
            started.elapsed().as_millis()
        );
        match (&self.mode, bar) {
            (Mode::Lines, _) => crate::say!("seaworthy: {}: done: {line}", kind.as_str()),
            (_, Some(b)) => b.finish_with_message(line),
            _ => {}
        }
        run
    }

    pub fn finish(&self) {
        if let Mode::Bars(multi, _) = &self.mode {
            let _ = multi.clear();
            crate::output::set_active_progress(None);
        }
    }
}

/// `1 target`, `2 targets`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    /// "1 targets" was printed after every area (issue 19 item 10).
    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(super::count(1, "target"), "1 target");
        assert_eq!(super::count(0, "error"), "0 errors");
        assert_eq!(super::count(12, "item"), "12 items");
    }
}
