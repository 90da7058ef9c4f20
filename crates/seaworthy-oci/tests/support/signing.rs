//! Test-made cosign signatures: keys (P-256 and Ed25519 from fixed seeds, the checked-in RSA
//! key), simple-signing payloads, and `.sig` manifests written into OCI layouts.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use p256::ecdsa::signature::Signer as _;
use rsa::pkcs8::DecodePrivateKey as _;

pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

pub fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/signature")
        .join(name)
}

/// A signing key and how it signs.
pub enum Key {
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    RsaPkcs1(Box<rsa::RsaPrivateKey>),
}

impl Key {
    pub fn p256(seed: u8) -> Key {
        let bytes = [seed.max(1); 32];
        Key::P256(
            p256::ecdsa::SigningKey::from_slice(&bytes).unwrap_or_else(|e| panic!("p256: {e}")),
        )
    }

    pub fn ed25519(seed: u8) -> Key {
        Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    pub fn rsa() -> Key {
        let pem = std::fs::read_to_string(testdata("rsa-2048.key.pem"))
            .unwrap_or_else(|e| panic!("rsa key: {e}"));
        Key::RsaPkcs1(Box::new(
            rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap_or_else(|e| panic!("rsa key: {e}")),
        ))
    }

    /// The PEM `PUBLIC KEY` a user would pass.
    pub fn public_pem(&self) -> String {
        let pem = match self {
            Key::P256(k) => k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .map_err(|e| e.to_string()),
            Key::Ed25519(k) => k
                .verifying_key()
                .to_public_key_pem(Default::default())
                .map_err(|e| e.to_string()),
            Key::RsaPkcs1(k) => k
                .to_public_key()
                .to_public_key_pem(Default::default())
                .map_err(|e| e.to_string()),
        };
        pem.unwrap_or_else(|e| panic!("public pem: {e}"))
    }

    /// The signature over `data` as cosign makes it (ECDSA in ASN.1 DER).
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        match self {
            Key::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(data);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(k) => k.sign(data).to_bytes().to_vec(),
            Key::RsaPkcs1(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                let sig: rsa::pkcs1v15::Signature = signer.sign(data);
                rsa::signature::SignatureEncoding::to_vec(&sig)
            }
        }
    }
}

/// Signs `data` with `openssl dgst -sha256` and extra `-sigopt`s (PSS, ECDSA interop).
pub fn openssl_sign(key_pem: &Path, sigopts: &[&str], data: &[u8]) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", "-sha256", "-binary", "-sign"])
        .arg(key_pem);
    for opt in sigopts {
        cmd.args(["-sigopt", opt]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("openssl dgst: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(data)
            .unwrap_or_else(|e| panic!("openssl stdin: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("openssl dgst: {e}"));
    assert!(out.status.success(), "openssl dgst failed: {out:?}");
    out.stdout
}

/// A simple-signing payload for `digest` as cosign writes it.
pub fn payload(digest: &str, reference: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// One layer of a `.sig` manifest: payload bytes, media type and annotation value.
pub struct SigLayer {
    pub payload: Vec<u8>,
    pub media_type: &'static str,
    pub signature: Option<String>,
}

impl SigLayer {
    pub fn new(payload: Vec<u8>, signature: &[u8]) -> SigLayer {
        SigLayer {
            payload,
            media_type: SIMPLE_SIGNING,
            signature: Some(b64(signature)),
        }
    }

    /// A payload for `digest` signed by `key`.
    pub fn signed(key: &Key, digest: &str) -> SigLayer {
        let payload = payload(digest, "example.test/app");
        let sig = key.sign(&payload);
        SigLayer::new(payload, &sig)
    }
}

/// The `.sig` manifest over the layers; `put` stores each blob (config, payloads).
pub fn sig_manifest(layers: &[SigLayer], mut put: impl FnMut(&[u8]) -> String) -> Vec<u8> {
    let config =
        br#"{"architecture":"","config":{},"os":"","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = put(config);
    let descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            let mut desc = serde_json::json!({
                "mediaType": l.media_type, "digest": put(&l.payload), "size": l.payload.len(),
            });
            if let Some(sig) = &l.signature {
                desc["annotations"] = serde_json::json!({ SIGNATURE_ANNOTATION: sig });
            }
            desc
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": descs,
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `sha256-HEX.sig` for `sha256:HEX`.
pub fn sig_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

fn put_blob(dir: &Path, data: &[u8]) -> String {
    let digest = super::image_util::sha256(data);
    let hex = digest.trim_start_matches("sha256:");
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("blobs/sha256").join(hex), data).unwrap_or_else(|e| panic!("{e}"));
    digest
}

/// Adds a `.sig` manifest for `subject` to the OCI layout in `dir` (as `cosign save` does).
pub fn sign_layout(dir: &Path, subject: &str, layers: &[SigLayer]) {
    let manifest = sig_manifest(layers, |data| put_blob(dir, data));
    let digest = put_blob(dir, &manifest);
    let index_path = dir.join("index.json");
    let mut index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&index_path).unwrap_or_else(|e| panic!("index.json: {e}")),
    )
    .unwrap_or_else(|e| panic!("index.json: {e}"));
    let entry = serde_json::json!({
        "mediaType": OCI_MANIFEST, "digest": digest, "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": sig_tag(subject)},
    });
    match index["manifests"].as_array_mut() {
        Some(list) => list.push(entry),
        None => panic!("index.json has no manifests"),
    }
    std::fs::write(
        &index_path,
        serde_json::to_vec(&index).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}
