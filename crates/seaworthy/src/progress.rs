//! A progress bar for image reads on a terminal; plain silence otherwise.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seaworthy_image::Progress;

pub struct LayerBar {
    bar: ProgressBar,
    layers: AtomicUsize,
    done: AtomicUsize,
}

impl LayerBar {
    pub fn new() -> LayerBar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        LayerBar {
            bar,
            layers: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
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
