//! Settings of the Dockerfile area: which rules run, at which severity, which registries are trusted.

use std::collections::{HashMap, HashSet};

use seaworthy_core::Severity;

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Registries (or `registry/repository` prefixes) FROM may use; `*` wildcards. Empty: any.
    pub trusted_registries: Vec<String>,
    /// Rule ids that do not run.
    pub disabled: HashSet<String>,
    /// Severity overrides by rule id.
    pub severity: HashMap<String, Severity>,
    /// Where the trusted list came from, for messages (`seaworthy.toml`, `.hadolint.yaml`).
    pub trusted_source: Option<String>,
}
