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
        if let Some(total) = bytes {
            self.bar.set_length(total);
        }
        let style = ProgressStyle::with_template(
            "{spinner} reading {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.bar.set_style(style);
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
                let style = ProgressStyle::with_template(
                    "{spinner} {msg:50!} [{bar:25}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
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
            FetchEvent::Failed { url, error } => {
                if let Some(bar) = bars.remove(url) {
                    bar.abandon_with_message(format!("{} failed: {}", shown(url), shown(error)));
                }
            }
        }
    }

    pub fn finish(&self) {
        let _ = self.multi.clear();
        set_active_progress(None);
    }
}
