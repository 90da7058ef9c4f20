//! Images in the local Docker daemon (`docker:`), exported as one stream and indexed as it arrives.

use crate::LoadOptions;
use crate::error::{ImageError, Result};
use crate::scan::Image;

/// Does the local daemon have this image? `Ok(false)` when no daemon is reachable.
pub fn has_image(_name: &str) -> Result<bool> {
    Ok(false)
}

pub fn load(name: &str, _reference: &str, _opts: &LoadOptions<'_>) -> Result<Image> {
    Err(ImageError::bad(
        name,
        "reading from the Docker daemon is not implemented yet",
    ))
}
