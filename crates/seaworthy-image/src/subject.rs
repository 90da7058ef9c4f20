//! What the image rules look at: the image's run configuration, its history and its files.

use std::collections::BTreeMap;

use seaworthy_oci::{FsView, HistoryEntry, ImageInfo};
use serde_json::Value;

use crate::Settings;

/// The `config` object of an image config (what `docker run` uses), the fields rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunConfig {
    /// `User`, empty when unset.
    pub user: String,
    /// `ExposedPorts` keys: `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// `Volumes` keys.
    pub volumes: Vec<String>,
    /// `Healthcheck.Test`, `None` without a healthcheck.
    pub healthcheck: Option<Vec<String>>,
    /// `Env` as `NAME=value`.
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

impl RunConfig {
    /// Reads `config` (or `container_config` in very old images) leniently: a field of the wrong
    /// type is treated as absent.
    pub fn from_raw(raw: &Value) -> RunConfig {
        let config = raw
            .get("config")
            .filter(|c| c.is_object())
            .or_else(|| raw.get("container_config"))
            .cloned()
            .unwrap_or(Value::Null);
        let keys = |name: &str| -> Vec<String> {
            config
                .get(name)
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        RunConfig {
            user: config
                .get("User")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string(),
            exposed_ports: keys("ExposedPorts"),
            volumes: keys("Volumes"),
            healthcheck: config
                .get("Healthcheck")
                .filter(|h| h.is_object())
                .map(|h| strings(h.get("Test"))),
            env: strings(config.get("Env")),
            labels: config
                .get("Labels")
                .and_then(Value::as_object)
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The value of `name` in `Env`.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env.iter().find_map(|e| {
            let (k, v) = e.split_once('=')?;
            (k == name).then_some(v)
        })
    }
}

/// An image as the rules see it.
pub struct Subject<'a> {
    /// The image as the user named it.
    pub reference: &'a str,
    pub info: &'a ImageInfo,
    pub fs: &'a FsView,
    pub run: RunConfig,
    pub settings: &'a Settings,
}

impl<'a> Subject<'a> {
    pub fn new(info: &'a ImageInfo, fs: &'a FsView, settings: &'a Settings) -> Self {
        Subject {
            reference: &info.reference,
            run: RunConfig::from_raw(&info.config.raw),
            info,
            fs,
            settings,
        }
    }

    pub fn history(&self) -> &[HistoryEntry] {
        &self.info.config.history
    }

    /// The build command of history entry `i`, without the classic builder's `/bin/sh -c
    /// #(nop) ` wrapper and BuildKit's `# buildkit` suffix.
    pub fn command(&self, i: usize) -> Option<String> {
        let raw = self.history().get(i)?.created_by.as_deref()?;
        Some(clean_command(raw))
    }

    /// The last history entry whose command starts with `keyword` (`USER`, `EXPOSE`).
    pub fn last_step(&self, keyword: &str) -> Option<usize> {
        (0..self.history().len()).rev().find(|&i| {
            self.command(i).is_some_and(|c| {
                c.split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
            })
        })
    }

    /// The first history entry whose command starts with `keyword` and contains `needle`.
    pub fn step_with(&self, keyword: &str, needle: &str) -> Option<usize> {
        (0..self.history().len()).rev().find(|&i| {
            self.command(i).is_some_and(|c| {
                c.split_whitespace()
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
                    && c.contains(needle)
            })
        })
    }

    /// Text of a captured file, when it was captured and is UTF-8.
    pub fn text(&self, path: &str) -> Option<(&str, usize)> {
        let file = self.fs.read(path)?;
        Some((std::str::from_utf8(file.data).ok()?, file.layer))
    }
}

/// `/bin/sh -c #(nop)  CMD ["x"]` → `CMD ["x"]`; `/bin/sh -c apt-get update` → `RUN apt-get update`;
/// `RUN /bin/sh -c x # buildkit` → `RUN x`; `|2 A=1 B=2 /bin/sh -c x` → `RUN x`.
pub fn clean_command(raw: &str) -> String {
    let mut s = raw.trim();
    if let Some(rest) = s.strip_suffix("# buildkit") {
        s = rest.trim_end();
    }
    let (run, mut body) = match s.strip_prefix("RUN ") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    // Build args both builders prepend: `|N K=V … `.
    if let Some(rest) = body.strip_prefix('|') {
        let mut words = rest.splitn(2, ' ');
        let n: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut tail = words.next().unwrap_or_default();
        for _ in 0..n {
            tail = tail.split_once(' ').map_or("", |(_, t)| t);
        }
        body = tail.trim_start();
    }
    for shell in ["/bin/sh -c ", "/bin/bash -c ", "cmd /S /C "] {
        if let Some(rest) = body.strip_prefix(shell) {
            let rest = rest.trim_start();
            return match rest.strip_prefix("#(nop)") {
                Some(instruction) => instruction.trim().to_string(),
                None => format!("RUN {}", rest.trim()),
            };
        }
    }
    if run {
        format!("RUN {body}")
    } else {
        body.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::clean_command;

    #[test]
    fn commands_of_both_builders() {
        for (raw, want) in [
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", "CMD [\"bash\"]"),
            ("/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"),
            ("/bin/sh -c apt-get update", "RUN apt-get update"),
            (
                "|2 A=1 B=2 /bin/sh -c apt-get install -y curl",
                "RUN apt-get install -y curl",
            ),
            ("RUN /bin/sh -c apk add x # buildkit", "RUN apk add x"),
            ("RUN |1 V=2 /bin/sh -c make # buildkit", "RUN make"),
            ("USER app", "USER app"),
            ("COPY app /app # buildkit", "COPY app /app"),
        ] {
            assert_eq!(clean_command(raw), want, "{raw}");
        }
    }
}
