//! Judging the signatures found: signature against the keys first, then the payload (only a
//! verified payload is believed), then its digest against the image's.

use base64::Engine as _;

use super::keys::{Mismatch, PublicKey};
use super::locate::{Found, RawSignature};
use super::payload::Payload;
use super::{Problem, SignatureProblem, Verification};
use crate::digest::Digest;

/// Longest base64 signature accepted (an RSA-16384 signature is 2732 characters).
const MAX_SIGNATURE_CHARS: usize = 4096;

pub(crate) fn evaluate(found: &Found, keys: &[PublicKey]) -> Verification {
    if found.manifests.is_empty() {
        return Verification::Unsigned {
            looked_for: found.looked_for.clone(),
        };
    }
    let checked: usize = found.manifests.iter().map(|m| m.signatures.len()).sum();
    let mut problems = Vec::new();
    for manifest in &found.manifests {
        if let Some(problem) = &manifest.problem {
            problems.push(SignatureProblem {
                signature: manifest.tag.clone(),
                problem: Problem::Malformed(problem.clone()),
            });
        }
        for raw in &manifest.signatures {
            match check_one(raw, &manifest.subject, keys) {
                Ok((key, scheme, payload)) => {
                    return Verification::Verified {
                        key: key.fingerprint().to_string(),
                        scheme,
                        signed_digest: payload.manifest_digest,
                        docker_reference: payload.docker_reference,
                        signatures_checked: checked,
                    };
                }
                Err(problem) => problems.push(SignatureProblem {
                    signature: raw.name.clone(),
                    problem,
                }),
            }
        }
    }
    Verification::Invalid { problems }
}

/// Checks one signature layer against `subject`, the digest its `.sig` tag names.
fn check_one<'k>(
    raw: &RawSignature,
    subject: &Digest,
    keys: &'k [PublicKey],
) -> Result<(&'k PublicKey, &'static str, Payload), Problem> {
    let encoded = raw
        .signature
        .as_deref()
        .map_err(|m| Problem::Malformed(m.to_string()))?;
    let signature = decode_signature(encoded)?;
    let payload_bytes = raw
        .payload
        .as_deref()
        .map_err(|m| Problem::Malformed(m.to_string()))?;
    let mut decodable = false;
    for key in keys {
        match key.verify(payload_bytes, &signature) {
            Ok(scheme) => {
                let payload = Payload::parse(payload_bytes).map_err(Problem::Malformed)?;
                if &payload.manifest_digest != subject {
                    return Err(Problem::OtherDigest {
                        signed: payload.manifest_digest,
                        expected: subject.clone(),
                    });
                }
                return Ok((key, scheme, payload));
            }
            Err(Mismatch::NotThisKey) => decodable = true,
            Err(Mismatch::Undecodable) => {}
        }
    }
    if decodable {
        Err(Problem::UnknownKey)
    } else {
        let algorithms: Vec<&str> = keys.iter().map(PublicKey::algorithm).collect();
        Err(Problem::BadSignature(format!(
            "{} bytes that no given key type ({}) can have produced",
            signature.len(),
            algorithms.join(", ")
        )))
    }
}

fn decode_signature(encoded: &str) -> Result<Vec<u8>, Problem> {
    let encoded = encoded.trim();
    if encoded.is_empty() {
        return Err(Problem::Malformed(
            "the signature annotation is empty".into(),
        ));
    }
    if encoded.len() > MAX_SIGNATURE_CHARS {
        return Err(Problem::Malformed(format!(
            "signature of {} characters, more than the {MAX_SIGNATURE_CHARS} accepted",
            encoded.len()
        )));
    }
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| Problem::Malformed(format!("signature is not base64: {e}")))
}
