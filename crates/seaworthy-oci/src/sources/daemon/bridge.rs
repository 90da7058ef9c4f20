//! Bridges an async byte stream (the daemon's export) into a blocking [`Read`] through a
//! bounded channel of chunks, so at most [`CHUNKS`] chunks are ever in memory.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use futures_util::{Stream, StreamExt};

/// Chunks buffered between the network and the tar walk.
const CHUNKS: usize = 16;

/// Error kind the reader reports when the producer failed; the caller asks the producer why.
pub(super) const TRANSPORT_FAILED: io::ErrorKind = io::ErrorKind::ConnectionAborted;

pub(super) fn channel<C>() -> (SyncSender<io::Result<C>>, ChunkReader<C>) {
    let (tx, rx) = sync_channel(CHUNKS);
    (
        tx,
        ChunkReader {
            rx,
            current: None,
            pos: 0,
            done: false,
        },
    )
}

/// Sends every chunk of `stream` to `tx`. Stops early (successfully) when the reader is gone.
/// Blocking in `send` is fine: this runtime drives only this stream.
pub(super) async fn pump<C, E>(
    stream: impl Stream<Item = Result<C, E>>,
    tx: SyncSender<io::Result<C>>,
) -> Result<(), E> {
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => {
                if tx.send(Ok(chunk)).is_err() {
                    return Ok(());
                }
            }
            Err(e) => {
                let _ = tx.send(Err(io::Error::new(
                    TRANSPORT_FAILED,
                    "the Docker daemon's export stream failed",
                )));
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The blocking end: reads chunks in order; end of stream when the producer hangs up.
pub(super) struct ChunkReader<C> {
    rx: Receiver<io::Result<C>>,
    current: Option<C>,
    pos: usize,
    done: bool,
}

impl<C: AsRef<[u8]>> Read for ChunkReader<C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(chunk) = &self.current {
                let rest = chunk.as_ref().get(self.pos..).unwrap_or_default();
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.pos += n;
                    return Ok(n);
                }
                self.current = None;
            }
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.current = Some(chunk);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reassembles_chunks_and_reports_failure() {
        let (tx, mut reader) = channel::<Vec<u8>>();
        let producer = std::thread::spawn(move || {
            for part in [&b"he"[..], b"", b"llo"] {
                tx.send(Ok(part.to_vec())).unwrap_or_else(|e| panic!("{e}"));
            }
        });
        let mut out = String::new();
        reader
            .read_to_string(&mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, "hello");
        producer.join().unwrap_or_else(|_| panic!("producer"));

        let (tx, mut reader) = channel::<Vec<u8>>();
        tx.send(Ok(b"x".to_vec())).unwrap_or_else(|e| panic!("{e}"));
        tx.send(Err(io::Error::new(TRANSPORT_FAILED, "gone")))
            .unwrap_or_else(|e| panic!("{e}"));
        let err = reader.read_to_end(&mut Vec::new());
        assert!(err.is_err_and(|e| e.kind() == TRANSPORT_FAILED));
    }
}
