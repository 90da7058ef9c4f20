//! Renderers: one report model, every format. Reporters only render; they never judge.

use std::str::FromStr;

use seaworthy_core::{Report, RuleMeta};

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
}

impl Format {
    pub const NAMES: &[&str] = &["table", "json", "sarif", "junit", "github"];
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
            _ => return Err(format!("unknown format `{s}` (expected one of: {})", Format::NAMES.join(", "))),
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

pub fn render(report: &Report, format: Format, opts: &RenderOptions<'_>) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        _ => {
            let _ = opts;
            String::new()
        }
    }
}
