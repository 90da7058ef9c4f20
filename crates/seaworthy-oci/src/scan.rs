//! Reads every layer of a random-access source once, in parallel, and merges the result.

use rayon::prelude::*;

use crate::capture::ContentFilter;
use crate::digest::VerifyingReader;
use crate::error::{ImageError, Result};
use crate::fsview::FsView;
use crate::image::ImageInfo;
use crate::layer::{LayerIndex, index_layer};
use crate::limits::Limits;
use crate::progress::Progress;
use crate::sources::ImageSource;

/// An image read: what it is, and its merged filesystem.
#[derive(Debug)]
pub struct Image {
    pub info: ImageInfo,
    pub fs: FsView,
}

/// Names a layer in errors: `REF: layer N (sha256:…)`.
pub(crate) fn layer_name(info: &ImageInfo, index: usize) -> String {
    format!(
        "{}: layer {} ({})",
        info.reference,
        index + 1,
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
    let total: Option<u64> = info.layers.iter().map(|l| l.size).sum();
    progress.begin(info.layers.len(), total);
    let indexes: Vec<LayerIndex> = (0..info.layers.len())
        .into_par_iter()
        .map(|i| {
            let what = layer_name(info, i);
            let blob = source.open_layer(i)?;
            let index = match blob.verify {
                Some(digest) => index_layer(
                    VerifyingReader::new(blob.reader, digest, blob.size),
                    &what,
                    filter,
                    limits,
                    progress,
                ),
                None => index_layer(blob.reader, &what, filter, limits, progress),
            }?;
            progress.layer_done();
            Ok(index)
        })
        .collect::<Result<Vec<_>>>()?;
    merge(info.clone(), indexes)
}

/// Merges layer indexes (lowest first) into the image's filesystem view.
pub fn merge(info: ImageInfo, indexes: Vec<LayerIndex>) -> Result<Image> {
    let fs = FsView::from_layers(indexes)
        .map_err(|(i, message)| ImageError::bad(layer_name(&info, i), message))?;
    Ok(Image { info, fs })
}
