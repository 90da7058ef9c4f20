//! The two signature rules read the verification outcome the caller puts in the settings.
use crate::rules::Check;
use crate::subject::Subject;
use crate::{Hit, SignatureCheck};

seaworthy_core::declare_rule! {
    /// With public keys configured (`--key`), flags an image that carries no cosign-style
    /// signature (`sha256-<digest>.sig`), one whose signatures are broken or sign another digest,
    /// and one that cannot carry a registry signature at all (a docker-archive, a daemon image).
    /// The severity is `[image] signature-severity` (default high).
    ///
    /// ## Why
    /// A signature binds the image digest to whoever holds the key: without one, nothing shows that
    /// the image is the one your pipeline built and not one pushed over it.
    ///
    /// ## Fix
    /// Sign the pushed digest in the pipeline (`cosign sign --key …`) and scan the image by digest
    /// from the registry or an OCI layout that holds the `.sig` manifest.
    Unsigned {
        id: "SW-IMG-030",
        name: "image-not-signed",
        title: "Image is not signed or the signature is not valid",
        area: Image,
        group: "trust",
        severity: High,
        remediation: "Sign the image digest (cosign sign --key) and verify it from a registry or OCI layout.",
        refs: [Cis("4.5")],
        fire: [
            "signature unsigned\n",
            "signature the payload signs sha256:0000… instead of this image's digest\n",
        ],
        quiet: [
            "signature verified\n",
            "ref app:1.0\n",
        ],
    }
}

impl Check for Unsigned {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let message = match &image.settings.signature {
            Some(SignatureCheck::Unsigned { looked_for }) => {
                format!("no signature found (looked for {})", looked_for.join(", "))
            }
            Some(SignatureCheck::Invalid { detail }) => {
                format!("the signature is not valid: {detail}")
            }
            Some(SignatureCheck::NotApplicable { why }) => {
                format!("the signature could not be checked: {why}")
            }
            _ => return,
        };
        out.push(Hit {
            message,
            severity: image.settings.signature_severity,
            ..Hit::default()
        });
    }
}

seaworthy_core::declare_rule! {
    /// Flags an image whose signatures verify with none of the configured public keys: it was
    /// signed, but not by anyone you trust (or its payload was altered after signing).
    ///
    /// ## Why
    /// A signature by an unknown key proves nothing about where the image came from; an attacker
    /// who can push can also sign.
    ///
    /// ## Fix
    /// Check who signed it; add their public key with `--key` only if they are trusted, else
    /// rebuild and sign the image yourself.
    UnknownKey {
        id: "SW-IMG-031",
        name: "image-signed-by-unknown-key",
        title: "Image signed by an unknown key",
        area: Image,
        group: "trust",
        severity: High,
        remediation: "Only trust images signed by your configured keys; re-sign or add the signer's key if trusted.",
        refs: [Cis("4.5")],
        fire: [
            "signature unknown-key\n",
        ],
        quiet: [
            "signature verified\n",
            "signature unsigned\n",
        ],
    }
}

impl Check for UnknownKey {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        if let Some(SignatureCheck::UnknownKey { detail }) = &image.settings.signature {
            out.push(Hit {
                message: format!("no signature verifies with the configured keys: {detail}"),
                severity: image.settings.signature_severity,
                ..Hit::default()
            });
        }
    }
}
