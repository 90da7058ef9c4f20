//! Rust: Cargo.lock files.
