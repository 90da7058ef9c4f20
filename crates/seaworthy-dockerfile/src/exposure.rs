//! The port and path lists of the EXPOSE and VOLUME rules, for other areas that judge the same
//! settings in a built image or a running container.

use crate::rules::{sensitive_port, sensitive_volume};

/// What listens on a sensitive port (`SSH`, `Docker API`), or `None` for an ordinary port.
pub fn sensitive_port(port: u32) -> Option<&'static str> {
    if port == 2375 {
        return Some("Docker API without TLS");
    }
    sensitive_port::SENSITIVE
        .iter()
        .find(|(p, _)| *p == port)
        .map(|(_, what)| *what)
}

/// Why a volume at `path` is sensitive (a system directory, a kernel interface, an engine
/// socket), or `None`.
pub fn sensitive_volume(path: &str) -> Option<String> {
    let path = sensitive_volume::normalize(path);
    if path.ends_with("/docker.sock")
        || path.ends_with("/containerd.sock")
        || path.ends_with("/podman.sock")
    {
        return Some("a container engine socket (root on the host)".into());
    }
    sensitive_volume::why(&path)
}
