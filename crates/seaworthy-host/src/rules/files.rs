//! CIS 3.1–3.24: owners and modes of Docker's files, directories and sockets.

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict};
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

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.service (read below `--root`).\n\n## Why\nThe unit decides how dockerd starts (flags, environment); whoever owns it controls the daemon.\n\n## Fix\n```sh\nchown root:root /lib/systemd/system/docker.service\n```\nNot applicable when the file does not exist."]
    DockerServiceOwner {
        id: "SW-HOST-3.1",
        name: "docker-service-owner",
        title: "Ensure that the docker.service file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /lib/systemd/system/docker.service",
        refs: [Cis("3.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.service",
            check: |f| owner(f, &one(f, "docker.service"), "docker.service", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.service (read below `--root`).\n\n## Why\nOnly root may change how dockerd starts.\n\n## Fix\n```sh\nchmod 644 /lib/systemd/system/docker.service\n```\nNot applicable when the file does not exist."]
    DockerServiceMode {
        id: "SW-HOST-3.2",
        name: "docker-service-mode",
        title: "Ensure that docker.service file permissions are appropriately set",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 644 /lib/systemd/system/docker.service",
        refs: [Cis("3.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.service",
            check: |f| mode(f, &one(f, "docker.service"), "docker.service", 0o644),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.socket (read below `--root`).\n\n## Why\nThe socket unit decides who may connect to the daemon.\n\n## Fix\n```sh\nchown root:root /lib/systemd/system/docker.socket\n```\nNot applicable when the file does not exist."]
    DockerSocketUnitOwner {
        id: "SW-HOST-3.3",
        name: "docker-socket-unit-owner",
        title: "Ensure that docker.socket file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /lib/systemd/system/docker.socket",
        refs: [Cis("3.3")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.socket",
            check: |f| owner(f, &one(f, "docker.socket"), "docker.socket", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.socket (read below `--root`).\n\n## Why\nOnly root may change the socket unit.\n\n## Fix\n```sh\nchmod 644 /lib/systemd/system/docker.socket\n```\nNot applicable when the file does not exist."]
    DockerSocketUnitMode {
        id: "SW-HOST-3.4",
        name: "docker-socket-unit-mode",
        title: "Ensure that docker.socket file permissions are set to 644 or more restrictive",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 644 /lib/systemd/system/docker.socket",
        refs: [Cis("3.4")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.socket",
            check: |f| mode(f, &one(f, "docker.socket"), "docker.socket", 0o644),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/docker (read below `--root`).\n\n## Why\n/etc/docker holds certificates, keys and daemon.json.\n\n## Fix\n```sh\nchown root:root /etc/docker\n```\nNot applicable when the file does not exist."]
    EtcDockerOwner {
        id: "SW-HOST-3.5",
        name: "etc-docker-owner",
        title: "Ensure that the /etc/docker directory ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /etc/docker",
        refs: [Cis("3.5")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/docker",
            check: |f| owner(f, &one(f, "/etc/docker"), "/etc/docker", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/docker (read below `--root`).\n\n## Why\nOnly root may add or replace certificates and configuration.\n\n## Fix\n```sh\nchmod 755 /etc/docker\n```\nNot applicable when the file does not exist."]
    EtcDockerMode {
        id: "SW-HOST-3.6",
        name: "etc-docker-mode",
        title: "Ensure that /etc/docker directory permissions are set to 755 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 755 /etc/docker",
        refs: [Cis("3.6")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/docker",
            check: |f| mode(f, &one(f, "/etc/docker"), "/etc/docker", 0o755),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/docker/certs.d (read below `--root`).\n\n## Why\nRegistry certificates decide which registries the daemon trusts.\n\n## Fix\n```sh\nchown root:root /etc/docker/certs.d/*/*\n```\nNot applicable when the file does not exist."]
    RegistryCertsOwner {
        id: "SW-HOST-3.7",
        name: "registry-certs-owner",
        title: "Ensure that registry certificate file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /etc/docker/certs.d/*/*",
        refs: [Cis("3.7")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/docker/certs.d",
            check: |f| owner(f, &f.files.registry_certs, "registry certificates", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/docker/certs.d (read below `--root`).\n\n## Why\nRegistry certificates must not be changed by anyone.\n\n## Fix\n```sh\nchmod 444 /etc/docker/certs.d/*/*\n```\nNot applicable when the file does not exist."]
    RegistryCertsMode {
        id: "SW-HOST-3.8",
        name: "registry-certs-mode",
        title: "Ensure that registry certificate file permissions are set to 444 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 444 /etc/docker/certs.d/*/*",
        refs: [Cis("3.8")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/docker/certs.d",
            check: |f| mode(f, &f.files.registry_certs, "registry certificates", 0o444),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlscacert (read below `--root`).\n\n## Why\nThe CA decides which clients may control the daemon.\n\n## Fix\n```sh\nchown root:root <tlscacert>\n```\nNot applicable when the file does not exist."]
    TlsCaOwner {
        id: "SW-HOST-3.9",
        name: "tls-ca-owner",
        title: "Ensure that TLS CA certificate file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root <tlscacert>",
        refs: [Cis("3.9")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlscacert",
            check: |f| owner(
                f,
                &one(f, "tlscacert"),
                "TLS CA certificate (tlscacert)",
                false
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlscacert (read below `--root`).\n\n## Why\nThe CA must not be replaced.\n\n## Fix\n```sh\nchmod 444 <tlscacert>\n```\nNot applicable when the file does not exist."]
    TlsCaMode {
        id: "SW-HOST-3.10",
        name: "tls-ca-mode",
        title: "Ensure that TLS CA certificate file permissions are set to 444 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 444 <tlscacert>",
        refs: [Cis("3.10")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlscacert",
            check: |f| mode(
                f,
                &one(f, "tlscacert"),
                "TLS CA certificate (tlscacert)",
                0o444
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlscert (read below `--root`).\n\n## Why\nThe server certificate identifies the daemon to clients.\n\n## Fix\n```sh\nchown root:root <tlscert>\n```\nNot applicable when the file does not exist."]
    TlsCertOwner {
        id: "SW-HOST-3.11",
        name: "tls-cert-owner",
        title: "Ensure that Docker server certificate file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root <tlscert>",
        refs: [Cis("3.11")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlscert",
            check: |f| owner(f, &one(f, "tlscert"), "server certificate (tlscert)", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlscert (read below `--root`).\n\n## Why\nThe server certificate must not be replaced.\n\n## Fix\n```sh\nchmod 444 <tlscert>\n```\nNot applicable when the file does not exist."]
    TlsCertMode {
        id: "SW-HOST-3.12",
        name: "tls-cert-mode",
        title: "Ensure that the Docker server certificate file permissions are set to 444 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 444 <tlscert>",
        refs: [Cis("3.12")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlscert",
            check: |f| mode(f, &one(f, "tlscert"), "server certificate (tlscert)", 0o444),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlskey (read below `--root`).\n\n## Why\nThe server key lets its holder impersonate the daemon.\n\n## Fix\n```sh\nchown root:root <tlskey>\n```\nNot applicable when the file does not exist."]
    TlsKeyOwner {
        id: "SW-HOST-3.13",
        name: "tls-key-owner",
        title: "Ensure that the Docker server certificate key file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chown root:root <tlskey>",
        refs: [Cis("3.13")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlskey",
            check: |f| owner(f, &one(f, "tlskey"), "server key (tlskey)", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks tlskey (read below `--root`).\n\n## Why\nOnly root may read the server key.\n\n## Fix\n```sh\nchmod 400 <tlskey>\n```\nNot applicable when the file does not exist."]
    TlsKeyMode {
        id: "SW-HOST-3.14",
        name: "tls-key-mode",
        title: "Ensure that the Docker server certificate key file permissions are set to 400",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chmod 400 <tlskey>",
        refs: [Cis("3.14")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "tlskey",
            check: |f| mode(f, &one(f, "tlskey"), "server key (tlskey)", 0o400),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.sock (read below `--root`).\n\n## Why\nAccess to the socket is root on the host; only root and the docker group may have it.\n\n## Fix\n```sh\nchown root:docker /var/run/docker.sock\n```\nNot applicable when the file does not exist."]
    DockerSockOwner {
        id: "SW-HOST-3.15",
        name: "docker-sock-owner",
        title: "Ensure that the Docker socket file ownership is set to root:docker",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chown root:docker /var/run/docker.sock",
        refs: [Cis("3.15")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.sock",
            check: |f| owner(f, &one(f, "docker.sock"), "Docker socket", true),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks docker.sock (read below `--root`).\n\n## Why\nA world-accessible socket gives every local user root.\n\n## Fix\n```sh\nchmod 660 /var/run/docker.sock\n```\nNot applicable when the file does not exist."]
    DockerSockMode {
        id: "SW-HOST-3.16",
        name: "docker-sock-mode",
        title: "Ensure that the Docker socket file permissions are set to 660 or more restrictively",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chmod 660 /var/run/docker.sock",
        refs: [Cis("3.16")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "docker.sock",
            check: |f| mode(f, &one(f, "docker.sock"), "Docker socket", 0o660),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks daemon.json (read below `--root`).\n\n## Why\ndaemon.json configures the daemon.\n\n## Fix\n```sh\nchown root:root /etc/docker/daemon.json\n```\nNot applicable when the file does not exist."]
    DaemonJsonOwner {
        id: "SW-HOST-3.17",
        name: "daemon-json-owner",
        title: "Ensure that the daemon.json file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /etc/docker/daemon.json",
        refs: [Cis("3.17")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon.json",
            check: |f| owner(f, &one(f, "daemon.json"), "daemon.json", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks daemon.json (read below `--root`).\n\n## Why\nOnly root may change daemon.json.\n\n## Fix\n```sh\nchmod 644 /etc/docker/daemon.json\n```\nNot applicable when the file does not exist."]
    DaemonJsonMode {
        id: "SW-HOST-3.18",
        name: "daemon-json-mode",
        title: "Ensure that daemon.json file permissions are set to 644 or more restrictive",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 644 /etc/docker/daemon.json",
        refs: [Cis("3.18")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon.json",
            check: |f| mode(f, &one(f, "daemon.json"), "daemon.json", 0o644),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/default/docker (read below `--root`).\n\n## Why\n/etc/default/docker adds dockerd flags (DOCKER_OPTS).\n\n## Fix\n```sh\nchown root:root /etc/default/docker\n```\nNot applicable when the file does not exist."]
    EtcDefaultDockerOwner {
        id: "SW-HOST-3.19",
        name: "etc-default-docker-owner",
        title: "Ensure that the /etc/default/docker file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /etc/default/docker",
        refs: [Cis("3.19")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/default/docker",
            check: |f| owner(
                f,
                &one(f, "/etc/default/docker"),
                "/etc/default/docker",
                false
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/default/docker (read below `--root`).\n\n## Why\nOnly root may change dockerd's flags.\n\n## Fix\n```sh\nchmod 644 /etc/default/docker\n```\nNot applicable when the file does not exist."]
    EtcDefaultDockerMode {
        id: "SW-HOST-3.20",
        name: "etc-default-docker-mode",
        title: "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 644 /etc/default/docker",
        refs: [Cis("3.20")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/default/docker",
            check: |f| mode(
                f,
                &one(f, "/etc/default/docker"),
                "/etc/default/docker",
                0o644
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/sysconfig/docker (read below `--root`).\n\n## Why\nOnly root may change dockerd's flags.\n\n## Fix\n```sh\nchmod 644 /etc/sysconfig/docker\n```\nNot applicable when the file does not exist."]
    EtcSysconfigDockerMode {
        id: "SW-HOST-3.21",
        name: "etc-sysconfig-docker-mode",
        title: "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more restrictively",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chmod 644 /etc/sysconfig/docker",
        refs: [Cis("3.21")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/sysconfig/docker",
            check: |f| mode(
                f,
                &one(f, "/etc/sysconfig/docker"),
                "/etc/sysconfig/docker",
                0o644
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks /etc/sysconfig/docker (read below `--root`).\n\n## Why\n/etc/sysconfig/docker adds dockerd flags.\n\n## Fix\n```sh\nchown root:root /etc/sysconfig/docker\n```\nNot applicable when the file does not exist."]
    EtcSysconfigDockerOwner {
        id: "SW-HOST-3.22",
        name: "etc-sysconfig-docker-owner",
        title: "Ensure that the /etc/sysconfig/docker file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: Medium,
        remediation: "chown root:root /etc/sysconfig/docker",
        refs: [Cis("3.22")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/sysconfig/docker",
            check: |f| owner(
                f,
                &one(f, "/etc/sysconfig/docker"),
                "/etc/sysconfig/docker",
                false
            ),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks containerd.sock (read below `--root`).\n\n## Why\ncontainerd's socket controls every container.\n\n## Fix\n```sh\nchown root:root /run/containerd/containerd.sock\n```\nNot applicable when the file does not exist."]
    ContainerdSockOwner {
        id: "SW-HOST-3.23",
        name: "containerd-sock-owner",
        title: "Ensure that the Containerd socket file ownership is set to root:root",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chown root:root /run/containerd/containerd.sock",
        refs: [Cis("3.23")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "containerd.sock",
            check: |f| owner(f, &one(f, "containerd.sock"), "containerd socket", false),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks containerd.sock (read below `--root`).\n\n## Why\nA world-accessible containerd socket gives every local user root.\n\n## Fix\n```sh\nchmod 660 /run/containerd/containerd.sock\n```\nNot applicable when the file does not exist."]
    ContainerdSockMode {
        id: "SW-HOST-3.24",
        name: "containerd-sock-mode",
        title: "Ensure that the Containerd socket file permissions are set to 660 or more restrictively",
        area: Host,
        group: "files",
        severity: High,
        remediation: "chmod 660 /run/containerd/containerd.sock",
        refs: [Cis("3.24")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "containerd.sock",
            check: |f| mode(f, &one(f, "containerd.sock"), "containerd socket", 0o660),
        },
    }
}
