//! Image references as FROM writes them: `[registry/]repository[:tag][@digest]`.

/// A parsed image reference, with Docker Hub defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io` when none is written.
    pub registry: String,
    /// Full repository path, `library/` added for official Docker Hub images.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// Whether the registry was written explicitly.
    pub explicit_registry: bool,
}

pub const DOCKER_HUB: &str = "docker.io";

impl ImageRef {
    pub fn parse(reference: &str) -> Option<ImageRef> {
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().any(char::is_whitespace) {
            return None;
        }
        let (name_tag, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (reference, None),
        };
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(name_tag[last_slash + i + 1..].to_string()),
            ),
            None => (name_tag, None),
        };
        if name.is_empty() {
            return None;
        }
        let (registry, repository, explicit) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_ascii_lowercase(), rest.to_string(), true)
            }
            _ => (DOCKER_HUB.to_string(), name.to_string(), false),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                DOCKER_HUB.to_string()
            }
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
            explicit_registry: explicit,
        })
    }

    /// `registry/repository`, the form trusted-registry patterns match against.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

/// Matches `value` against a pattern with `*` wildcards (each `*` matches any run of characters).
/// Is `image` from a registry or repository that `trusted` (patterns: `registry.example`,
/// `*.corp.example`, `docker.io/library`) allows?
pub fn is_trusted(trusted: &[String], image: &ImageRef) -> bool {
    let full = image.full_name();
    trusted.iter().any(|p| {
        wildcard_match(p, &image.registry)
            || wildcard_match(p, &full)
            || (!p.contains('*') && full.starts_with(&format!("{}/", p.trim_end_matches('/'))))
    })
}

pub fn wildcard_match(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern.eq_ignore_ascii_case(value);
    }
    let value = value.to_ascii_lowercase();
    let parts: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
    let mut rest = value.as_str();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == last {
            return rest.ends_with(part.as_str());
        } else {
            match rest.find(part.as_str()) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let r = ImageRef::parse("ubuntu").unwrap_or_else(|| unreachable!());
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/ubuntu")
        );
        assert_eq!(r.tag, None);
        let r =
            ImageRef::parse("localhost:5000/a/b:1.0@sha256:abc").unwrap_or_else(|| unreachable!());
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "a/b");
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r =
            ImageRef::parse("gcr.io/distroless/static:nonroot").unwrap_or_else(|| unreachable!());
        assert_eq!(r.full_name(), "gcr.io/distroless/static");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.gcr.io", "eu.gcr.io"));
        assert!(wildcard_match(
            "docker.io/library/*",
            "docker.io/library/alpine"
        ));
        assert!(!wildcard_match(
            "docker.io/library/*",
            "docker.io/evil/alpine"
        ));
        assert!(wildcard_match("quay.io", "QUAY.io"));
    }
}
