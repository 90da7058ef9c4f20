//! `seaworthy rules` and `seaworthy explain`.

use std::fmt::Write as _;

use seaworthy_core::RuleMeta;
use seaworthy_dockerfile::rules::{self, RULES};

use crate::ExitCode;
use crate::cli::OutputFormat;

pub fn all_rules() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).collect()
}

pub fn list(format: OutputFormat) -> (String, ExitCode) {
    let metas = all_rules();
    match format {
        OutputFormat::Json => (
            serde_json::to_string_pretty(&metas).unwrap_or_default() + "\n",
            ExitCode::Pass,
        ),
        OutputFormat::Table => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{:<10} {:<8} {:<12} {:<40} SEE ALSO",
                "ID", "SEVERITY", "GROUP", "TITLE"
            );
            for m in metas {
                let refs: Vec<String> = m.refs.iter().map(|r| r.id.to_string()).collect();
                let _ = writeln!(
                    out,
                    "{:<10} {:<8} {:<12} {:<40} {}",
                    m.id,
                    m.severity.as_str(),
                    m.group,
                    m.title,
                    refs.join(", ")
                );
            }
            (out, ExitCode::Pass)
        }
        _ => (
            "seaworthy rules: --format must be table or json\n".to_string(),
            ExitCode::Usage,
        ),
    }
}

/// Documentation of one rule, found by id, name or hadolint code.
pub fn explain(query: &str) -> Result<String, String> {
    let rule = rules::find(query).or_else(|| {
        rules::from_hadolint(query)
            .first()
            .and_then(|id| rules::find(id))
    });
    let Some(rule) = rule else {
        return Err(format!(
            "unknown rule `{query}`: run `seaworthy rules` for the list"
        ));
    };
    let m = rule.meta();
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}): {}", m.id, m.name, m.title);
    let _ = writeln!(
        out,
        "area: {}  group: {}  default severity: {}",
        m.area.as_str(),
        m.group,
        m.severity
    );
    if !m.refs.is_empty() {
        let refs: Vec<String> = m
            .refs
            .iter()
            .map(|r| format!("{} {}", r.peer.as_str(), r.id))
            .collect();
        let _ = writeln!(out, "see also: {}", refs.join(", "));
    }
    out.push('\n');
    for line in m.docs.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    let _ = writeln!(out, "\nRemediation: {}", m.remediation);
    Ok(out)
}
