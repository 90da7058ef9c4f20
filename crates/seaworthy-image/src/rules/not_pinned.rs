use crate::Hit;
use crate::rules::Check;
use crate::rules::latest_tag::registry_name;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Notes an image named from a registry or the daemon by tag instead of by digest
    /// (`app@sha256:…`). Tags move; a digest names exactly the bytes that were scanned.
    ///
    /// ## Why
    /// What passed the scan should be what is deployed. A tag can be pushed over between the scan
    /// and the deploy (by a later build or by an attacker); a digest cannot.
    ///
    /// ## Fix
    /// Scan and deploy `registry/app@sha256:<digest>` (the digest `docker push` prints).
    NotPinned {
        id: "SW-IMG-033",
        name: "image-not-pinned-by-digest",
        title: "Image referenced by tag, not digest",
        area: Image,
        group: "trust",
        severity: Info,
        remediation: "Reference the image by digest (name@sha256:…) in scans and deployments.",
        refs: [Cis("4.2")],
        fire: [
            "ref registry.example/app:1.4.2\n",
        ],
        quiet: [
            "ref registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
            "ref oci-dir:/tmp/app\n",
        ],
    }
}

impl Check for NotPinned {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let Some(name) = registry_name(image.reference) else {
            return;
        };
        if !name.contains('@') {
            out.push(Hit {
                message: format!("`{name}` is a tag; the scanned image is not pinned by digest"),
                evidence: Some(name.to_string()),
                ..Hit::default()
            });
        }
    }
}
