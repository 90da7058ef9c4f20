//! Renderers: one report model, every format. Reporters only render; they never judge.
//!
//! Every renderer is a pure function of the report and [`RenderOptions`]; the output is sorted and
//! deterministic (no timestamps, no random ids), so it can be diffed and snapshot-tested.

pub mod assess;
pub mod checks;
mod github;
mod json;
mod junit;
mod markdown;
mod sarif;
pub mod sarif_upload;
pub mod sbom;
mod table;
mod text;

pub use text::json_pretty;
pub mod vulns;

use std::str::FromStr;

use seaworthy_core::{Report, RuleMeta, Severity};

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

impl Format {
    pub const NAMES: &[&str] = &["table", "json", "sarif", "junit", "github", "markdown"];
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "github" => Format::Github,
            "markdown" | "md" => Format::Markdown,
            _ => {
                return Err(format!(
                    "unknown format `{s}` (expected one of: {})",
                    Format::NAMES.join(", ")
                ));
            }
        })
    }
}

/// What renderers may need besides the report.
pub struct RenderOptions<'a> {
    /// ANSI colors (only on a TTY and never with NO_COLOR; the caller decides).
    pub color: bool,
    /// Metadata of every rule that can appear (SARIF `tool.driver.rules`, JUnit names).
    pub rules: &'a [&'static RuleMeta],
    /// The text of an input by its path, for code frames (None when unavailable, e.g. stdin).
    pub source: &'a dyn Fn(&str) -> Option<String>,
}

impl RenderOptions<'_> {
    /// The rules, sorted by id, each id once.
    pub(crate) fn sorted_rules(&self) -> Vec<&'static RuleMeta> {
        let mut rules = self.rules.to_vec();
        rules.sort_by_key(|r| r.id);
        rules.dedup_by_key(|r| r.id);
        rules
    }

    pub(crate) fn rule(&self, id: &str) -> Option<&'static RuleMeta> {
        self.rules.iter().copied().find(|r| r.id == id)
    }
}

/// Renders the whole output of `format`, ending with a newline (empty for an empty GitHub log).
pub fn render(report: &Report, format: Format, opts: &RenderOptions<'_>) -> String {
    match format {
        Format::Table => table::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, opts),
        Format::Junit => junit::render(report, opts),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// Whether an active finding of `severity` fails a run with threshold `fail_on`.
pub(crate) fn gates(severity: Severity, fail_on: Severity) -> bool {
    severity >= fail_on
}
