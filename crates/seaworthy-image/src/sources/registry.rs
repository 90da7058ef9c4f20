//! Images in an OCI distribution (v2) registry (`registry:`).

use crate::LoadOptions;
use crate::error::{ImageError, Result};
use crate::image::ImageInfo;
use crate::sources::{ImageSource, LayerBlob};

pub struct RegistryImage {
    info: ImageInfo,
}

impl RegistryImage {
    pub fn open(name: &str, _reference: &str, _opts: &LoadOptions<'_>) -> Result<Self> {
        Err(ImageError::bad(
            name,
            "reading from a registry is not implemented yet",
        ))
    }
}

impl ImageSource for RegistryImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, _index: usize) -> Result<LayerBlob<'_>> {
        Err(ImageError::bad(&self.info.reference, "not implemented"))
    }
}
