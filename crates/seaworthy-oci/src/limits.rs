//! Bounds that keep hostile images from exhausting memory or time.

/// Limits applied while reading an image. Defaults suit real images with generous headroom.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest uncompressed layer, in bytes.
    pub max_layer_bytes: u64,
    /// Largest uncompressed/compressed ratio accepted once a layer passes `ratio_floor_bytes`.
    pub max_compression_ratio: u64,
    /// Uncompressed size below which the ratio is not checked (sparse files compress well).
    pub ratio_floor_bytes: u64,
    /// Largest file whose contents are read into memory for a cataloger.
    pub max_file_bytes: u64,
    /// Most tar entries in one layer.
    pub max_entries_per_layer: u64,
    /// Largest JSON document (manifest, index, config) read from an image.
    pub max_json_bytes: u64,
    /// Most layers in one image.
    pub max_layers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 32 << 30,
            max_compression_ratio: 200,
            ratio_floor_bytes: 256 << 20,
            max_file_bytes: 256 << 20,
            max_entries_per_layer: 4_000_000,
            max_json_bytes: 16 << 20,
            max_layers: 512,
        }
    }
}
