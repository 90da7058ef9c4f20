//! Reads every layer of a random-access source once, in parallel, and merges the result. A
//! layer the image lists more than once is read once.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::capture::ContentFilter;
use crate::digest::VerifyingReader;
use crate::error::{ImageError, Result};
use crate::fsview::FsView;
use crate::image::ImageInfo;
use crate::layer::{LayerIndex, index_layer};
use crate::limits::{CaptureBudget, Limits};
use crate::progress::Progress;
use crate::sources::ImageSource;

/// An image read: what it is, and its merged filesystem.
#[derive(Debug)]
pub struct Image {
    pub info: ImageInfo,
    pub fs: FsView,
}

/// Names a layer in errors: `REF: layer N (sha256:…)`, N counted from 0 for the lowest layer as
/// in every report (JSON `layer`, the tables' LAYER column).
pub(crate) fn layer_name(info: &ImageInfo, index: usize) -> String {
    format!(
        "{}: layer {index} ({})",
        info.reference,
        info.layers[index].id()
    )
}

pub fn scan_source(
    source: &dyn ImageSource,
    filter: &dyn ContentFilter,
    limits: &Limits,
    progress: &dyn Progress,
) -> Result<Image> {
    let info = source.info();
    if info.layers.len() > limits.max_layers {
        return Err(ImageError::bad(
            &info.reference,
            format!(
                "lists {} layers, more than the limit of {} (max_layers)",
                info.layers.len(),
                limits.max_layers
            ),
        ));
    }
    // The first listing of each distinct layer, and for each listing the distinct layer.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut reads: Vec<usize> = Vec::new();
    let mut order: Vec<usize> = Vec::with_capacity(info.layers.len());
    for i in 0..info.layers.len() {
        let d = match source.layer_key(i) {
            Some(key) => *seen.entry(key).or_insert_with(|| {
                reads.push(i);
                reads.len() - 1
            }),
            None => {
                reads.push(i);
                reads.len() - 1
            }
        };
        order.push(d);
    }
    let total: Option<u64> = reads.iter().map(|&i| info.layers[i].size).sum();
    progress.begin(reads.len(), total);
    let budget = CaptureBudget::of(limits);
    let indexes: Vec<LayerIndex> = reads
        .par_iter()
        .map(|&i| {
            let what = layer_name(info, i);
            let blob = source.open_layer(i)?;
            let index = match blob.verify {
                Some(digest) => index_layer(
                    VerifyingReader::new(blob.reader, digest, blob.size),
                    &what,
                    filter,
                    limits,
                    &budget,
                    progress,
                ),
                None => index_layer(blob.reader, &what, filter, limits, &budget, progress),
            }?;
            progress.layer_done();
            Ok(index)
        })
        .collect::<Result<Vec<_>>>()?;
    merge(info.clone(), indexes, &order)
}

/// Merges the distinct layer indexes into the image's filesystem view; `order[i]` is the index
/// in `indexes` of the image's layer `i` (lowest first).
pub fn merge(info: ImageInfo, indexes: Vec<LayerIndex>, order: &[usize]) -> Result<Image> {
    let fs = FsView::from_listed_layers(indexes, order)
        .map_err(|(i, message)| ImageError::bad(layer_name(&info, i), message))?;
    Ok(Image { info, fs })
}
