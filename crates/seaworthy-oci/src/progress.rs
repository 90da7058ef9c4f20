//! Progress reporting hooks; the CLI draws a bar on a TTY, libraries and tests pass [`NoProgress`].

pub trait Progress: Sync {
    /// Work is known: `layers` layers of `bytes` stored bytes in all (when known).
    fn begin(&self, _layers: usize, _bytes: Option<u64>) {}
    /// `bytes` more stored (compressed) bytes were read.
    fn advance(&self, _bytes: u64) {}
    /// One layer is fully indexed.
    fn layer_done(&self) {}
}

pub struct NoProgress;

impl Progress for NoProgress {}
