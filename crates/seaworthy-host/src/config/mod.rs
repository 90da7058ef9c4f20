//! The effective daemon configuration: every place a dockerd setting can come from, merged, each
//! value remembering its source. Keys are daemon.json keys (`icc`, `log-opts`, …).
//!
//! Precedence (highest first): what the running daemon reports (`GET /info`, the default
//! bridge), the running dockerd's command line, daemon.json, the systemd unit's `ExecStart`
//! (drop-ins applied), `DOCKER_OPTS` in /etc/default/docker or /etc/sysconfig/docker, the
//! built-in default. dockerd itself refuses a key set both as a flag and in daemon.json, so
//! for a running daemon these rarely disagree; every source that set a key is kept as evidence.

pub mod flags;
mod sources;

use std::collections::BTreeMap;

use serde_json::Value;

pub use sources::{DockerdProcess, Unit, find_dockerd, load, read_unit};

/// systemd unit directories, in systemd's order.
pub fn sources_unit_dirs() -> &'static [&'static str] {
    sources::UNIT_DIRS
}

/// One value of one key and where it was set.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Value,
    /// e.g. `/etc/docker/daemon.json`, `dockerd command line`, `GET /info`, `default`.
    pub source: String,
    /// Lower wins.
    rank: u8,
}

impl Setting {
    /// The value as the user would write it (`false`, `warn`, `["a","b"]`).
    pub fn display(&self) -> String {
        match &self.value {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }

    /// A list value (a single string counts as a one-item list).
    pub fn as_list(&self) -> Vec<String> {
        match &self.value {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    }
}

/// Where a layer of settings came from, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    Daemon = 0,
    CommandLine = 1,
    DaemonJson = 2,
    Unit = 3,
    EnvFile = 4,
    Default = 9,
}

/// Every setting seen, per key.
#[derive(Debug, Clone, Default)]
pub struct DaemonConfig {
    values: BTreeMap<String, Vec<Setting>>,
    /// Files that could not be read or parsed, with the reason (reported as notes).
    pub problems: Vec<String>,
    /// The daemon.json that applies (whether or not it exists).
    pub daemon_json: String,
}

impl DaemonConfig {
    /// Adds a value of `key` from `source`.
    pub fn set(&mut self, key: &str, value: Value, source: impl Into<String>, rank: Rank) {
        let list = self.values.entry(key.to_string()).or_default();
        list.push(Setting {
            value,
            source: source.into(),
            rank: rank as u8,
        });
        list.sort_by_key(|s| s.rank);
    }

    /// Adds every key of a daemon.json-shaped map.
    pub fn set_all(&mut self, map: serde_json::Map<String, Value>, source: &str, rank: Rank) {
        for (k, v) in map {
            self.set(&k, v, source, rank);
        }
    }

    /// The effective value of `key` (highest precedence), if any source set it.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.values.get(key).and_then(|v| v.first())
    }

    /// Every source that set `key`, highest precedence first.
    pub fn all(&self, key: &str) -> &[Setting] {
        self.values.get(key).map_or(&[], Vec::as_slice)
    }

    /// The effective value or the default, with its source.
    pub fn get_or(&self, key: &str, default: Value) -> Setting {
        self.get(key).cloned().unwrap_or(Setting {
            value: default,
            source: "default".to_string(),
            rank: Rank::Default as u8,
        })
    }

    /// One entry of a map-valued key (`log-opts`, `storage-opts` as `k=v` list).
    pub fn map_entry(&self, key: &str, entry: &str) -> Option<(String, String)> {
        for s in self.all(key) {
            match &s.value {
                Value::Object(m) => {
                    if let Some(v) = m.get(entry) {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        return Some((v, s.source.clone()));
                    }
                }
                Value::Array(_) => {
                    for item in s.as_list() {
                        if let Some((k, v)) = item.split_once('=')
                            && k.trim() == entry
                        {
                            return Some((v.trim().to_string(), s.source.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn precedence_and_evidence() {
        let mut c = DaemonConfig::default();
        c.set(
            "icc",
            json!(true),
            "/etc/default/docker DOCKER_OPTS",
            Rank::EnvFile,
        );
        c.set(
            "icc",
            json!(false),
            "/etc/docker/daemon.json",
            Rank::DaemonJson,
        );
        assert_eq!(c.get("icc").unwrap().as_bool(), Some(false));
        assert_eq!(c.get("icc").unwrap().source, "/etc/docker/daemon.json");
        assert_eq!(c.all("icc").len(), 2);
        assert_eq!(c.get_or("live-restore", json!(false)).source, "default");
        c.set(
            "log-opts",
            json!({"max-size": "10m"}),
            "x",
            Rank::DaemonJson,
        );
        assert_eq!(c.map_entry("log-opts", "max-size").unwrap().0, "10m");
        c.set(
            "storage-opts",
            json!(["dm.basesize=20G"]),
            "y",
            Rank::CommandLine,
        );
        assert_eq!(c.map_entry("storage-opts", "dm.basesize").unwrap().0, "20G");
    }
}
