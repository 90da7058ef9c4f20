use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags an image named by the `latest` tag, or by a name without tag or digest (which means
    /// `latest`).
    ///
    /// ## Why
    /// `latest` moves: what was scanned is not what the next pull or deploy runs, and a rollback
    /// to "the previous latest" is impossible. Files (docker-archive, OCI layout) are judged by the
    /// tags recorded in them.
    ///
    /// ## Fix
    /// Tag releases with a version (`app:1.4.2`) and deploy by digest (`app@sha256:…`).
    LatestTag {
        id: "SW-IMG-008",
        name: "image-latest-tag",
        title: "Image referenced by the latest tag",
        area: Image,
        group: "trust",
        severity: Low,
        remediation: "Tag images with a version and pin deployments to a digest.",
        refs: [Dockle("DKL-DI-0006")],
        fire: [
            "ref registry.example/app:latest\n",
            "ref nginx\n",
        ],
        quiet: [
            "ref registry.example/app:1.4.2\n",
            "ref nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
            "ref oci-dir:/tmp/app\n",
        ],
    }
}

/// The tag of a registry-style name: `None` for a digest reference, `latest` when absent.
fn tag(name: &str) -> Option<&str> {
    if name.contains('@') {
        return None;
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    Some(last.split_once(':').map_or("latest", |(_, t)| t))
}

/// A reference that names an image by registry name (not a file).
pub(crate) fn registry_name(reference: &str) -> Option<&str> {
    const FILES: &[&str] = &["oci-dir:", "oci-archive:", "docker-archive:", "oci:"];
    if FILES.iter().any(|p| reference.starts_with(p))
        || reference.starts_with('/')
        || reference.starts_with('.')
        || reference.ends_with(".tar")
    {
        return None;
    }
    Some(
        ["docker:", "docker-daemon:", "registry:", "docker://"]
            .iter()
            .find_map(|p| reference.strip_prefix(p))
            .unwrap_or(reference),
    )
}

impl Check for LatestTag {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let names: Vec<&str> = match registry_name(image.reference) {
            Some(name) => vec![name],
            None => image.info.repo_tags.iter().map(String::as_str).collect(),
        };
        for name in names {
            if tag(name) == Some("latest") {
                out.push(Hit {
                    message: format!("`{name}` names the moving `latest` tag"),
                    evidence: Some(name.to_string()),
                    ..Hit::default()
                });
            }
        }
    }
}
