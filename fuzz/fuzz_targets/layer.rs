//! Arbitrary bytes as one or two layer blobs (tar, gzip or zstd): indexing, whiteouts, the
//! merge and symlink resolution must never panic and must stay within the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_oci::layer::index_layer;
use seaworthy_oci::{CaptureBudget, ContentFilter, FsView, Limits, NoProgress};

struct Everything;

impl ContentFilter for Everything {
    fn wants_path(&self, _path: &str) -> bool {
        true
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 16 << 20,
        max_file_bytes: 1 << 20,
        max_entries_per_layer: 10_000,
        ratio_floor_bytes: 1 << 20,
        max_captured_bytes: 64 << 20,
        ..Limits::default()
    };
    let split = data.first().map_or(0, |b| *b as usize).min(data.len());
    let (lower, upper) = data.split_at(split);
    let budget = CaptureBudget::of(&limits);
    let mut layers = Vec::new();
    for blob in [lower, upper] {
        match index_layer(blob, "fuzz", &Everything, &limits, &budget, &NoProgress) {
            Ok(index) => layers.push(index),
            Err(_) => return,
        }
    }
    if let Ok(fs) = FsView::from_layers(layers) {
        let paths: Vec<String> = fs.nodes().map(|(p, _)| p.to_string()).collect();
        for p in paths {
            let _ = fs.resolve(&p);
            let _ = fs.read(&p);
        }
    }
});
