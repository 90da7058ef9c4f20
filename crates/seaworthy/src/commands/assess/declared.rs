//! Where `seaworthy.toml` asked for what `assess` checks: the line of `[host]`, of `running`,
//! of an image reference. SARIF points results that have no file of their own there, so GitHub
//! code scanning can show each on a line of the repository.

use std::path::Path;

use seaworthy_report::assess::SourceLine;

/// The configuration file as read for locating lines (it is small: `config::load_file` caps it).
pub struct Declarations {
    /// The file's path relative to the working directory.
    path: String,
    text: String,
}

impl Declarations {
    /// `config` as the run found it; `None` without one or when it cannot be read again.
    pub fn read(config: Option<&Path>, relative: impl Fn(&Path) -> String) -> Option<Self> {
        let config = config?;
        let text = std::fs::read_to_string(config).ok()?;
        Some(Declarations {
            path: relative(config),
            text,
        })
    }

    /// The line of the `[name]` table header.
    pub fn table(&self, name: &str) -> Option<SourceLine> {
        let header = format!("[{name}]");
        self.line_where(|l| l.split('#').next().unwrap_or("").trim() == header)
    }

    /// The line setting `key` inside `[table]` (`running = true`), else the table's header.
    pub fn key_in(&self, table: &str, key: &str) -> Option<SourceLine> {
        let header = format!("[{table}]");
        let mut inside = false;
        for (n, line) in self.text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("").trim();
            if code.starts_with('[') {
                inside = code == header;
            } else if inside && code.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
                return Some(self.at(n));
            }
        }
        self.table(table)
    }

    /// The first line holding `value` as a quoted string (an image reference in `targets`).
    pub fn quoted(&self, value: &str) -> Option<SourceLine> {
        let double = format!("\"{value}\"");
        let single = format!("'{value}'");
        self.line_where(|l| l.contains(&double) || l.contains(&single))
    }

    fn line_where(&self, found: impl Fn(&str) -> bool) -> Option<SourceLine> {
        self.text.lines().position(found).map(|n| self.at(n))
    }

    fn at(&self, index: usize) -> SourceLine {
        SourceLine {
            path: self.path.clone(),
            line: u32::try_from(index + 1).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declarations(text: &str) -> Declarations {
        Declarations {
            path: "seaworthy.toml".to_string(),
            text: text.to_string(),
        }
    }

    #[test]
    fn lines_of_tables_keys_and_references() {
        let d = declarations(
            "fail-on = \"high\"\n\n[image]\ntargets = [\n  \"docker:app:1\",\n  { ref = 'docker:api:2' },\n]\n\n[container]  # running ones\nrunning = true\n\n[host]\nenabled = true\n",
        );
        let line = |s: Option<SourceLine>| s.and_then(|s| s.line);
        assert_eq!(line(d.table("host")), Some(12));
        assert_eq!(line(d.key_in("container", "running")), Some(10));
        assert_eq!(line(d.key_in("host", "running")), Some(12), "the header");
        assert_eq!(line(d.quoted("docker:app:1")), Some(5));
        assert_eq!(line(d.quoted("docker:api:2")), Some(6));
        assert_eq!(line(d.quoted("docker:app")), None, "whole references only");
        assert_eq!(line(d.table("db")), None);
    }
}
