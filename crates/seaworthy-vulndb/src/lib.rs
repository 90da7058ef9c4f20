//! Known vulnerabilities: advisory sources, a SQLite store, and matching with each ecosystem's
//! own version rules. Version semantics come first (`versions`), one module per scheme.

pub mod versions;
