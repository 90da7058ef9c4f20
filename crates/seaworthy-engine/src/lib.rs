//! The Docker Engine boundary: connecting (`DOCKER_HOST`, TLS, rootless socket), the daemon's
//! facts from `/info`, `/version` and the swarm, and running containers (inspect, processes,
//! changes, files through the archive endpoint). Facts only: the rules judging them live in the
//! area crates (`seaworthy-host`, `seaworthy-container`).

pub mod containers;
pub mod engine;
pub mod facts;

pub use engine::{Endpoint, EngineError};
