//! The Docker host: connecting to the Engine (`DOCKER_HOST`, TLS, rootless socket), the effective
//! daemon configuration and where each value was set, host files, and the CIS host checks.

pub mod config;
pub mod containers;
pub mod engine;
pub mod facts;
pub mod gather;
pub mod hostfiles;
pub mod rules;

pub use engine::{Endpoint, EngineError};
