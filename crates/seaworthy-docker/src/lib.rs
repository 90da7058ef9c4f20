//! The Docker host: connecting to the Engine (`DOCKER_HOST`, TLS, rootless socket), the effective
//! daemon configuration and where each value was set, host files, and the CIS host checks.

pub mod engine;

pub use engine::{Endpoint, EngineError};
