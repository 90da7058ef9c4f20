//! Audit rules: which paths are watched, from `/etc/audit/rules.d/*.rules`,
//! `/etc/audit/audit.rules`, and `auditctl -l` (only when the root is `/` and the tool exists).

use std::collections::BTreeMap;

use crate::root::HostRoot;

/// Most rule files read from `rules.d`.
const MAX_RULE_FILES: usize = 512;

/// Watched paths and where each watch was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRules {
    /// path → sources (files, `auditctl -l`).
    pub watched: BTreeMap<String, Vec<String>>,
    /// Where rules were looked for and found.
    pub sources: Vec<String>,
}

impl AuditRules {
    /// The sources that watch `path` (exactly, or a watched parent directory).
    pub fn watching(&self, path: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (p, srcs) in &self.watched {
            let covers = p == path
                || (path.starts_with(p.as_str()) && path.as_bytes().get(p.len()) == Some(&b'/'));
            if covers {
                out.extend(srcs.iter().cloned());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    pub fn add_text(&mut self, text: &str, source: &str) {
        for line in text.lines() {
            if let Some(path) = watched_path(line) {
                let list = self.watched.entry(path).or_default();
                if !list.iter().any(|s| s == source) {
                    list.push(source.to_string());
                }
            }
        }
    }
}

/// The path of a watch rule: `-w PATH …` or a syscall rule with `-F path=PATH` / `-F dir=PATH`.
fn watched_path(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "-w" {
            return words
                .get(i + 1)
                .map(|p| p.trim_end_matches('/').to_string());
        }
        if *w == "-F"
            && let Some(f) = words.get(i + 1)
            && let Some(p) = f.strip_prefix("path=").or_else(|| f.strip_prefix("dir="))
        {
            return Some(p.trim_end_matches('/').to_string());
        }
    }
    None
}

pub fn gather(root: &HostRoot) -> AuditRules {
    let mut rules = AuditRules::default();
    for f in root.list("/etc/audit/rules.d", MAX_RULE_FILES) {
        if f.ends_with(".rules") {
            let path = format!("/etc/audit/rules.d/{f}");
            if let Some(text) = root.read_lossy(&path) {
                rules.add_text(&text, &path);
                rules.sources.push(path);
            }
        }
    }
    if let Some(text) = root.read_lossy("/etc/audit/audit.rules") {
        rules.add_text(&text, "/etc/audit/audit.rules");
        rules.sources.push("/etc/audit/audit.rules".into());
    }
    if root.is_system_root()
        && let Some(text) = auditctl_list()
    {
        rules.add_text(&text, "auditctl -l");
        rules.sources.push("auditctl -l".into());
    }
    rules
}

/// `auditctl -l` when the tool is installed (loaded rules).
fn auditctl_list() -> Option<String> {
    let tool = ["/sbin/auditctl", "/usr/sbin/auditctl"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let out = std::process::Command::new(tool).arg("-l").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn watch_and_syscall_rules() {
        let mut r = AuditRules::default();
        r.add_text(
            "# comment -w /nope\n-w /usr/bin/dockerd -k docker\n-a always,exit -F path=/etc/docker/ -F perm=wa -k docker\n-w /var/lib/docker/ -p wa\n",
            "/etc/audit/rules.d/docker.rules",
        );
        assert_eq!(r.watching("/usr/bin/dockerd").len(), 1);
        assert_eq!(r.watching("/etc/docker").len(), 1);
        assert_eq!(
            r.watching("/etc/docker/daemon.json").len(),
            1,
            "a watched directory covers its files"
        );
        assert!(r.watching("/etc/dockerx").is_empty());
        assert!(r.watching("/nope").is_empty());
    }
}
