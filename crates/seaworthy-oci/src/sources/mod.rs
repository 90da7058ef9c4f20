//! Where images come from. Random-access sources (files, registry) implement [`ImageSource`];
//! the daemon streams one export and is scanned as it arrives; an unpacked root filesystem
//! (`dir:`, `rootfs:`) is one pseudo-layer written as a tar stream.

pub mod daemon;
pub mod docker_archive;
pub mod oci_layout;
pub mod registry;
pub mod rootfs;

use std::io::Read;

use crate::digest::Digest;
use crate::error::Result;
use crate::image::ImageInfo;

/// A layer blob opened for reading, with what it must hash to.
pub struct LayerBlob<'a> {
    pub reader: Box<dyn Read + Send + 'a>,
    /// Digest the bytes of `reader` must match; `None` when the source gives nothing to check.
    pub verify: Option<Digest>,
    /// Size the blob must have, when known.
    pub size: Option<u64>,
}

/// An image whose layers can be opened independently (and so read in parallel).
pub trait ImageSource: Sync {
    fn info(&self) -> &ImageInfo;
    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>>;

    /// What identifies layer `index`'s bytes in this source: layers with the same key are the
    /// same bytes and are read once. The blob digest and size by default; `None` reads it on
    /// its own.
    fn layer_key(&self, index: usize) -> Option<String> {
        let layer = self.info().layers.get(index)?;
        // The size too: a descriptor that lies about it still fails its own read.
        layer
            .digest
            .as_ref()
            .map(|d| format!("blob {d} {:?}", layer.size))
    }
}
