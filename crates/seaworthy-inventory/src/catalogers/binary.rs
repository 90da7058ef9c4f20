//! Compiled binaries (ELF): Go build info and Rust cargo-auditable dependency lists.
