//! A blocking `Read` over a blob downloading on the registry's tokio runtime: a task forwards
//! chunks through a bounded channel, so a slow reader holds back the download, never the runtime.

use std::io::{self, Read};

use futures_util::StreamExt;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use super::client::{describe, io_kind};

/// Chunks buffered between the download and the reader (hyper's are at most a few hundred KiB).
const CHANNEL_CHUNKS: usize = 16;

/// `B` is the HTTP stack's chunk type.
pub(crate) struct BlobReader<B> {
    rx: mpsc::Receiver<io::Result<B>>,
    current: Option<B>,
    /// Bytes of `current` already returned.
    offset: usize,
    done: bool,
}

/// Streams `response`'s body; `what` names the blob in network errors.
pub(crate) fn spawn(
    runtime: &Handle,
    response: reqwest::Response,
    what: String,
) -> BlobReader<impl AsRef<[u8]> + Send + 'static> {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    runtime.spawn(async move {
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let item = chunk.map_err(|e| {
                io::Error::new(
                    io_kind(&e),
                    format!("{what}: download failed: {}", describe(&e)),
                )
            });
            let failed = item.is_err();
            // A closed channel means the reader is gone: stop downloading.
            if tx.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    BlobReader {
        rx,
        current: None,
        offset: 0,
        done: false,
    }
}

impl<B: AsRef<[u8]>> Read for BlobReader<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(chunk) = &self.current {
                let rest = chunk.as_ref().get(self.offset..).unwrap_or_default();
                if !rest.is_empty() {
                    let n = buf.len().min(rest.len());
                    buf.get_mut(..n)
                        .zip(rest.get(..n))
                        .ok_or_else(|| io::Error::other("chunk bounds"))
                        .map(|(dst, src)| dst.copy_from_slice(src))?;
                    self.offset = self.offset.saturating_add(n);
                    return Ok(n);
                }
            }
            if self.done {
                return Ok(0);
            }
            self.offset = 0;
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = Some(chunk),
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The task ended: the body is complete (the digest check catches a cut-off).
                None => {
                    self.current = None;
                    self.done = true;
                }
            }
        }
    }
}
