//! The Dockerfile area of seaworthy: a BuildKit-faithful parser, a stage model, shell analysis of
//! RUN and the rules that judge container definitions.

pub mod config;
pub mod context;
pub mod exposure;
pub mod image_ref;
pub mod lint;
pub mod model;
pub mod parser;
pub mod provenance;
pub mod redact;
pub mod rules;
pub mod shell;
pub mod shellcheck;

pub use config::Config;
pub use lint::{LintOptions, Linted, lint, lint_bytes, lint_checked, lint_file};
pub use parser::{Dockerfile, ParseError};
