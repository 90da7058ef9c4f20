//! Reading each configuration source below the host root.

use serde_json::{Map, Value, json};

use super::flags::{parse_args, split_words};
use super::{DaemonConfig, Rank};
use seaworthy_engine::facts::DaemonFacts;

use crate::root::HostRoot;

/// Most `/proc` entries looked at when searching for dockerd.
const MAX_PROCS: usize = 100_000;
/// Most drop-ins read per unit.
const MAX_DROPINS: usize = 256;

pub const SYSTEM_DAEMON_JSON: &str = "/etc/docker/daemon.json";
pub const ENV_FILES: &[&str] = &["/etc/default/docker", "/etc/sysconfig/docker"];
/// Unit directories in systemd's order (first found wins for the unit itself).
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// The running dockerd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerdProcess {
    pub pid: u32,
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Real uid (rootless when not 0).
    pub uid: Option<u32>,
}

/// Finds dockerd in the root's `/proc` by `comm` (falls back to the `exe` link's name).
pub fn find_dockerd(root: &HostRoot) -> Option<DockerdProcess> {
    for entry in root.list("/proc", MAX_PROCS) {
        let Ok(pid) = entry.parse::<u32>() else {
            continue;
        };
        let comm = root.read_lossy(&format!("/proc/{pid}/comm"));
        let is_dockerd = match comm.as_deref().map(str::trim) {
            Some("dockerd") => true,
            Some(_) => false,
            None => root
                .read_link(&format!("/proc/{pid}/exe"))
                .is_some_and(|e| e.ends_with("/dockerd")),
        };
        if !is_dockerd {
            continue;
        }
        let cmdline = root
            .read_lossy(&format!("/proc/{pid}/cmdline"))
            .unwrap_or_default();
        let args = cmdline
            .split('\0')
            .filter(|s| !s.is_empty())
            .skip(1)
            .map(str::to_string)
            .collect();
        let uid = root
            .read_lossy(&format!("/proc/{pid}/status"))
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|v| v.split_whitespace().next().and_then(|u| u.parse().ok()))
            });
        return Some(DockerdProcess { pid, args, uid });
    }
    None
}

/// A systemd unit and its drop-ins, as read.
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// The unit file found (host path), if any.
    pub path: Option<String>,
    /// Drop-in files applied (host paths), in order.
    pub dropins: Vec<String>,
    /// `ExecStart` after resets (the last non-empty one), with the file that set it.
    pub exec_start: Option<(String, String)>,
    pub environment_files: Vec<String>,
    pub environment: Vec<(String, String)>,
}

/// Reads `name` (e.g. `docker.service`) and its drop-ins.
pub fn read_unit(root: &HostRoot, name: &str) -> Unit {
    let mut unit = Unit::default();
    for dir in UNIT_DIRS {
        let path = format!("{dir}/{name}");
        if let Some(text) = root.read_lossy(&path) {
            apply_unit_text(&mut unit, &text, &path);
            unit.path = Some(path);
            break;
        }
    }
    let mut dropins: Vec<(String, String)> = Vec::new();
    for dir in UNIT_DIRS {
        let d = format!("{dir}/{name}.d");
        for f in root.list(&d, MAX_DROPINS) {
            if f.ends_with(".conf") && !dropins.iter().any(|(n, _)| *n == f) {
                dropins.push((f.clone(), format!("{d}/{f}")));
            }
        }
    }
    dropins.sort();
    for (_, path) in dropins {
        if let Some(text) = root.read_lossy(&path) {
            apply_unit_text(&mut unit, &text, &path);
            unit.dropins.push(path);
        }
    }
    unit
}

fn apply_unit_text(unit: &mut Unit, text: &str, path: &str) {
    let mut section = String::new();
    let mut logical = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let l = std::mem::take(&mut logical);
        let l = l.trim();
        if l.starts_with('#') || l.starts_with(';') || l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            section = l.to_string();
            continue;
        }
        if section != "[Service]" && section != "[Socket]" {
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "ExecStart" if v.is_empty() => unit.exec_start = None,
            "ExecStart" => unit.exec_start = Some((v.to_string(), path.to_string())),
            "EnvironmentFile" => unit
                .environment_files
                .push(v.trim_start_matches('-').to_string()),
            "Environment" => {
                for w in split_words(v) {
                    if let Some((k, v)) = w.split_once('=') {
                        unit.environment.push((k.to_string(), v.to_string()));
                    }
                }
            }
            "ListenStream" => unit
                .environment
                .push(("ListenStream".into(), v.to_string())),
            _ => {}
        }
    }
}

/// `KEY=value` lines of an environment file (quotes removed, comments skipped).
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let l = l.strip_prefix("export ").unwrap_or(l);
            let (k, v) = l.split_once('=')?;
            let words = split_words(v);
            Some((k.trim().to_string(), words.join(" ")))
        })
        .collect()
}

/// Replaces `$NAME` and `${NAME}` with values from `env` (unknown names become empty).
fn expand(s: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(e) => (&b[..e], &b[e + 1..]),
                None => (b, ""),
            }
        } else {
            let e = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..e], &after[e..])
        };
        if name.is_empty() {
            out.push('$');
        } else if let Some((_, v)) = env.iter().rev().find(|(k, _)| k == name) {
            out.push_str(v);
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The unit's `ExecStart` arguments (after the program), with `$VARS` expanded.
pub fn exec_start_args(root: &HostRoot, unit: &Unit) -> Option<(Vec<String>, String)> {
    let (line, source) = unit.exec_start.as_ref()?;
    let mut env = unit.environment.clone();
    for f in &unit.environment_files {
        if let Some(text) = root.read_lossy(f) {
            env.extend(parse_env_file(&text));
        }
    }
    let words = split_words(&expand(line, &env));
    // `$DOCKER_OPTS` expands to several words: split again.
    let words: Vec<String> = words.iter().flat_map(|w| split_words(w)).collect();
    Some((words.into_iter().skip(1).collect(), source.clone()))
}

/// Reads every source and merges them. `daemon` is what the running daemon reported, if reached.
pub fn load(
    root: &HostRoot,
    dockerd: Option<&DockerdProcess>,
    daemon: Option<&DaemonFacts>,
) -> DaemonConfig {
    let mut cfg = DaemonConfig::default();

    let mut config_file: Option<String> = None;
    if let Some(p) = dockerd {
        let m = parse_args(&p.args);
        config_file = m
            .get("config-file")
            .and_then(Value::as_str)
            .map(String::from);
        cfg.set_all(
            m,
            &format!("dockerd command line (pid {})", p.pid),
            Rank::CommandLine,
        );
    }

    let unit = read_unit(root, "docker.service");
    if let Some((args, source)) = exec_start_args(root, &unit) {
        let m = parse_args(&args);
        if config_file.is_none() {
            config_file = m
                .get("config-file")
                .and_then(Value::as_str)
                .map(String::from);
        }
        cfg.set_all(m, &format!("{source} ExecStart"), Rank::Unit);
    }

    for f in ENV_FILES {
        if let Some(text) = root.read_lossy(f) {
            for (k, v) in parse_env_file(&text) {
                if k == "DOCKER_OPTS" || k == "OPTIONS" {
                    cfg.set_all(
                        parse_args(&split_words(&v)),
                        &format!("{f} {k}"),
                        Rank::EnvFile,
                    );
                }
            }
        }
    }

    let rootless = dockerd.and_then(|p| p.uid).is_some_and(|u| u != 0)
        || daemon.is_some_and(|d| d.has_security_option("rootless"));
    let daemon_json = config_file.unwrap_or_else(|| {
        let home = dockerd
            .and_then(|p| p.uid)
            .filter(|u| *u != 0)
            .and_then(|u| home_of(root, u));
        match (rootless, home) {
            (true, Some(home)) => format!("{home}/.config/docker/daemon.json"),
            _ => SYSTEM_DAEMON_JSON.to_string(),
        }
    });
    match root.read(&daemon_json) {
        Ok(Some(text)) => match serde_json::from_str::<Map<String, Value>>(&text) {
            Ok(map) => {
                let src = daemon_json.clone();
                for (k, v) in map {
                    cfg.set(&k, v, format!("{src} key {k}"), Rank::DaemonJson);
                }
            }
            Err(e) => cfg
                .problems
                .push(format!("{daemon_json}: not valid JSON: {e}")),
        },
        Ok(None) => {}
        Err(e) => cfg.problems.push(e),
    }
    cfg.daemon_json = daemon_json;

    if let Some(d) = daemon {
        add_daemon_facts(&mut cfg, d);
    }
    cfg
}

fn home_of(root: &HostRoot, uid: u32) -> Option<String> {
    let passwd = root.read_lossy("/etc/passwd")?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 6 && f[2].parse::<u32>().ok() == Some(uid)).then(|| f[5].to_string())
    })
}

/// What the daemon reports about the settings it runs with.
fn add_daemon_facts(cfg: &mut DaemonConfig, d: &DaemonFacts) {
    let info = |field: &str| format!("GET /info ({field})");
    cfg.set(
        "storage-driver",
        json!(d.storage_driver),
        info("Driver"),
        Rank::Daemon,
    );
    cfg.set(
        "log-driver",
        json!(d.logging_driver),
        info("LoggingDriver"),
        Rank::Daemon,
    );
    cfg.set(
        "live-restore",
        json!(d.live_restore),
        info("LiveRestoreEnabled"),
        Rank::Daemon,
    );
    cfg.set(
        "experimental",
        json!(d.experimental),
        info("ExperimentalBuild"),
        Rank::Daemon,
    );
    cfg.set("debug", json!(d.debug), info("Debug"), Rank::Daemon);
    cfg.set(
        "data-root",
        json!(d.docker_root_dir),
        info("DockerRootDir"),
        Rank::Daemon,
    );
    cfg.set(
        "authorization-plugins",
        json!(d.authorization_plugins),
        info("Plugins.Authorization"),
        Rank::Daemon,
    );
    cfg.set(
        "insecure-registries",
        json!(d.insecure_registries),
        info("RegistryConfig"),
        Rank::Daemon,
    );
    if let Some(icc) = d.bridge_options.get("com.docker.network.bridge.enable_icc") {
        cfg.set(
            "icc",
            json!(icc == "true"),
            "GET /networks/bridge (com.docker.network.bridge.enable_icc)",
            Rank::Daemon,
        );
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn expands_variables() {
        let env = vec![("DOCKER_OPTS".to_string(), "--icc=false -l warn".to_string())];
        assert_eq!(
            expand("/usr/bin/dockerd -H fd:// $DOCKER_OPTS ${MISSING}x", &env),
            "/usr/bin/dockerd -H fd:// --icc=false -l warn x"
        );
    }

    #[test]
    fn unit_resets_and_continuations() {
        let mut u = Unit::default();
        apply_unit_text(
            &mut u,
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// \\\n  --icc=false\n",
            "/lib/x",
        );
        assert_eq!(
            split_words(&u.exec_start.as_ref().unwrap().0),
            ["/usr/bin/dockerd", "-H", "fd://", "--icc=false"]
        );
        apply_unit_text(&mut u, "[Service]\nExecStart=\n", "/etc/d.conf");
        assert!(u.exec_start.is_none());
    }
}
