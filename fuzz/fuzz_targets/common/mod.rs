//! Runs catalogers over one file the way an image scan does: the layer walk's reduce step,
//! then cataloguing from the merged view.

use seaworthy_oci::{ContentFilter, FsView};
use seaworthy_inventory::{Cataloger, CatalogerSet};

pub fn catalog_as(path: &str, data: &[u8], catalogers: Vec<Box<dyn Cataloger>>) {
    let set = CatalogerSet::new(catalogers);
    if !set.wants_path(path) && !set.wants_magic(path, &data[..data.len().min(64)]) {
        return;
    }
    if let Some(kept) = set.reduce(path, data.to_vec()) {
        let fs = FsView::from_files([(path.to_string(), kept)]);
        let _ = set.catalog(&fs);
    }
}
