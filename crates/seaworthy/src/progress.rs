//! A progress bar for image reads on a terminal; plain silence otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seaworthy_image::Progress;

pub struct LayerBar {
    bar: ProgressBar,
}

impl LayerBar {
    pub fn new() -> LayerBar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        LayerBar { bar }
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
        self.bar.set_message(format!("0/{layers} layers"));
        self.bar.set_prefix(layers.to_string());
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn layer_done(&self) {
        let done = self
            .bar
            .message()
            .split('/')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
            + 1;
        self.bar
            .set_message(format!("{done}/{} layers", self.bar.prefix()));
    }
}
