use serde::{Deserialize, Serialize};

/// A 1-based line and column (columns count Unicode scalar values) plus the byte offset.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

/// A half-open region of a text file.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// Where a finding is. Areas add their own kinds; every kind renders as one stable string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A region of a text file (Dockerfile, compose file, config).
    File { path: String, span: Span },
    /// A setting or file of a container image; [`crate::Origin`] says which layer and build step.
    Image {
        /// The image as the user named it.
        image: String,
        /// The file in the image the finding is about (no leading `/`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// A setting or file of the Docker host (daemon configuration, a host file, a socket).
    Host {
        /// The host as named by the run (`localhost` for the local daemon).
        host: String,
        /// What was checked: a file path (`/etc/docker/daemon.json`), a daemon setting
        /// (`daemon:icc`) or an engine object (`swarm:autolock`).
        object: String,
    },
    /// A container: running (inspect data) or about to run (a `docker run` command line).
    Container {
        /// Name (or `docker run` for a command line).
        container: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image: Option<String>,
        /// The inspect field or flag that decides the finding, e.g. `HostConfig.Privileged`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
}

impl Location {
    pub fn path(&self) -> &str {
        match self {
            Location::File { path, .. } => path,
            Location::Image { image, .. } => image,
            Location::Host { host, .. } => host,
            Location::Container { container, .. } => container,
        }
    }

    /// `path:line:col`, the form editors and CI annotations understand.
    pub fn display(&self) -> String {
        match self {
            Location::File { path, span } => {
                format!("{path}:{}:{}", span.start.line, span.start.column)
            }
            Location::Image { image, path: None } => image.clone(),
            Location::Image {
                image,
                path: Some(path),
            } => format!("{image} /{path}"),
            Location::Host { host, object } => format!("{host} {object}"),
            Location::Container {
                container, field, ..
            } => match field {
                Some(field) => format!("{container} {field}"),
                None => container.clone(),
            },
        }
    }
}
