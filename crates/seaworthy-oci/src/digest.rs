//! Content digests (`sha256:…`) and a reader that verifies one while data streams through.

use std::fmt;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256, Sha512};

/// A validated `algorithm:hex` content digest. Only sha256 and sha512 are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "String")]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Algorithm {
    Sha256,
    Sha512,
}

impl Digest {
    pub fn parse(s: &str) -> Result<Digest, String> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| format!("digest {s:?} has no algorithm prefix"))?;
        let (algorithm, len) = match alg {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            _ => return Err(format!("digest algorithm {alg:?} is not supported")),
        };
        let valid = hex.len() == len
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(format!("digest {s:?} is not {len} lowercase hex digits"));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    pub fn sha256_of(data: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex::encode(Sha256::digest(data)),
        }
    }

    pub fn algorithm(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Short form for humans: the first 12 hex digits.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }

    fn hasher(&self) -> Hasher {
        match self.algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Box::new(Sha512::new())),
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm(), self.hex)
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.to_string()
    }
}

enum Hasher {
    Sha256(Sha256),
    Sha512(Box<Sha512>),
}

impl Hasher {
    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finish_hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// Wraps a blob stream: counts bytes and, at end of stream, fails with `InvalidData` unless the
/// content matches the expected digest (and size, when known).
pub struct VerifyingReader<R> {
    inner: R,
    expected: Digest,
    expected_size: Option<u64>,
    hasher: Option<Hasher>,
    read: u64,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: Digest, expected_size: Option<u64>) -> Self {
        let hasher = Some(expected.hasher());
        VerifyingReader {
            inner,
            expected,
            expected_size,
            hasher,
            read: 0,
        }
    }

    /// Bytes read so far (the compressed size, for a layer blob).
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    fn finish(&mut self) -> io::Result<()> {
        let Some(hasher) = self.hasher.take() else {
            return Ok(());
        };
        if let Some(size) = self.expected_size
            && size != self.read
        {
            return Err(invalid(format!(
                "blob {} is {} bytes, the manifest says {size}",
                self.expected, self.read
            )));
        }
        let actual = hasher.finish_hex();
        if actual != self.expected.hex {
            return Err(invalid(format!(
                "blob digest mismatch: expected {}, content hashes to {}:{actual}",
                self.expected,
                self.expected.algorithm()
            )));
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            self.finish()?;
            return Ok(0);
        }
        self.read += n as u64;
        if let Some(size) = self.expected_size
            && self.read > size
        {
            return Err(invalid(format!(
                "blob {} is larger than the {size} bytes the manifest says",
                self.expected
            )));
        }
        if let Some(h) = self.hasher.as_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            Digest::parse(EMPTY).map(|d| d.to_string()),
            Ok(EMPTY.into())
        );
        assert!(Digest::parse("sha256:abc").is_err());
        assert!(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
        assert!(Digest::parse(&EMPTY.to_uppercase()).is_err());
        assert!(Digest::parse("sha256:../../../../etc/passwd").is_err());
    }

    #[test]
    fn verifying_reader_accepts_match_and_rejects_mismatch() {
        let ok = Digest::parse(EMPTY).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        assert!(
            VerifyingReader::new(&b""[..], ok.clone(), Some(0))
                .read_to_end(&mut out)
                .is_ok()
        );
        let err = VerifyingReader::new(&b"x"[..], ok, None).read_to_end(&mut out);
        assert!(err.is_err_and(|e| e.to_string().contains("mismatch")));
    }
}
