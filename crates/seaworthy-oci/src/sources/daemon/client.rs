//! Talking to the Docker Engine: connecting (honouring `DOCKER_HOST`), running async bollard
//! calls from synchronous code, and turning bollard's errors into [`ImageError`]s.

use std::future::Future;
use std::io;
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as DockerError;

use crate::error::ImageError;

/// Longest wait for a quick answer (version, inspect).
pub(super) const QUICK_TIMEOUT: Duration = Duration::from_secs(60);

/// Longest wait for an export's headers: `docker save` may stage a large image before the
/// first byte. The body itself is not timed.
pub(super) const EXPORT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Where bollard looks when `DOCKER_HOST` is unset (Unix).
const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The daemon address bollard will use, for error messages.
pub(super) fn host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| DEFAULT_HOST.to_string())
}

/// Connects and settles on an API version both sides speak (older daemons reject newer ones).
pub(super) async fn connect(timeout: Duration) -> Result<Docker, DockerError> {
    let docker = Docker::connect_with_defaults()?
        .with_timeout(QUICK_TIMEOUT)
        .negotiate_version()
        .await?;
    Ok(docker.with_timeout(timeout))
}

/// Runs `fut` to completion on a small runtime of its own thread, so callers need no runtime and
/// calling from inside one cannot panic.
pub(super) fn run<F>(fut: F) -> Result<F::Output, ImageError>
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| block_on(fut)).join().unwrap_or_else(|_| {
            Err(ImageError::io(
                "Docker client",
                io::Error::other("the Docker client thread panicked"),
            ))
        })
    })
}

/// Runs `fut` on a current-thread runtime built on this thread. Not for use inside a runtime.
pub(super) fn block_on<F: Future>(fut: F) -> Result<F::Output, ImageError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ImageError::io("starting the Docker client runtime", e))?;
    Ok(rt.block_on(fut))
}

/// Maps a bollard error for image `name`: 404 is `NotFound`, 400 (a malformed reference) is
/// `BadInput`, everything else is the daemon's
/// (or the connection's) fault and names the socket.
pub(super) fn map_error(name: &str, err: DockerError) -> ImageError {
    match err {
        // The daemon's own message repeats the name ("No such image: x"): said once, here.
        DockerError::DockerResponseServerError {
            status_code: 404, ..
        } => ImageError::NotFound {
            what: format!("docker:{name}"),
            message: Some(format!("the Docker daemon at {} has no such image", host())),
        },
        DockerError::DockerResponseServerError {
            status_code: 400,
            message,
        } => ImageError::bad(format!("docker:{name}"), message),
        DockerError::DockerResponseServerError {
            status_code,
            message,
        } => ImageError::io(
            format!("Docker daemon at {}", host()),
            io::Error::other(format!("status {status_code} for {name}: {message}")),
        ),
        DockerError::IOError { err } => ImageError::io(
            format!("Docker daemon at {}", host()),
            io::Error::new(err.kind(), seaworthy_core::causes::unreachable_daemon(&err)),
        ),
        DockerError::SocketNotFoundError(path) => ImageError::io(
            format!("Docker daemon at {}", host()),
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("socket {path} does not exist (is dockerd running?)"),
            ),
        ),
        other => ImageError::io(
            format!("Docker daemon at {}", host()),
            io::Error::other(seaworthy_core::causes::unreachable_daemon(&other)),
        ),
    }
}

/// Is `name` safe to put in a request path? Docker references only use these characters, and
/// anything else (`?`, `#`, `%`, `..` segments) could change the request the daemon sees.
pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b))
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("alpine"));
        assert!(valid_name("localhost:5000/a/b:1.0"));
        assert!(valid_name("a@sha256:0123"));
        assert!(!valid_name(""));
        assert!(!valid_name("../containers/json"));
        assert!(!valid_name("a/../b"));
        assert!(!valid_name("a?x=1"));
        assert!(!valid_name("a%2f"));
        assert!(!valid_name("/a"));
    }
}
