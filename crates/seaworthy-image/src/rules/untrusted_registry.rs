use seaworthy_dockerfile::image_ref::{ImageRef, is_trusted};

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// With trusted registries configured (`[dockerfile] trusted-registries`, the same list the
    /// Dockerfile FROM rule uses), flags an image named from any other registry or repository.
    /// Images read from files are judged by the tags recorded in them.
    ///
    /// ## Why
    /// Whoever controls the registry controls what runs. Pulling from anywhere else bypasses the
    /// scanning, signing and retention of your own registry.
    ///
    /// ## Fix
    /// Mirror the image into a trusted registry and deploy it from there.
    UntrustedRegistry {
        id: "SW-IMG-032",
        name: "image-untrusted-registry",
        title: "Image from an untrusted registry",
        area: Image,
        group: "trust",
        severity: High,
        remediation: "Mirror the image into a trusted registry and reference it from there.",
        refs: [Cis("4.2")],
        fire: [
            "trusted registry.corp.example\nref docker.io/library/nginx:1.27\n",
        ],
        quiet: [
            "trusted registry.corp.example\nref registry.corp.example/team/app:1.0\n",
            "ref docker.io/library/nginx:1.27\n",
        ],
    }
}

impl Check for UntrustedRegistry {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let trusted = &image.settings.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        let names: Vec<&str> = match crate::rules::latest_tag::registry_name(image.reference) {
            Some(name) => vec![name],
            None => image.info.repo_tags.iter().map(String::as_str).collect(),
        };
        for name in names {
            let Some(parsed) = ImageRef::parse(name) else {
                continue;
            };
            if !is_trusted(trusted, &parsed) {
                out.push(Hit {
                    message: format!(
                        "`{name}` comes from registry `{}`, which is not trusted",
                        parsed.registry
                    ),
                    evidence: Some(name.to_string()),
                    ..Hit::default()
                });
            }
        }
    }
}
