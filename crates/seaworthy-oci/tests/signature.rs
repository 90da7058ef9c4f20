//! cosign-style signature verification: OCI layouts (directory and archive) signed in the test
//! with P-256, Ed25519 and RSA (PKCS#1 v1.5 and PSS) keys, and a real registry (Debian's
//! `docker-registry`) holding an image and its `.sig` manifest.

#[path = "support/image_util.rs"]
mod image_util;
#[path = "support/registry_util.rs"]
mod registry_util;
#[path = "support/signing.rs"]
mod signing;

use std::path::Path;

use image_util::{Blob, Layer};
use registry_util::{Pusher, Registry, require_tool};
use seaworthy_oci::signature::{Problem, PublicKey, SignatureError, Verification, verify};
use seaworthy_oci::{ExactPaths, ImageInfo, LoadOptions, load};
use signing::{Key, SigLayer, openssl_sign, payload, sign_layout, testdata};

static FILTER: ExactPaths = ExactPaths(&["etc/os-release"]);

const OTHER_DIGEST: &str =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn blobs() -> Vec<Blob> {
    vec![Blob::gzip(
        Layer::new()
            .dir("etc")
            .file("etc/os-release", b"ID=debian\n")
            .tar(),
    )]
}

/// An OCI layout with one image tagged `v1`; returns the manifest digest.
fn layout(dir: &Path) -> String {
    image_util::oci_layout(dir, &blobs(), "v1")
}

fn public(key: &Key) -> PublicKey {
    PublicKey::from_pem(&key.public_pem()).unwrap_or_else(|e| panic!("{e}"))
}

fn load_info(reference: &str, opts: &LoadOptions<'_>) -> ImageInfo {
    load(reference, opts)
        .unwrap_or_else(|e| panic!("{reference}: {e}"))
        .info
}

/// Loads `reference` and verifies it against `keys`.
fn check(reference: &str, keys: &[PublicKey]) -> Verification {
    let opts = LoadOptions::new(&FILTER);
    let info = load_info(reference, &opts);
    let outcome = verify(&info, keys, &opts).unwrap_or_else(|e| panic!("verify: {e}"));
    eprintln!("{reference}: {outcome:?}");
    outcome
}

fn oci_dir(dir: &Path) -> String {
    format!("oci-dir:{}", dir.display())
}

fn assert_verified(outcome: &Verification, key: &PublicKey, scheme: &str, digest: &str) {
    match outcome {
        Verification::Verified {
            key: fingerprint,
            scheme: got,
            signed_digest,
            docker_reference,
            signatures_checked,
        } => {
            assert_eq!(fingerprint, key.fingerprint());
            assert_eq!(*got, scheme);
            assert_eq!(signed_digest.to_string(), digest);
            assert_eq!(docker_reference, "example.test/app");
            assert!(*signatures_checked >= 1);
        }
        other => panic!("expected Verified, got {other:?}"),
    }
}

/// The problems of an `Invalid` outcome.
fn problems(outcome: Verification) -> Vec<Problem> {
    match outcome {
        Verification::Invalid { problems } => problems.into_iter().map(|p| p.problem).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn valid_signatures_of_each_key_type_verify() {
    for (name, key, scheme) in [
        ("p256", Key::p256(7), "ecdsa-p256-sha256"),
        ("ed25519", Key::ed25519(9), "ed25519"),
        ("rsa", Key::rsa(), "rsa-pkcs1v15-sha256"),
    ] {
        let dir = tempdir();
        let digest = layout(dir.path());
        sign_layout(dir.path(), &digest, &[SigLayer::signed(&key, &digest)]);
        eprintln!("{name}");
        let outcome = check(&oci_dir(dir.path()), &[public(&key)]);
        assert_verified(&outcome, &public(&key), scheme, &digest);
    }
}

#[test]
fn rsa_pss_signatures_verify_with_either_salt_length() {
    if !require_tool("openssl", "openssl") {
        return;
    }
    let key = PublicKey::read(&testdata("rsa-2048.pub.pem")).unwrap_or_else(|e| panic!("{e}"));
    // Salt as long as the digest, and OpenSSL's (and Go's) default: as long as fits.
    for salt in ["rsa_pss_saltlen:digest", "rsa_pss_saltlen:max"] {
        let dir = tempdir();
        let digest = layout(dir.path());
        let data = payload(&digest, "example.test/app");
        let sig = openssl_sign(
            &testdata("rsa-2048.key.pem"),
            &["rsa_padding_mode:pss", salt],
            &data,
        );
        sign_layout(dir.path(), &digest, &[SigLayer::new(data, &sig)]);
        let outcome = check(&oci_dir(dir.path()), std::slice::from_ref(&key));
        assert_verified(&outcome, &key, "rsa-pss-sha256", &digest);
    }
}

#[test]
fn openssl_ecdsa_signatures_verify() {
    if !require_tool("openssl", "openssl") {
        return;
    }
    let dir = tempdir();
    let key_dir = tempdir();
    let private = key_dir.path().join("ec.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&private)
        .status()
        .unwrap_or_else(|e| panic!("openssl genpkey: {e}"));
    assert!(status.success());
    let public_pem = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .output()
        .unwrap_or_else(|e| panic!("openssl pkey: {e}"));
    let key = PublicKey::from_pem(&String::from_utf8_lossy(&public_pem.stdout))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(key.algorithm(), "ecdsa-p256");
    let digest = layout(dir.path());
    // Several signatures: OpenSSL does not normalise s, so high-s ones are among them.
    let layers: Vec<SigLayer> = (0..4)
        .map(|i| {
            let data = payload(&digest, &format!("example.test/app{i}"));
            let sig = openssl_sign(&private, &[], &data);
            SigLayer::new(data, &sig)
        })
        .collect();
    sign_layout(dir.path(), &digest, &layers);
    let opts = LoadOptions::new(&FILTER);
    let info = load_info(&oci_dir(dir.path()), &opts);
    assert!(matches!(
        verify(&info, std::slice::from_ref(&key), &opts),
        Ok(Verification::Verified { .. })
    ));
}

#[test]
fn a_signature_by_another_key_is_an_unknown_key() {
    let dir = tempdir();
    let digest = layout(dir.path());
    sign_layout(
        dir.path(),
        &digest,
        &[SigLayer::signed(&Key::p256(1), &digest)],
    );
    let found = problems(check(
        &oci_dir(dir.path()),
        &[public(&Key::p256(2)), public(&Key::ed25519(3))],
    ));
    assert_eq!(found, [Problem::UnknownKey]);
}

#[test]
fn a_payload_for_another_digest_is_rejected() {
    let dir = tempdir();
    let digest = layout(dir.path());
    let key = Key::ed25519(4);
    sign_layout(dir.path(), &digest, &[SigLayer::signed(&key, OTHER_DIGEST)]);
    let found = problems(check(&oci_dir(dir.path()), &[public(&key)]));
    match found.as_slice() {
        [Problem::OtherDigest { signed, expected }] => {
            assert_eq!(signed.to_string(), OTHER_DIGEST);
            assert_eq!(expected.to_string(), digest);
        }
        other => panic!("expected OtherDigest, got {other:?}"),
    }
}

#[test]
fn an_unsigned_image_is_unsigned() {
    let dir = tempdir();
    let digest = layout(dir.path());
    let outcome = check(&oci_dir(dir.path()), &[public(&Key::p256(5))]);
    assert_eq!(
        outcome,
        Verification::Unsigned {
            looked_for: vec![signing::sig_tag(&digest)]
        }
    );
    // Another image's signature in the same layout does not sign this one.
    sign_layout(
        dir.path(),
        OTHER_DIGEST,
        &[SigLayer::signed(&Key::p256(5), OTHER_DIGEST)],
    );
    let outcome = check(
        &format!("{}:v1", oci_dir(dir.path())),
        &[public(&Key::p256(5))],
    );
    assert!(matches!(outcome, Verification::Unsigned { .. }));
}

#[test]
fn a_tampered_payload_fails_and_a_good_signature_beside_it_still_verifies() {
    let dir = tempdir();
    let digest = layout(dir.path());
    let key = Key::p256(6);
    let good = SigLayer::signed(&key, &digest);
    let mut tampered_payload = good.payload.clone();
    // Same digest, one byte of the identity changed after signing.
    let at = tampered_payload.len() - 3;
    tampered_payload[at] ^= 0x01;
    let tampered = SigLayer {
        payload: tampered_payload,
        media_type: signing::SIMPLE_SIGNING,
        signature: good.signature.clone(),
    };
    sign_layout(dir.path(), &digest, &[tampered]);
    let found = problems(check(&oci_dir(dir.path()), &[public(&key)]));
    assert_eq!(found, [Problem::UnknownKey]);

    let dir = tempdir();
    let digest = layout(dir.path());
    let tampered = SigLayer::new(payload(&digest, "evil.test/app"), &key.sign(b"other bytes"));
    sign_layout(
        dir.path(),
        &digest,
        &[tampered, SigLayer::signed(&key, &digest)],
    );
    match check(&oci_dir(dir.path()), &[public(&key)]) {
        Verification::Verified {
            signatures_checked, ..
        } => assert_eq!(signatures_checked, 2),
        other => panic!("expected Verified, got {other:?}"),
    }
}

#[test]
fn malformed_signature_layers_are_reported_not_panicked_on() {
    let dir = tempdir();
    let digest = layout(dir.path());
    let key = Key::ed25519(8);
    let good = SigLayer::signed(&key, &digest);
    let layers = [
        SigLayer {
            signature: Some("not base64 !!!".into()),
            ..SigLayer::signed(&key, &digest)
        },
        SigLayer {
            signature: None,
            ..SigLayer::signed(&key, &digest)
        },
        SigLayer {
            media_type: "application/octet-stream",
            ..SigLayer::signed(&key, &digest)
        },
        // Valid base64 of bytes no Ed25519 key makes.
        SigLayer::new(good.payload.clone(), b"short"),
        // A correctly signed payload that is not simple-signing JSON.
        SigLayer::new(b"{\"critical\":".to_vec(), &key.sign(b"{\"critical\":")),
    ];
    sign_layout(dir.path(), &digest, &layers);
    let found = problems(check(&oci_dir(dir.path()), &[public(&key)]));
    assert_eq!(found.len(), 5, "{found:?}");
    for (i, what) in [
        "not base64",
        "no dev.cosignproject.cosign/signature",
        "media type",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            matches!(&found[i], Problem::Malformed(m) if m.contains(what)),
            "{i}: {:?}",
            found[i]
        );
    }
    assert!(
        matches!(&found[3], Problem::BadSignature(_)),
        "{:?}",
        found[3]
    );
    assert!(matches!(&found[4], Problem::Malformed(m) if m.contains("payload")));
}

#[test]
fn oci_archives_are_verified_too() {
    let dir = tempdir();
    let digest = layout(dir.path());
    let key = Key::rsa();
    sign_layout(dir.path(), &digest, &[SigLayer::signed(&key, &digest)]);
    let out = tempdir();
    let archive = out.path().join("signed.tar");
    image_util::tar_dir(dir.path(), &archive);
    // No tag: the `.sig` entry is not mistaken for a second image.
    let outcome = check(
        &format!("oci-archive:{}", archive.display()),
        &[public(&key)],
    );
    assert_verified(&outcome, &public(&key), "rsa-pkcs1v15-sha256", &digest);
    let outcome = check(&archive.display().to_string(), &[public(&key)]);
    assert!(matches!(outcome, Verification::Verified { .. }));
}

#[test]
fn a_docker_archive_is_not_applicable() {
    let dir = tempdir();
    let path = dir.path().join("image.tar");
    image_util::docker_archive(&path, &[Layer::new().file("a", b"1").tar()], "app:1");
    let outcome = check(
        &format!("docker-archive:{}", path.display()),
        &[public(&Key::p256(1))],
    );
    assert!(
        matches!(&outcome, Verification::NotApplicable { why } if why.contains("docker-archive")),
        "{outcome:?}"
    );
}

#[test]
fn verification_needs_a_key() {
    let dir = tempdir();
    layout(dir.path());
    let opts = LoadOptions::new(&FILTER);
    let info = load_info(&oci_dir(dir.path()), &opts);
    assert!(verify(&info, &[], &opts).is_err_and(|e| e.to_string().contains("public key")));
}

fn key_error(result: Result<PublicKey, SignatureError>) -> String {
    match result {
        Ok(key) => panic!("expected an error, got {key:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_key_files_give_clear_errors() {
    let ed = Key::ed25519(1).public_pem();
    assert!(key_error(PublicKey::from_pem("garbage")).contains("not a PEM block"));
    let private =
        std::fs::read_to_string(testdata("rsa-2048.key.pem")).unwrap_or_else(|e| panic!("{e}"));
    assert!(key_error(PublicKey::from_pem(&private)).contains("\"PRIVATE KEY\""));
    let truncated: String = ed.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(!key_error(PublicKey::from_pem(&truncated)).is_empty());
    let corrupt = ed.replacen("MCowBQYDK2Vw", "MCowBQYDK2Vx", 1);
    assert!(!key_error(PublicKey::from_pem(&corrupt)).is_empty());

    let p384 = testdata("p384.pub.pem");
    let message = key_error(PublicKey::read(&p384));
    assert!(
        message.contains("p384.pub.pem") && message.contains("P-256"),
        "{message}"
    );
    let message = key_error(PublicKey::read(&testdata("rsa-1024.pub.pem")));
    assert!(message.contains("1024 bits"), "{message}");
    let message = key_error(PublicKey::read(&testdata("no-such-key.pem")));
    assert!(message.contains("no-such-key.pem"), "{message}");

    let rsa = PublicKey::read(&testdata("rsa-2048.pub.pem")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rsa.algorithm(), "rsa");
    assert_eq!(rsa.fingerprint().len(), 64);
    assert_ne!(rsa.fingerprint(), public(&Key::ed25519(1)).fingerprint());
}

/// Pushes the test image to `repo` as `v1`; returns the manifest digest.
fn push_image(pusher: &Pusher, repo: &str) -> String {
    let blobs = blobs();
    let cfg = image_util::config(&blobs);
    let config = pusher.blob(repo, &cfg);
    let layers: Vec<serde_json::Value> = blobs
        .iter()
        .map(|b| {
            serde_json::json!({"mediaType": b.media_type, "digest": pusher.blob(repo, &b.bytes),
                               "size": b.bytes.len()})
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": signing::OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config,
                   "size": cfg.len()},
        "layers": layers,
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    pusher.manifest(repo, "v1", signing::OCI_MANIFEST, &manifest)
}

/// Pushes a `.sig` manifest for `digest` signed by `key`, as `cosign sign` does.
fn push_signature(pusher: &Pusher, repo: &str, digest: &str, key: &Key) {
    let sig = signing::sig_manifest(&[SigLayer::signed(key, digest)], |data| {
        pusher.blob(repo, data)
    });
    pusher.manifest(repo, &signing::sig_tag(digest), signing::OCI_MANIFEST, &sig);
}

#[test]
fn registry_signatures_verify_with_the_right_key_only() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    let key = Key::p256(3);
    let digest = push_image(&pusher, "team/signed");
    push_signature(&pusher, "team/signed", &digest, &key);
    // The same image in another repository, without a signature.
    let unsigned_digest = push_image(&pusher, "team/plain");

    let config_dir = tempdir();
    let mut opts = LoadOptions::new(&FILTER);
    opts.insecure_registries = vec![registry.addr.clone()];
    opts.docker_config = Some(config_dir.path().to_path_buf());

    let info = load_info(&registry.reference("team/signed:v1"), &opts);
    let outcome = verify(&info, &[public(&key)], &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_verified(&outcome, &public(&key), "ecdsa-p256-sha256", &digest);

    let outcome = verify(&info, &[public(&Key::p256(4))], &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(problems(outcome), [Problem::UnknownKey]);

    let info = load_info(&registry.reference("team/plain:v1"), &opts);
    let outcome = verify(&info, &[public(&key)], &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome,
        Verification::Unsigned {
            looked_for: vec![signing::sig_tag(&unsigned_digest)]
        }
    );
}

#[test]
fn a_signature_of_the_index_covers_the_image_picked_from_it() {
    let dir = tempdir();
    let manifest_digest = layout(dir.path());
    // Put the manifest behind an index tagged v1, as multi-platform images are.
    let index_path = dir.path().join("index.json");
    let top: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    let mut entry = top["manifests"][0].clone();
    entry["platform"] = serde_json::json!({"os": "linux", "architecture": "amd64"});
    let inner = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [entry],
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let index_digest = image_util::sha256(&inner);
    std::fs::write(
        dir.path()
            .join("blobs/sha256")
            .join(index_digest.trim_start_matches("sha256:")),
        &inner,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let outer = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest,
        "size": inner.len(), "annotations": {"org.opencontainers.image.ref.name": "v1"}}]});
    std::fs::write(&index_path, outer.to_string()).unwrap_or_else(|e| panic!("{e}"));

    let key = Key::ed25519(11);
    sign_layout(
        dir.path(),
        &index_digest,
        &[SigLayer::signed(&key, &index_digest)],
    );
    let mut opts = LoadOptions::new(&FILTER);
    opts.platform = Some(seaworthy_oci::Platform::parse("linux/amd64").unwrap_or_default());
    let info = load_info(&oci_dir(dir.path()), &opts);
    assert_eq!(
        info.manifest_digest.as_ref().map(|d| d.to_string()),
        Some(manifest_digest.clone())
    );
    let outcome = verify(&info, &[public(&key)], &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_verified(&outcome, &public(&key), "ed25519", &index_digest);
}
