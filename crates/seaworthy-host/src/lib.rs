//! The host area: the CIS Docker Benchmark host checks (sections 1–3, 6, 7) and the facts they
//! judge — the effective daemon configuration and where each value was set, the host's files
//! below `--root`, and the daemon's own facts (read through `seaworthy-engine`).
//!
//! Flow: [`gather::gather`] reads every fact once into [`rules::HostFacts`]; [`rules::run`]
//! judges them, one [`seaworthy_core::CheckResult`] per rule.

pub mod config;
pub mod gather;
pub mod hostfiles;
pub mod root;
pub mod rules;
