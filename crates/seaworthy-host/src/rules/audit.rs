//! CIS 1.1.3–1.1.18: audit rules watch Docker's binaries, files and directories.

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict};

/// The first of `candidates` that exists on the host, with a watch verdict for it.
fn audited(f: &HostFacts, candidates: &[&str]) -> Verdict {
    let Some(path) = candidates.iter().find(|p| f.files.exists(p)) else {
        return Verdict::not_applicable(format!("{} does not exist", candidates.join(" or ")))
            .at(candidates[0].to_string());
    };
    watch_verdict(f, path)
}

fn watch_verdict(f: &HostFacts, path: &str) -> Verdict {
    let by = f.files.audit.watching(path);
    let v = if by.is_empty() {
        let looked = if f.files.audit.sources.is_empty() {
            "no audit rules found".to_string()
        } else {
            format!("not watched by {}", f.files.audit.sources.join(", "))
        };
        Verdict::warn(format!("{path} is not audited ({looked})")).with(
            format!("no watch on {path}"),
            if f.files.audit.sources.is_empty() {
                "/etc/audit/rules.d, /etc/audit/audit.rules".to_string()
            } else {
                f.files.audit.sources.join(", ")
            },
        )
    } else {
        let mut v = Verdict::pass(format!("{path} is audited"));
        for s in by {
            v = v.with(format!("-w {path}"), s);
        }
        v
    };
    v.at(path.to_string())
}

/// A unit file: the one found, else the usual path.
fn unit(f: &HostFacts, role: &str) -> Verdict {
    match f.files.file(role) {
        Some(h) if h.stat.is_some() => watch_verdict(f, &h.path),
        _ => Verdict::not_applicable(format!("{role} unit not found")).at(role.to_string()),
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/dockerd`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/dockerd -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditDockerd {
        id: "SW-HOST-1.1.3",
        name: "audit-dockerd",
        title: "Ensure auditing is configured for the Docker daemon",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/dockerd -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.3")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/usr/bin/dockerd",
            check: |f| audited(f, &["/usr/bin/dockerd", "/usr/sbin/dockerd"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/run/containerd`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /run/containerd -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditRunContainerd {
        id: "SW-HOST-1.1.4",
        name: "audit-run-containerd",
        title: "Ensure auditing is configured for Docker files and directories -/run/containerd",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /run/containerd -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.4")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/run/containerd",
            check: |f| audited(f, &["/run/containerd"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/var/lib/docker`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /var/lib/docker -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditDataRoot {
        id: "SW-HOST-1.1.5",
        name: "audit-data-root",
        title: "Ensure auditing is configured for Docker files and directories - /var/lib/docker",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /var/lib/docker -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.5")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/var/lib/docker",
            check: |f| audited(f, &["/var/lib/docker"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/etc/docker`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /etc/docker -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditEtcDocker {
        id: "SW-HOST-1.1.6",
        name: "audit-etc-docker",
        title: "Ensure auditing is configured for Docker files and directories - /etc/docker",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /etc/docker -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.6")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "/etc/docker",
            check: |f| audited(f, &["/etc/docker"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `docker.service`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w docker.service -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditDockerService {
        id: "SW-HOST-1.1.7",
        name: "audit-docker-service",
        title: "Ensure auditing is configured for Docker files and directories - docker.service",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w docker.service -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.7")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "docker.service",
            check: |f| unit(f, "docker.service"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/run/containerd/containerd.sock`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /run/containerd/containerd.sock -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerdSock {
        id: "SW-HOST-1.1.8",
        name: "audit-containerd-sock",
        title: "Ensure auditing is configured for Docker files and directories - containerd.sock",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /run/containerd/containerd.sock -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.8")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/run/containerd/containerd.sock",
            check: |f| audited(f, &["/run/containerd/containerd.sock"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `docker.socket`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w docker.socket -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditDockerSocket {
        id: "SW-HOST-1.1.9",
        name: "audit-docker-socket",
        title: "Ensure auditing is configured for Docker files and directories - docker.socket",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w docker.socket -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.9")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "docker.socket",
            check: |f| unit(f, "docker.socket"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/etc/default/docker`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /etc/default/docker -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditEtcDefaultDocker {
        id: "SW-HOST-1.1.10",
        name: "audit-etc-default-docker",
        title: "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /etc/default/docker -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.10")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/default/docker",
            check: |f| audited(f, &["/etc/default/docker"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/etc/docker/daemon.json`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /etc/docker/daemon.json -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditDaemonJson {
        id: "SW-HOST-1.1.11",
        name: "audit-daemon-json",
        title: "Ensure auditing is configured for Dockerfiles and directories - /etc/docker/daemon.json",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /etc/docker/daemon.json -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.11")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/docker/daemon.json",
            check: |f| audited(f, &["/etc/docker/daemon.json"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/etc/containerd/config.toml`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /etc/containerd/config.toml -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerdConfig {
        id: "SW-HOST-1.1.12",
        name: "audit-containerd-config",
        title: "Ensure auditing is configured for Dockerfiles and directories - /etc/containerd/config.toml",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /etc/containerd/config.toml -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.12")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/containerd/config.toml",
            check: |f| audited(f, &["/etc/containerd/config.toml"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/etc/sysconfig/docker`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /etc/sysconfig/docker -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditEtcSysconfigDocker {
        id: "SW-HOST-1.1.13",
        name: "audit-etc-sysconfig-docker",
        title: "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /etc/sysconfig/docker -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.13")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/etc/sysconfig/docker",
            check: |f| audited(f, &["/etc/sysconfig/docker"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/containerd`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/containerd -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerd {
        id: "SW-HOST-1.1.14",
        name: "audit-containerd",
        title: "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/containerd -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.14")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/usr/bin/containerd",
            check: |f| audited(f, &["/usr/bin/containerd"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/containerd-shim`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/containerd-shim -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerdShim {
        id: "SW-HOST-1.1.15",
        name: "audit-containerd-shim",
        title: "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/containerd-shim -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.15")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/usr/bin/containerd-shim",
            check: |f| audited(f, &["/usr/bin/containerd-shim"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/containerd-shim-runc-v1`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/containerd-shim-runc-v1 -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerdShimRuncV1 {
        id: "SW-HOST-1.1.16",
        name: "audit-containerd-shim-runc-v1",
        title: "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v1",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/containerd-shim-runc-v1 -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.16")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/usr/bin/containerd-shim-runc-v1",
            check: |f| audited(f, &["/usr/bin/containerd-shim-runc-v1"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/containerd-shim-runc-v2`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/containerd-shim-runc-v2 -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditContainerdShimRuncV2 {
        id: "SW-HOST-1.1.17",
        name: "audit-containerd-shim-runc-v2",
        title: "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v2",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/containerd-shim-runc-v2 -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.17")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/usr/bin/containerd-shim-runc-v2",
            check: |f| audited(f, &["/usr/bin/containerd-shim-runc-v2"]),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the audit rules watch `/usr/bin/runc`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w /usr/bin/runc -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable."]
    AuditRunc {
        id: "SW-HOST-1.1.18",
        name: "audit-runc",
        title: "Ensure auditing is configured for Docker files and directories - /usr/bin/runc",
        area: Host,
        group: "audit",
        severity: Low,
        remediation: "Add a watch rule, e.g. `-w /usr/bin/runc -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`.",
        refs: [Cis("1.1.18")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "/usr/bin/runc",
            check: |f| audited(f, &["/usr/bin/runc", "/usr/sbin/runc"]),
        },
    }
}
