//! A progress bar for image reads on a terminal; plain silence otherwise.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seaworthy_core::text::shown;
use seaworthy_oci::Progress;

use crate::output::{ActiveProgress, set_active_progress};

pub struct LayerBar {
    bar: ProgressBar,
    layers: AtomicUsize,
    done: AtomicUsize,
}

impl LayerBar {
    pub fn new() -> LayerBar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        set_active_progress(Some(ActiveProgress::Bar(bar.clone())));
        LayerBar {
            bar,
            layers: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
        set_active_progress(None);
    }
}

impl Progress for LayerBar {
    fn begin(&self, layers: usize, bytes: Option<u64>) {
        self.bar.set_style(layer_style(bytes.is_some()));
        if let Some(total) = bytes {
            self.bar.set_length(total);
        }
        self.layers.store(layers, Ordering::Relaxed);
        self.bar.set_message(format!("0/{layers} layers"));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn layer_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let layers = self.layers.load(Ordering::Relaxed);
        self.bar.set_message(format!("{done}/{layers} layers"));
    }
}

/// A bar with the total in human units when the size is known; otherwise (a `docker save`
/// stream) no bar and no total, only what was read: a total that grows with the count ("22 KiB/22
/// KiB") or a raw byte count says nothing.
fn layer_style(total_known: bool) -> ProgressStyle {
    let template = if total_known {
        "{spinner} reading {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}"
    } else {
        "{spinner} reading {msg}: {bytes} so far, {bytes_per_sec}"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// One bar per feed download during `db update`. URLs come from the configuration and errors may
/// quote a server: both are shown escaped.
pub struct FeedBars {
    multi: indicatif::MultiProgress,
    bars: std::sync::Mutex<std::collections::HashMap<String, ProgressBar>>,
}

impl FeedBars {
    pub fn new() -> FeedBars {
        let multi = indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        set_active_progress(Some(ActiveProgress::Bars(multi.clone())));
        FeedBars {
            multi,
            bars: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    pub fn event(&self, event: &seaworthy_vulndb::fetch::FetchEvent) {
        use seaworthy_vulndb::fetch::FetchEvent;
        let Ok(mut bars) = self.bars.lock() else {
            return;
        };
        match event {
            FetchEvent::Started { url, total } => {
                if let Some(old) = bars.remove(url) {
                    old.finish_and_clear();
                }
                let bar = self.multi.add(ProgressBar::new(total.unwrap_or(0)));
                let template = if total.is_some() {
                    "{spinner} {msg:50!} [{bar:25}] {bytes}/{total_bytes} {bytes_per_sec}"
                } else {
                    "{spinner} {msg:50!} {bytes} so far, {bytes_per_sec}"
                };
                let style = ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                bar.set_style(style);
                bar.set_message(shown(url).to_string());
                bars.insert(url.clone(), bar);
            }
            FetchEvent::Progress { url, bytes } => {
                if let Some(bar) = bars.get(url) {
                    bar.set_position(*bytes);
                }
            }
            FetchEvent::Finished { url, not_modified } => {
                if let Some(bar) = bars.remove(url) {
                    let what = if *not_modified { "unchanged" } else { "done" };
                    bar.finish_with_message(format!("{} ({what})", shown(url)));
                }
            }
            FetchEvent::Retrying { url, reason, .. } => {
                if let Some(bar) = bars.get(url) {
                    bar.set_message(format!("{} (retrying: {})", shown(url), shown(reason)));
                }
            }
            // The update names a feed that failed once, in its warnings: the bar just goes.
            FetchEvent::Failed { url, .. } => {
                if let Some(bar) = bars.remove(url) {
                    bar.finish_and_clear();
                }
            }
        }
    }

    pub fn finish(&self) {
        let _ = self.multi.clear();
        set_active_progress(None);
    }
}

/// A terminal for tests that records what progress drawing does to it, one entry per call.
#[cfg(test)]
pub(crate) mod recording {
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    #[derive(Debug, Clone, Default)]
    pub struct Recorder(Arc<Mutex<Vec<String>>>);

    impl Recorder {
        fn push(&self, s: String) -> std::io::Result<()> {
            if let Ok(mut v) = self.0.lock() {
                v.push(s);
            }
            Ok(())
        }

        pub fn calls(&self) -> Vec<String> {
            self.0.lock().map(|v| v.clone()).unwrap_or_default()
        }
    }

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.push(format!("up {n}"))
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.push(format!("down {n}"))
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.push(format!("line {s}"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.push(format!("str {s}"))
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.push("clear".to_string())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use indicatif::{ProgressBar, ProgressDrawTarget};

    use super::recording::Recorder;

    fn drawn(total_known: bool, length: Option<u64>, read: u64) -> String {
        let screen = Recorder::default();
        let bar = ProgressBar::with_draw_target(
            length,
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        bar.set_style(super::layer_style(total_known));
        bar.set_message("1/3 layers");
        bar.set_position(read);
        bar.finish();
        screen.calls().join("\n")
    }

    /// Issue 19 item 10: sizes in human units, and no made-up total for a stream of unknown size.
    #[test]
    fn layer_progress_shows_human_sizes_and_no_unknown_total() {
        let known = drawn(true, Some(275_449_296), 1_048_576);
        assert!(known.contains("1.00 MiB/262.69 MiB"), "{known}");
        assert!(!known.contains("275449296"), "{known}");
        let stream = drawn(false, None, 23_327);
        assert!(stream.contains("22.78 KiB so far"), "{stream}");
        assert!(!stream.contains("KiB/"), "{stream}");
    }
}
