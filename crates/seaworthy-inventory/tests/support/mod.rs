//! What the tests of several catalogers share.

use seaworthy_oci::EntryKind;
use seaworthy_oci::layer::{Entry, LayerIndex};

/// A layer writing `files` whole, each marked as the layer walk marks the files catalogers read
/// (kept in every version, for attributing packages to the layer that added them).
pub fn layer(files: Vec<(&str, Vec<u8>)>) -> LayerIndex {
    let mut index = LayerIndex::default();
    for (path, data) in files {
        index.entries.push(Entry {
            path: path.to_string(),
            kind: EntryKind::File,
            mode: 0o644,
            size: data.len() as u64,
            uid: 0,
            gid: 0,
        });
        index.versioned.insert(path.to_string());
        index.contents.insert(path.to_string(), data.into());
    }
    index
}
