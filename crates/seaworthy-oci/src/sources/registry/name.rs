//! Image names in a registry (`[host[:port]/]repo[:tag][@digest]`), normalised the way Docker
//! does (`alpine` is `docker.io/library/alpine:latest`), and which hosts may use plain HTTP.

use std::net::IpAddr;

use crate::digest::Digest;

/// Docker Hub as users name it, and the host that serves its registry API.
pub(crate) const DOCKER_HUB: &str = "docker.io";
pub(crate) const DOCKER_HUB_HOST: &str = "registry-1.docker.io";
/// The key Docker Hub credentials are stored under in `config.json`.
pub(crate) const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed, normalised image name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageName {
    /// Registry as named (`docker.io`, `127.0.0.1:5000`): credentials and messages use it.
    pub registry: String,
    /// `host[:port]` the registry API is reached at.
    pub host: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl ImageName {
    pub fn parse(input: &str) -> Result<ImageName, String> {
        let bad = |why: &str| format!("{input:?} is not an image name: {why}");
        if input.is_empty() || input.len() > 512 {
            return Err(bad("empty or longer than 512 characters"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, digest)) => (rest, Some(Digest::parse(digest).map_err(|e| bad(&e))?)),
            None => (input, None),
        };
        // A `:` after the last `/` starts the tag (an earlier one belongs to host:port).
        let last_slash = rest.rfind('/').map_or(0, |i| i.saturating_add(1));
        let (path, tag) = match rest.get(last_slash..).and_then(|tail| tail.split_once(':')) {
            Some((_, tag)) => {
                let end = rest.len().saturating_sub(tag.len()).saturating_sub(1);
                (rest.get(..end).unwrap_or_default(), Some(tag.to_string()))
            }
            None => (rest, None),
        };
        if let Some(tag) = &tag
            && !valid_tag(tag)
        {
            return Err(bad(
                "the tag must be 1-128 of [A-Za-z0-9_.-], not starting with . or -",
            ));
        }
        let (registry, repository) = match path.split_once('/') {
            Some((first, remainder)) if is_host(first) => {
                (first.to_string(), remainder.to_string())
            }
            _ => (DOCKER_HUB.to_string(), path.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
            _ => registry,
        };
        if !valid_host(&registry) {
            return Err(bad("the registry must be host[:port]"));
        }
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.len() > MAX_NAME_LEN || !repository.split('/').all(valid_component) {
            return Err(bad(
                "repository path components must be lowercase letters, digits and . _ - separators",
            ));
        }
        let host = if registry == DOCKER_HUB {
            DOCKER_HUB_HOST.to_string()
        } else {
            registry.clone()
        };
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_string()),
            _ => tag,
        };
        Ok(ImageName {
            registry,
            host,
            repository,
            tag,
            digest,
        })
    }

    /// What the manifest endpoint is asked for: the digest when given, else the tag.
    pub fn reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    /// `registry/repository:tag`, when the name has a tag.
    pub fn tagged(&self) -> Option<String> {
        self.tag
            .as_ref()
            .map(|t| format!("{}/{}:{t}", self.registry, self.repository))
    }

    /// The key credentials for this registry are stored under in Docker's `config.json`.
    pub fn auth_key(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_AUTH_KEY
        } else {
            &self.registry
        }
    }
}

/// Docker's rule: the first path component is a registry when it has a `.` or `:`, is
/// `localhost`, or is a bracketed IPv6 address.
fn is_host(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost" || first.starts_with('[')
}

/// `host[:port]` with a DNS name, IPv4 address or bracketed IPv6 address.
fn valid_host(host: &str) -> bool {
    let Some((name, port)) = split_port(host) else {
        return false;
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Splits `host[:port]` (`[v6]:port` too); `None` when brackets do not close.
fn split_port(host: &str) -> Option<(&str, Option<&str>)> {
    if host.starts_with('[') {
        let close = host.find(']')?;
        let (name, rest) = host.split_at(close.checked_add(1)?);
        return match rest.strip_prefix(':') {
            Some(port) => Some((name, Some(port))),
            None if rest.is_empty() => Some((name, None)),
            None => None,
        };
    }
    Some(match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    })
}

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= MAX_TAG_LEN
        && !tag.starts_with(['.', '-'])
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or any number of `-`.
fn valid_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut separator = String::new();
    for &b in bytes {
        if alnum(&b) {
            if !(separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.bytes().all(|s| s == b'-'))
            {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            if separator.len() >= MAX_NAME_LEN {
                return false;
            }
            separator.push(char::from(b));
        } else {
            return false;
        }
    }
    true
}

/// Checks the `--insecure-registry` list: every entry must be a loopback `host[:port]`.
pub(crate) fn check_insecure(entries: &[String]) -> Result<(), String> {
    for entry in entries {
        let loopback = split_port(entry)
            .filter(|_| valid_host(entry))
            .is_some_and(|(name, _)| is_loopback(name));
        if !loopback {
            return Err(format!(
                "--insecure-registry {entry:?}: only loopback registries (localhost, \
                 127.0.0.0/8, [::1]) may be reached over plain HTTP"
            ));
        }
    }
    Ok(())
}

/// Does `host` (as `host[:port]`) appear in the insecure list? An entry without a port
/// matches every port of that host.
pub(crate) fn is_insecure(host: &str, entries: &[String]) -> bool {
    let Some((name, _)) = split_port(host) else {
        return false;
    };
    entries.iter().any(|e| {
        e.eq_ignore_ascii_case(host) || (split_port(e) == Some((name, None)) && is_loopback(name))
    })
}

/// Is `host[:port]` a loopback address?
pub(crate) fn is_loopback_host(host: &str) -> bool {
    split_port(host).is_some_and(|(name, _)| is_loopback(name))
}

fn is_loopback(name: &str) -> bool {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ImageName {
        ImageName::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn docker_hub_short_names_normalise() {
        let n = parse("alpine");
        assert_eq!(n.registry, "docker.io");
        assert_eq!(n.host, "registry-1.docker.io");
        assert_eq!(n.repository, "library/alpine");
        assert_eq!(n.reference(), "latest");
        assert_eq!(n.auth_key(), "https://index.docker.io/v1/");
        assert_eq!(
            n.tagged().as_deref(),
            Some("docker.io/library/alpine:latest")
        );

        let n = parse("bitnami/redis:7.2");
        assert_eq!(
            (n.host.as_str(), n.repository.as_str()),
            ("registry-1.docker.io", "bitnami/redis")
        );
        assert_eq!(n.tag.as_deref(), Some("7.2"));
        assert_eq!(
            parse("index.docker.io/library/alpine:3").repository,
            "library/alpine"
        );
        assert_eq!(parse("docker.io/alpine").repository, "library/alpine");
    }

    #[test]
    fn registries_ports_and_digests() {
        let n = parse("127.0.0.1:5000/team/app:v1");
        assert_eq!(
            (n.registry.as_str(), n.host.as_str()),
            ("127.0.0.1:5000", "127.0.0.1:5000")
        );
        assert_eq!(n.repository, "team/app");
        assert_eq!(n.tag.as_deref(), Some("v1"));
        assert_eq!(n.auth_key(), "127.0.0.1:5000");

        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let n = parse(&format!("localhost:5000/app@{d}"));
        assert_eq!(n.tag, None);
        assert_eq!(n.reference(), d);
        let n = parse(&format!("ghcr.io/o/app:1@{d}"));
        assert_eq!(
            (n.tag.as_deref(), n.reference()),
            (Some("1"), d.to_string())
        );
        assert_eq!(parse("localhost/app").registry, "localhost");
        assert_eq!(parse("[::1]:5000/app").host, "[::1]:5000");
    }

    #[test]
    fn rejects_malformed_names() {
        for bad in [
            "",
            "Alpine",
            "alpine:",
            "alpine:-x",
            "a//b",
            "host:5000/../etc",
            "host:port/app",
            "app@sha256:abc",
            "app@md5:d41d8cd98f00b204e9800998ecf8427e",
            "a/b?x=1",
            "[::1/app",
            "x-.io/app",
        ] {
            assert!(ImageName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn insecure_registries_must_be_loopback() {
        let ok = [
            "127.0.0.1:5000",
            "localhost:1",
            "127.9.9.9",
            "[::1]:5000",
            "LOCALHOST",
        ];
        assert!(check_insecure(&ok.map(String::from)).is_ok());
        for bad in [
            "10.0.0.1:5000",
            "example.com",
            "0.0.0.0:5000",
            "[::2]:5000",
            "",
            "127.0.0.1:x",
        ] {
            assert!(
                check_insecure(&[bad.to_string()]).is_err(),
                "{bad:?} accepted"
            );
        }
        let list = vec!["127.0.0.1:5000".to_string(), "localhost".to_string()];
        assert!(is_insecure("127.0.0.1:5000", &list));
        assert!(!is_insecure("127.0.0.1:5001", &list));
        assert!(is_insecure("localhost:7000", &list));
        assert!(!is_insecure("example.com", &list));
    }
}
