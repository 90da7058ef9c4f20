//! The simple-signing payload cosign signs: which image (manifest digest) and under which name.
//!
//! ```json
//! {"critical": {"identity": {"docker-reference": "registry/repo"},
//!               "image": {"docker-manifest-digest": "sha256:…"},
//!               "type": "cosign container image signature"},
//!  "optional": {…}}
//! ```

use serde::Deserialize;

use crate::digest::Digest;

/// Largest payload accepted, in bytes (cosign's are a few hundred).
pub const MAX_PAYLOAD_BYTES: usize = 64 << 10;

/// The `critical.type` every cosign image signature carries.
pub const COSIGN_TYPE: &str = "cosign container image signature";

/// What a payload asserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The manifest digest that was signed.
    pub manifest_digest: Digest,
    /// The repository the signer named (`critical.identity.docker-reference`).
    pub docker_reference: String,
}

#[derive(Deserialize)]
struct Raw {
    critical: Critical,
}

#[derive(Deserialize)]
struct Critical {
    identity: Identity,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference", default)]
    docker_reference: String,
}

#[derive(Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

impl Payload {
    /// Parses and validates a payload: bounded size, JSON, the cosign type, a valid digest.
    pub fn parse(bytes: &[u8]) -> Result<Payload, String> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(format!(
                "payload is {} bytes, more than the {MAX_PAYLOAD_BYTES} byte limit",
                bytes.len()
            ));
        }
        // serde_json limits nesting to 128 levels, so hostile payloads cannot recurse deeply.
        let raw: Raw = serde_json::from_slice(bytes)
            .map_err(|e| format!("payload is not simple-signing JSON: {e}"))?;
        let critical = raw.critical;
        if critical.kind != COSIGN_TYPE {
            return Err(format!(
                "payload type is {:?}, not {COSIGN_TYPE:?}",
                truncate(&critical.kind)
            ));
        }
        let manifest_digest = Digest::parse(&critical.image.docker_manifest_digest)
            .map_err(|e| format!("payload docker-manifest-digest: {}", truncate(&e)))?;
        Ok(Payload {
            manifest_digest,
            docker_reference: critical.identity.docker_reference,
        })
    }
}

/// Keeps hostile strings from flooding messages.
fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn payload(kind: &str, digest: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "critical": {"identity": {"docker-reference": "example.test/app"},
                         "image": {"docker-manifest-digest": digest}, "type": kind},
            "optional": {"creator": "test"},
        }))
        .unwrap_or_default()
    }

    #[test]
    fn accepts_a_cosign_payload() {
        let parsed = Payload::parse(&payload(COSIGN_TYPE, DIGEST));
        assert_eq!(
            parsed.map(|p| (p.manifest_digest.to_string(), p.docker_reference)),
            Ok((DIGEST.to_string(), "example.test/app".to_string()))
        );
    }

    #[test]
    fn rejects_other_types_bad_digests_and_junk() {
        let wrong_type = Payload::parse(&payload("atomic container signature", DIGEST));
        assert!(wrong_type.is_err_and(|e| e.contains("payload type")));
        let bad_digest = Payload::parse(&payload(COSIGN_TYPE, "sha256:1234"));
        assert!(bad_digest.is_err_and(|e| e.contains("docker-manifest-digest")));
        assert!(Payload::parse(b"{").is_err());
        assert!(Payload::parse(b"[]").is_err());
        assert!(Payload::parse(br#"{"critical":{}}"#).is_err());
        let big = vec![b' '; MAX_PAYLOAD_BYTES + 1];
        assert!(Payload::parse(&big).is_err_and(|e| e.contains("limit")));
    }
}
