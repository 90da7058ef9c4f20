//! Finding and connecting to the Docker Engine: `DOCKER_HOST` (unix, tcp, tcp with TLS from
//! `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`), else the system socket, else the rootless socket
//! `$XDG_RUNTIME_DIR/docker.sock`. Async bollard calls run on a private current-thread runtime.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::Docker;

/// The system socket bollard uses when `DOCKER_HOST` is unset.
pub const SYSTEM_SOCKET: &str = "/var/run/docker.sock";

/// Longest wait for one API answer.
pub const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Docker daemon at {endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error("Docker daemon at {endpoint}: {message}")]
    Api { endpoint: String, message: String },
    #[error("starting the Docker client runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Where the daemon is, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…`, `tcp://…`.
    pub host: String,
    /// TLS towards a TCP daemon (`DOCKER_TLS_VERIFY` set).
    pub tls: bool,
    /// The socket is the rootless one (`$XDG_RUNTIME_DIR/docker.sock`).
    pub rootless: bool,
    /// `DOCKER_HOST`, `system socket`, `rootless socket`.
    pub chosen_by: &'static str,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.host)
    }
}

/// The endpoint from the environment, the same way the Docker CLI picks it.
pub fn endpoint() -> Endpoint {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    endpoint_from(
        env("DOCKER_HOST"),
        env("DOCKER_TLS_VERIFY").is_some(),
        env("XDG_RUNTIME_DIR").map(PathBuf::from),
        Path::new(SYSTEM_SOCKET).exists(),
    )
}

fn endpoint_from(
    docker_host: Option<String>,
    tls_verify: bool,
    runtime_dir: Option<PathBuf>,
    system_socket_exists: bool,
) -> Endpoint {
    if let Some(host) = docker_host {
        let tcp = host.starts_with("tcp://") || host.starts_with("https://");
        let rootless = runtime_dir
            .as_ref()
            .is_some_and(|d| host == format!("unix://{}", d.join("docker.sock").display()));
        return Endpoint {
            tls: tcp && (tls_verify || host.starts_with("https://")),
            host,
            rootless,
            chosen_by: "DOCKER_HOST",
        };
    }
    let rootless_socket = runtime_dir
        .map(|d| d.join("docker.sock"))
        .filter(|s| s.exists());
    match rootless_socket {
        Some(sock) if !system_socket_exists => Endpoint {
            host: format!("unix://{}", sock.display()),
            tls: false,
            rootless: true,
            chosen_by: "rootless socket",
        },
        _ => Endpoint {
            host: format!("unix://{SYSTEM_SOCKET}"),
            tls: false,
            rootless: false,
            chosen_by: "system socket",
        },
    }
}

/// Connects to `endpoint` and settles on an API version both sides speak.
pub async fn connect(endpoint: &Endpoint) -> Result<Docker, EngineError> {
    let unreachable = |e: bollard::errors::Error| EngineError::Unreachable {
        endpoint: endpoint.host.clone(),
        message: match &e {
            bollard::errors::Error::SocketNotFoundError(path) => {
                format!("socket {path} does not exist (is dockerd running? check DOCKER_HOST)")
            }
            other => seaworthy_core::causes::unreachable_daemon(other),
        },
    };
    let docker = if endpoint.tls {
        // Reads DOCKER_CERT_PATH (default ~/.docker) for ca.pem, cert.pem, key.pem.
        Docker::connect_with_ssl_defaults().map_err(unreachable)?
    } else if endpoint.host.starts_with("unix://") {
        Docker::connect_with_unix(
            &endpoint.host,
            TIMEOUT.as_secs(),
            bollard::API_DEFAULT_VERSION,
        )
        .map_err(unreachable)?
    } else {
        Docker::connect_with_http(
            &endpoint.host,
            TIMEOUT.as_secs(),
            bollard::API_DEFAULT_VERSION,
        )
        .map_err(unreachable)?
    };
    docker.negotiate_version().await.map_err(unreachable)
}

/// Maps an API error for `what` (e.g. `GET /info`).
pub fn api_error(endpoint: &Endpoint, what: &str, err: bollard::errors::Error) -> EngineError {
    EngineError::Api {
        endpoint: endpoint.host.clone(),
        message: format!("{what}: {err}"),
    }
}

/// Runs `fut` on a current-thread runtime of its own, so synchronous callers need no runtime.
/// Not for use inside a runtime.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output, EngineError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(fut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_wins_and_tcp_tls_follows_tls_verify() {
        let e = endpoint_from(Some("tcp://10.0.0.1:2376".into()), true, None, true);
        assert_eq!(
            (e.host.as_str(), e.tls, e.chosen_by),
            ("tcp://10.0.0.1:2376", true, "DOCKER_HOST")
        );
        let e = endpoint_from(Some("tcp://10.0.0.1:2375".into()), false, None, true);
        assert!(!e.tls);
        let e = endpoint_from(Some("unix:///var/run/docker.sock".into()), true, None, true);
        assert!(!e.tls, "TLS applies to TCP only");
    }

    #[test]
    fn rootless_socket_only_when_the_system_socket_is_missing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::write(dir.path().join("docker.sock"), "").unwrap_or_else(|e| panic!("{e}"));
        let e = endpoint_from(None, false, Some(dir.path().into()), false);
        assert!(e.rootless);
        assert_eq!(
            e.host,
            format!("unix://{}", dir.path().join("docker.sock").display())
        );
        let e = endpoint_from(None, false, Some(dir.path().into()), true);
        assert_eq!(
            (e.host.as_str(), e.rootless),
            ("unix:///var/run/docker.sock", false)
        );
        let e = endpoint_from(
            Some(format!(
                "unix://{}",
                dir.path().join("docker.sock").display()
            )),
            false,
            Some(dir.path().into()),
            true,
        );
        assert!(e.rootless, "DOCKER_HOST pointing at the rootless socket");
    }
}
