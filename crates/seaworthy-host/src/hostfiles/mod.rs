//! Everything read from the host's files below `--root`: modes and owners of the files CIS
//! section 3 names, docker group members, mounts, audit rules and listening sockets.

pub mod audit;
mod mounts;
pub mod net;

use std::collections::BTreeMap;

pub use audit::AuditRules;
pub use mounts::{Mount, in_container, mount_of, parse_mounts};
pub use net::Listener;

use crate::config::{DaemonConfig, DockerdProcess};
use crate::root::{FileKind, FileStat, HostRoot};

/// Most registry certificate files looked at under /etc/docker/certs.d.
const MAX_CERTS: usize = 1024;

/// A host file the checks care about: where it is and its stat (None when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFile {
    pub path: String,
    pub stat: Option<FileStat>,
}

/// The facts read from host files.
#[derive(Debug, Clone, Default)]
pub struct HostFiles {
    /// The root they were read below.
    pub root: String,
    /// Files by role: `docker.service`, `docker.socket`, `/etc/docker`, `daemon.json`,
    /// `tlscacert`, `tlscert`, `tlskey`, `docker.sock`, `containerd.sock`,
    /// `/etc/default/docker`, `/etc/sysconfig/docker`.
    pub files: BTreeMap<&'static str, HostFile>,
    /// Files under /etc/docker/certs.d.
    pub registry_certs: Vec<HostFile>,
    /// Members of the `docker` group (None when there is no such group), and its gid.
    pub docker_group: Option<(u32, Vec<String>)>,
    pub mounts: Vec<Mount>,
    /// Why seaworthy thinks it runs inside a container (then the host's mounts are not seen).
    pub in_container: Option<String>,
    pub audit: AuditRules,
    pub listeners: Vec<Listener>,
    /// Socket inodes dockerd holds open.
    pub dockerd_sockets: std::collections::BTreeSet<u64>,
    /// Host paths that exist (for the audit checks of files that may be absent).
    pub present: BTreeMap<String, bool>,
}

impl HostFiles {
    pub fn file(&self, role: &str) -> Option<&HostFile> {
        self.files.get(role)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.present.get(path).copied().unwrap_or(false)
    }
}

/// Paths the audit checks (1.1.3–1.1.18) look for.
pub const AUDITED_PATHS: &[&str] = &[
    "/usr/bin/dockerd",
    "/usr/sbin/dockerd",
    "/usr/sbin/runc",
    "/run/containerd",
    "/var/lib/docker",
    "/etc/docker",
    "/etc/containerd/config.toml",
    "/usr/bin/containerd",
    "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/etc/docker/daemon.json",
    "/run/containerd/containerd.sock",
];

/// The unix socket dockerd listens on (`hosts` with `unix://`), else the default.
pub fn docker_socket_path(cfg: &DaemonConfig) -> String {
    cfg.get("hosts")
        .into_iter()
        .flat_map(|s| s.as_list())
        .find_map(|h| h.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/var/run/docker.sock".to_string())
}

pub fn gather(root: &HostRoot, cfg: &DaemonConfig, dockerd: Option<&DockerdProcess>) -> HostFiles {
    let mut files = BTreeMap::new();
    let mut add = |role: &'static str, path: String| {
        let stat = root.stat(&path);
        files.insert(role, HostFile { path, stat });
    };
    let unit_path = |name: &str| {
        crate::config::sources_unit_dirs()
            .iter()
            .map(|d| format!("{d}/{name}"))
            .find(|p| root.stat(p).is_some())
            .unwrap_or_else(|| format!("/lib/systemd/system/{name}"))
    };
    add("docker.service", unit_path("docker.service"));
    add("docker.socket", unit_path("docker.socket"));
    add("/etc/docker", "/etc/docker".into());
    add("daemon.json", cfg.daemon_json.clone());
    add("/etc/default/docker", "/etc/default/docker".into());
    add("/etc/sysconfig/docker", "/etc/sysconfig/docker".into());
    add("docker.sock", docker_socket_path(cfg));
    add("containerd.sock", "/run/containerd/containerd.sock".into());
    for key in ["tlscacert", "tlscert", "tlskey"] {
        if let Some(p) = cfg.get(key).and_then(|s| s.as_str().map(str::to_string)) {
            add(
                match key {
                    "tlscacert" => "tlscacert",
                    "tlscert" => "tlscert",
                    _ => "tlskey",
                },
                p,
            );
        }
    }

    let mut registry_certs = Vec::new();
    for dir in root.list("/etc/docker/certs.d", MAX_CERTS) {
        let d = format!("/etc/docker/certs.d/{dir}");
        for f in root.list(&d, MAX_CERTS) {
            if registry_certs.len() >= MAX_CERTS {
                break;
            }
            let path = format!("{d}/{f}");
            let stat = root.stat(&path);
            if stat.is_some_and(|s| s.kind == FileKind::File) {
                registry_certs.push(HostFile { path, stat });
            }
        }
    }

    let mounts = root
        .read_lossy("/proc/1/mounts")
        .or_else(|| root.read_lossy("/proc/mounts"))
        .map(|t| parse_mounts(&t))
        .unwrap_or_default();

    let present = AUDITED_PATHS
        .iter()
        .map(|p| (p.to_string(), root.exists(p)))
        .collect();

    HostFiles {
        root: root.dir().display().to_string(),
        files,
        registry_certs,
        docker_group: docker_group(root),
        mounts,
        in_container: in_container(root),
        audit: audit::gather(root),
        listeners: net::listeners(root),
        dockerd_sockets: dockerd
            .map(|p| net::socket_inodes(root, p.pid))
            .unwrap_or_default(),
        present,
    }
}

/// The `docker` group's gid and members from the root's /etc/group.
fn docker_group(root: &HostRoot) -> Option<(u32, Vec<String>)> {
    let text = root.read_lossy("/etc/group")?;
    parse_group(&text, "docker")
}

pub fn parse_group(text: &str, name: &str) -> Option<(u32, Vec<String>)> {
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 4 || f[0] != name {
            return None;
        }
        let members = f[3]
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect();
        Some((f[2].parse().ok()?, members))
    })
}
