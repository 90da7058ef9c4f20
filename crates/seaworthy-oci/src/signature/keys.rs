//! Public keys given by the user: PEM `PUBLIC KEY` (SubjectPublicKeyInfo) for ECDSA P-256,
//! Ed25519 or RSA, and verification of a signature over a payload with SHA-256.

use std::fmt;
use std::path::Path;

use p256::ecdsa::signature::Verifier;
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest as _, Sha256};

use super::SignatureError;

/// Largest key file read, in bytes (an RSA-16384 PEM is under 3 KiB).
const MAX_KEY_FILE_BYTES: u64 = 64 << 10;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";

/// RSA moduli accepted, in bits: below is breakable, above only slows verification down.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=16384;

/// A verification key.
#[derive(Clone)]
pub struct PublicKey {
    kind: KeyKind,
    fingerprint: String,
}

#[derive(Clone)]
enum KeyKind {
    EcdsaP256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// How a signature failed to verify against one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The bytes are not a signature this kind of key makes (wrong length or encoding).
    Undecodable,
    /// A well-formed signature that this key did not make over these bytes.
    NotThisKey,
}

impl PublicKey {
    /// Parses a PEM `PUBLIC KEY` block. Errors name `source` (a file name, or what the text is).
    pub fn from_pem_named(text: &str, source: &str) -> Result<PublicKey, SignatureError> {
        let bad = |message: String| SignatureError::Key {
            what: source.to_string(),
            message,
        };
        let (label, der) = pem_rfc7468::decode_vec(text.trim().as_bytes())
            .map_err(|e| bad(format!("not a PEM block: {e}")))?;
        if label != "PUBLIC KEY" {
            return Err(bad(format!(
                "PEM label is {label:?}; expected \"PUBLIC KEY\" (a SubjectPublicKeyInfo, as \
                 `cosign generate-key-pair` or `openssl pkey -pubout` write)"
            )));
        }
        let spki = spki::SubjectPublicKeyInfoRef::try_from(der.as_slice())
            .map_err(|e| bad(format!("not a SubjectPublicKeyInfo: {e}")))?;
        let algorithm = spki.algorithm.oid.to_string();
        let kind = match algorithm.as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters_oid()
                    .map(|o| o.to_string())
                    .unwrap_or_default();
                if curve != OID_P256 {
                    return Err(bad(format!(
                        "ECDSA key on curve {curve:?}; only P-256 (prime256v1) is supported"
                    )));
                }
                KeyKind::EcdsaP256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                        .map_err(|e| bad(format!("invalid P-256 key: {e}")))?,
                )
            }
            OID_ED25519 => KeyKind::Ed25519(
                ed25519_dalek::VerifyingKey::from_public_key_der(&der)
                    .map_err(|e| bad(format!("invalid Ed25519 key: {e}")))?,
            ),
            OID_RSA => {
                let key = rsa::RsaPublicKey::from_public_key_der(&der)
                    .map_err(|e| bad(format!("invalid RSA key: {e}")))?;
                let bits = rsa::traits::PublicKeyParts::n(&key).bits();
                if !RSA_BITS.contains(&bits) {
                    return Err(bad(format!(
                        "RSA key of {bits} bits; {}-{} bits are accepted",
                        RSA_BITS.start(),
                        RSA_BITS.end()
                    )));
                }
                KeyKind::Rsa(key)
            }
            OID_RSA_PSS => {
                return Err(bad(
                    "RSASSA-PSS-only keys are not supported; export the key as a plain RSA key \
                     (rsaEncryption), PSS signatures are still verified"
                        .into(),
                ));
            }
            other => {
                return Err(bad(format!(
                    "key algorithm {other} is not supported (ECDSA P-256, Ed25519 and RSA are)"
                )));
            }
        };
        Ok(PublicKey {
            kind,
            fingerprint: hex::encode(Sha256::digest(&der)),
        })
    }

    /// Parses a PEM `PUBLIC KEY` block given as text.
    pub fn from_pem(text: &str) -> Result<PublicKey, SignatureError> {
        PublicKey::from_pem_named(text, "public key")
    }

    /// Reads a PEM public key file; errors name the file.
    pub fn read(path: &Path) -> Result<PublicKey, SignatureError> {
        use seaworthy_core::files::{self, FileErrorKind, Links};
        let what = path.display().to_string();
        // A regular file only: a FIFO or device is refused, never opened for a blocking read.
        let bytes =
            files::read(path, MAX_KEY_FILE_BYTES, Links::Follow).map_err(|e| match e.kind {
                FileErrorKind::TooLarge(_) => SignatureError::Key {
                    what: what.clone(),
                    message: format!("larger than {MAX_KEY_FILE_BYTES} bytes; not a public key"),
                },
                FileErrorKind::Io(source) => SignatureError::Io {
                    what: what.clone(),
                    source,
                },
                _ => SignatureError::Key {
                    what: what.clone(),
                    message: e.message(),
                },
            })?;
        let text = String::from_utf8(bytes).map_err(|_| SignatureError::Key {
            what: what.clone(),
            message: "not text (a PEM file was expected)".into(),
        })?;
        PublicKey::from_pem_named(&text, &what)
    }

    /// `ecdsa-p256`, `ed25519` or `rsa`.
    pub fn algorithm(&self) -> &'static str {
        match self.kind {
            KeyKind::EcdsaP256(_) => "ecdsa-p256",
            KeyKind::Ed25519(_) => "ed25519",
            KeyKind::Rsa(_) => "rsa",
        }
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER, in hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The first 16 hex digits of the fingerprint, for messages.
    pub fn short_fingerprint(&self) -> &str {
        self.fingerprint.get(..16).unwrap_or(&self.fingerprint)
    }

    /// Checks `signature` over `payload` (SHA-256; ECDSA as ASN.1 DER, or raw r||s; RSA as
    /// PKCS#1 v1.5 or PSS). On success, names the scheme that matched.
    pub(crate) fn verify(
        &self,
        payload: &[u8],
        signature: &[u8],
    ) -> Result<&'static str, Mismatch> {
        match &self.kind {
            KeyKind::EcdsaP256(key) => {
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .or_else(|_| p256::ecdsa::Signature::from_slice(signature))
                    .map_err(|_| Mismatch::Undecodable)?;
                key.verify(payload, &sig)
                    .map(|()| "ecdsa-p256-sha256")
                    .map_err(|_| Mismatch::NotThisKey)
            }
            KeyKind::Ed25519(key) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| Mismatch::Undecodable)?;
                key.verify_strict(payload, &sig)
                    .map(|()| "ed25519")
                    .map_err(|_| Mismatch::NotThisKey)
            }
            KeyKind::Rsa(key) => verify_rsa(key, payload, signature),
        }
    }
}

fn verify_rsa(
    key: &rsa::RsaPublicKey,
    payload: &[u8],
    signature: &[u8],
) -> Result<&'static str, Mismatch> {
    use rsa::traits::PublicKeyParts;
    if signature.len() != key.size() {
        return Err(Mismatch::Undecodable);
    }
    let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| Mismatch::Undecodable)?;
    let pkcs1 = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone());
    if pkcs1.verify(payload, &sig).is_ok() {
        return Ok("rsa-pkcs1v15-sha256");
    }
    let pss_sig = rsa::pss::Signature::try_from(signature).map_err(|_| Mismatch::Undecodable)?;
    // PSS salt: the digest length (common) or the largest that fits (Go's and OpenSSL's
    // default when signing).
    let hash_len = <Sha256 as sha2::Digest>::output_size();
    let em_len = key.n().bits().saturating_sub(1).div_ceil(8);
    let max_salt = em_len.saturating_sub(hash_len + 2);
    for salt_len in [hash_len, max_salt] {
        let pss = rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key.clone(), salt_len);
        if pss.verify(payload, &pss_sig).is_ok() {
            return Ok("rsa-pss-sha256");
        }
    }
    Err(Mismatch::NotThisKey)
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} key {}", self.algorithm(), self.short_fingerprint())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
