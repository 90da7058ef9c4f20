//! CIS 3.1–3.24: owners and modes of Docker's files, directories and sockets.

use super::{HostFacts, Verdict};
use crate::hostfiles::HostFile;

/// Expected owner: uid 0 and gid 0 (or, for `docker`, the docker group's gid).
fn owner(f: &HostFacts, files: &[HostFile], what: &str, docker_gid: bool) -> Verdict {
    judge(f, files, what, |h| {
        let s = h.stat?;
        let gid_ok = if docker_gid {
            match &f.files.docker_group {
                Some((gid, _)) => s.gid == *gid || s.gid == 0,
                None => s.gid == 0,
            }
        } else {
            s.gid == 0
        };
        (s.uid != 0 || !gid_ok).then(|| format!("{} is owned by {}:{}", h.path, s.uid, s.gid))
    })
}

/// Expected mode: no bit outside `max`.
fn mode(f: &HostFacts, files: &[HostFile], what: &str, max: u32) -> Verdict {
    judge(f, files, what, |h| {
        let s = h.stat?;
        (s.mode & !max != 0)
            .then(|| format!("{} has mode {:04o} (at most {max:04o})", h.path, s.mode))
    })
}

/// Shared shape: not applicable when no file exists; warn listing each bad one.
fn judge(
    f: &HostFacts,
    files: &[HostFile],
    what: &str,
    bad: impl Fn(&HostFile) -> Option<String>,
) -> Verdict {
    let present: Vec<&HostFile> = files.iter().filter(|h| h.stat.is_some()).collect();
    if present.is_empty() {
        let at = files.first().map_or(what.to_string(), |h| h.path.clone());
        return Verdict::not_applicable(format!("{what} not found below {}", f.files.root)).at(at);
    }
    let problems: Vec<String> = present.iter().filter_map(|h| bad(h)).collect();
    let mut v = if problems.is_empty() {
        Verdict::pass(format!("{what}: ok"))
    } else {
        Verdict::warn(problems.join("; "))
    };
    for h in &present {
        if let Some(s) = h.stat {
            v = v.with(s.describe(), h.path.clone());
        }
    }
    v.at(present[0].path.clone())
}

fn one(f: &HostFacts, role: &str) -> Vec<HostFile> {
    f.files.file(role).cloned().into_iter().collect()
}

macro_rules! file_rule {
    ($static:ident, $cis:literal, $name:literal, $level:ident, $sev:ident, $object:literal, $title:literal, $rem:literal, $why:literal, $check:expr) => {
        host_rule!(
            $static, cis: $cis, name: $name, level: $level, automated: true,
            severity: $sev, group: "files", object: $object,
            title: $title,
            remediation: $rem,
            docs: concat!("Checks ", $object, " (read below `--root`).\n\n## Why\n", $why, "\n\n## Fix\n```sh\n", $rem, "\n```\nNot applicable when the file does not exist.\n"),
            check: $check,
        );
    };
}

file_rule!(
    F_3_1,
    "3.1",
    "docker-service-owner",
    L1,
    Medium,
    "docker.service",
    "Ensure that the docker.service file ownership is set to root:root",
    "chown root:root /lib/systemd/system/docker.service",
    "The unit decides how dockerd starts (flags, environment); whoever owns it controls the daemon.",
    |f| owner(f, &one(f, "docker.service"), "docker.service", false)
);
file_rule!(
    F_3_2,
    "3.2",
    "docker-service-mode",
    L1,
    Medium,
    "docker.service",
    "Ensure that docker.service file permissions are appropriately set",
    "chmod 644 /lib/systemd/system/docker.service",
    "Only root may change how dockerd starts.",
    |f| mode(f, &one(f, "docker.service"), "docker.service", 0o644)
);
file_rule!(
    F_3_3,
    "3.3",
    "docker-socket-unit-owner",
    L1,
    Medium,
    "docker.socket",
    "Ensure that docker.socket file ownership is set to root:root",
    "chown root:root /lib/systemd/system/docker.socket",
    "The socket unit decides who may connect to the daemon.",
    |f| owner(f, &one(f, "docker.socket"), "docker.socket", false)
);
file_rule!(
    F_3_4,
    "3.4",
    "docker-socket-unit-mode",
    L1,
    Medium,
    "docker.socket",
    "Ensure that docker.socket file permissions are set to 644 or more restrictive",
    "chmod 644 /lib/systemd/system/docker.socket",
    "Only root may change the socket unit.",
    |f| mode(f, &one(f, "docker.socket"), "docker.socket", 0o644)
);
file_rule!(
    F_3_5,
    "3.5",
    "etc-docker-owner",
    L1,
    Medium,
    "/etc/docker",
    "Ensure that the /etc/docker directory ownership is set to root:root",
    "chown root:root /etc/docker",
    "/etc/docker holds certificates, keys and daemon.json.",
    |f| owner(f, &one(f, "/etc/docker"), "/etc/docker", false)
);
file_rule!(
    F_3_6,
    "3.6",
    "etc-docker-mode",
    L1,
    Medium,
    "/etc/docker",
    "Ensure that /etc/docker directory permissions are set to 755 or more restrictively",
    "chmod 755 /etc/docker",
    "Only root may add or replace certificates and configuration.",
    |f| mode(f, &one(f, "/etc/docker"), "/etc/docker", 0o755)
);
file_rule!(
    F_3_7,
    "3.7",
    "registry-certs-owner",
    L1,
    Medium,
    "/etc/docker/certs.d",
    "Ensure that registry certificate file ownership is set to root:root",
    "chown root:root /etc/docker/certs.d/*/*",
    "Registry certificates decide which registries the daemon trusts.",
    |f| owner(f, &f.files.registry_certs, "registry certificates", false)
);
file_rule!(
    F_3_8,
    "3.8",
    "registry-certs-mode",
    L1,
    Medium,
    "/etc/docker/certs.d",
    "Ensure that registry certificate file permissions are set to 444 or more restrictively",
    "chmod 444 /etc/docker/certs.d/*/*",
    "Registry certificates must not be changed by anyone.",
    |f| mode(f, &f.files.registry_certs, "registry certificates", 0o444)
);
file_rule!(
    F_3_9,
    "3.9",
    "tls-ca-owner",
    L1,
    Medium,
    "tlscacert",
    "Ensure that TLS CA certificate file ownership is set to root:root",
    "chown root:root <tlscacert>",
    "The CA decides which clients may control the daemon.",
    |f| owner(
        f,
        &one(f, "tlscacert"),
        "TLS CA certificate (tlscacert)",
        false
    )
);
file_rule!(
    F_3_10,
    "3.10",
    "tls-ca-mode",
    L1,
    Medium,
    "tlscacert",
    "Ensure that TLS CA certificate file permissions are set to 444 or more restrictively",
    "chmod 444 <tlscacert>",
    "The CA must not be replaced.",
    |f| mode(
        f,
        &one(f, "tlscacert"),
        "TLS CA certificate (tlscacert)",
        0o444
    )
);
file_rule!(
    F_3_11,
    "3.11",
    "tls-cert-owner",
    L1,
    Medium,
    "tlscert",
    "Ensure that Docker server certificate file ownership is set to root:root",
    "chown root:root <tlscert>",
    "The server certificate identifies the daemon to clients.",
    |f| owner(f, &one(f, "tlscert"), "server certificate (tlscert)", false)
);
file_rule!(
    F_3_12,
    "3.12",
    "tls-cert-mode",
    L1,
    Medium,
    "tlscert",
    "Ensure that the Docker server certificate file permissions are set to 444 or more restrictively",
    "chmod 444 <tlscert>",
    "The server certificate must not be replaced.",
    |f| mode(f, &one(f, "tlscert"), "server certificate (tlscert)", 0o444)
);
file_rule!(
    F_3_13,
    "3.13",
    "tls-key-owner",
    L1,
    High,
    "tlskey",
    "Ensure that the Docker server certificate key file ownership is set to root:root",
    "chown root:root <tlskey>",
    "The server key lets its holder impersonate the daemon.",
    |f| owner(f, &one(f, "tlskey"), "server key (tlskey)", false)
);
file_rule!(
    F_3_14,
    "3.14",
    "tls-key-mode",
    L1,
    High,
    "tlskey",
    "Ensure that the Docker server certificate key file permissions are set to 400",
    "chmod 400 <tlskey>",
    "Only root may read the server key.",
    |f| mode(f, &one(f, "tlskey"), "server key (tlskey)", 0o400)
);
file_rule!(
    F_3_15,
    "3.15",
    "docker-sock-owner",
    L1,
    High,
    "docker.sock",
    "Ensure that the Docker socket file ownership is set to root:docker",
    "chown root:docker /var/run/docker.sock",
    "Access to the socket is root on the host; only root and the docker group may have it.",
    |f| owner(f, &one(f, "docker.sock"), "Docker socket", true)
);
file_rule!(
    F_3_16,
    "3.16",
    "docker-sock-mode",
    L1,
    High,
    "docker.sock",
    "Ensure that the Docker socket file permissions are set to 660 or more restrictively",
    "chmod 660 /var/run/docker.sock",
    "A world-accessible socket gives every local user root.",
    |f| mode(f, &one(f, "docker.sock"), "Docker socket", 0o660)
);
file_rule!(
    F_3_17,
    "3.17",
    "daemon-json-owner",
    L2,
    Medium,
    "daemon.json",
    "Ensure that the daemon.json file ownership is set to root:root",
    "chown root:root /etc/docker/daemon.json",
    "daemon.json configures the daemon.",
    |f| owner(f, &one(f, "daemon.json"), "daemon.json", false)
);
file_rule!(
    F_3_18,
    "3.18",
    "daemon-json-mode",
    L2,
    Medium,
    "daemon.json",
    "Ensure that daemon.json file permissions are set to 644 or more restrictive",
    "chmod 644 /etc/docker/daemon.json",
    "Only root may change daemon.json.",
    |f| mode(f, &one(f, "daemon.json"), "daemon.json", 0o644)
);
file_rule!(
    F_3_19,
    "3.19",
    "etc-default-docker-owner",
    L2,
    Medium,
    "/etc/default/docker",
    "Ensure that the /etc/default/docker file ownership is set to root:root",
    "chown root:root /etc/default/docker",
    "/etc/default/docker adds dockerd flags (DOCKER_OPTS).",
    |f| owner(
        f,
        &one(f, "/etc/default/docker"),
        "/etc/default/docker",
        false
    )
);
file_rule!(
    F_3_20,
    "3.20",
    "etc-default-docker-mode",
    L2,
    Medium,
    "/etc/default/docker",
    "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively",
    "chmod 644 /etc/default/docker",
    "Only root may change dockerd's flags.",
    |f| mode(
        f,
        &one(f, "/etc/default/docker"),
        "/etc/default/docker",
        0o644
    )
);
file_rule!(
    F_3_21,
    "3.21",
    "etc-sysconfig-docker-mode",
    L2,
    Medium,
    "/etc/sysconfig/docker",
    "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more restrictively",
    "chmod 644 /etc/sysconfig/docker",
    "Only root may change dockerd's flags.",
    |f| mode(
        f,
        &one(f, "/etc/sysconfig/docker"),
        "/etc/sysconfig/docker",
        0o644
    )
);
file_rule!(
    F_3_22,
    "3.22",
    "etc-sysconfig-docker-owner",
    L2,
    Medium,
    "/etc/sysconfig/docker",
    "Ensure that the /etc/sysconfig/docker file ownership is set to root:root",
    "chown root:root /etc/sysconfig/docker",
    "/etc/sysconfig/docker adds dockerd flags.",
    |f| owner(
        f,
        &one(f, "/etc/sysconfig/docker"),
        "/etc/sysconfig/docker",
        false
    )
);
file_rule!(
    F_3_23,
    "3.23",
    "containerd-sock-owner",
    L1,
    High,
    "containerd.sock",
    "Ensure that the Containerd socket file ownership is set to root:root",
    "chown root:root /run/containerd/containerd.sock",
    "containerd's socket controls every container.",
    |f| owner(f, &one(f, "containerd.sock"), "containerd socket", false)
);
file_rule!(
    F_3_24,
    "3.24",
    "containerd-sock-mode",
    L1,
    High,
    "containerd.sock",
    "Ensure that the Containerd socket file permissions are set to 660 or more restrictively",
    "chmod 660 /run/containerd/containerd.sock",
    "A world-accessible containerd socket gives every local user root.",
    |f| mode(f, &one(f, "containerd.sock"), "containerd socket", 0o660)
);
