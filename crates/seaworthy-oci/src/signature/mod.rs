//! Offline verification of cosign-style image signatures with keys the user gives.
//!
//! cosign stores the signatures of the manifest `sha256:HEX` as an image manifest tagged
//! `sha256-HEX.sig` in the same repository (or, in an OCI layout, named so by the
//! `org.opencontainers.image.ref.name` annotation in `index.json`). Each layer of it is a
//! simple-signing payload ([`payload`]) naming the signed manifest digest, with the base64
//! signature over the payload bytes in the `dev.cosignproject.cosign/signature` annotation.
//!
//! [`verify`] finds those signatures for an image that was loaded and checks them: the
//! signature against the keys, then the payload's digest against the image's.

mod check;
pub mod keys;
mod locate;
pub mod payload;

use std::fmt;

pub use keys::PublicKey;
pub use payload::Payload;

use crate::LoadOptions;
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::ImageInfo;

/// Media type of a cosign signature layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// Layer annotation holding the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// Most signature layers checked in one `.sig` manifest.
pub const MAX_SIGNATURES: usize = 64;

/// A public key that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The key text is not a supported PEM public key.
    #[error("{what}: {message}")]
    Key { what: String, message: String },
    /// The key file cannot be read.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// The outcome of checking an image's signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// A signature made by one of the keys names this image.
    Verified {
        /// Fingerprint (SHA-256 of the SubjectPublicKeyInfo, hex) of the key that verified.
        key: String,
        /// `ecdsa-p256-sha256`, `ed25519`, `rsa-pkcs1v15-sha256` or `rsa-pss-sha256`.
        scheme: &'static str,
        /// The manifest digest the payload signed (the image's, or its index's).
        signed_digest: Digest,
        /// The payload's `docker-reference`.
        docker_reference: String,
        /// Signatures looked at, valid or not.
        signatures_checked: usize,
    },
    /// No signature manifest exists for the image.
    Unsigned {
        /// The `.sig` tags looked for.
        looked_for: Vec<String>,
    },
    /// Signatures exist, but none verifies with the keys for this image.
    Invalid { problems: Vec<SignatureProblem> },
    /// Signatures cannot apply to this image (no registry manifest digest): not an error.
    NotApplicable { why: String },
}

/// Why one signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureProblem {
    /// Which signature: the `.sig` tag, layer index and blob digest.
    pub signature: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A well-formed signature that none of the keys made over this payload: signed by an
    /// unknown key, or the payload was altered after signing (the two cannot be told apart).
    UnknownKey,
    /// The signature bytes are not what any of the keys' algorithms produce.
    BadSignature(String),
    /// Signed by a key given, but for another manifest.
    OtherDigest { signed: Digest, expected: Digest },
    /// The layer is not a cosign signature: media type, missing annotation, base64, payload.
    Malformed(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownKey => f.write_str(
                "not made by any of the given keys (another key, or the payload was altered)",
            ),
            Problem::BadSignature(why) => write!(f, "bad signature: {why}"),
            Problem::OtherDigest { signed, expected } => write!(
                f,
                "signed payload is for manifest {signed}, not this image's {expected}"
            ),
            Problem::Malformed(why) => write!(f, "malformed: {why}"),
        }
    }
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.signature, self.problem)
    }
}

/// The `.sig` tag cosign uses for the signatures of `digest`.
pub fn signature_tag(digest: &Digest) -> String {
    format!("{}-{}.sig", digest.algorithm(), digest.hex())
}

/// Finds and checks the signatures of `image` (as [`crate::load`] returned it), offline
/// against `keys`. The signature is looked for in the same place the image came from: the OCI
/// layout (directory or archive) or the registry (with `opts`' registry settings).
///
/// Errors are for the lookup itself (unreadable layout, registry unreachable, no keys);
/// signatures that do not verify are an [`Verification::Invalid`] outcome.
pub fn verify(
    image: &ImageInfo,
    keys: &[PublicKey],
    opts: &LoadOptions<'_>,
) -> Result<Verification> {
    if keys.is_empty() {
        return Err(ImageError::bad(
            &image.reference,
            "signature verification needs at least one public key",
        ));
    }
    let Some(manifest_digest) = &image.manifest_digest else {
        return Ok(Verification::NotApplicable {
            why: format!(
                "{} image has no registry manifest digest, so no signature can name it; verify \
                 the image in its registry or OCI layout instead",
                image.source
            ),
        });
    };
    let found = match locate::locate(image, manifest_digest, opts)? {
        locate::Lookup::NotApplicable(why) => return Ok(Verification::NotApplicable { why }),
        locate::Lookup::Searched(found) => found,
    };
    Ok(check::evaluate(&found, keys))
}
