//! CIS 1.1.3–1.1.18: audit rules watch Docker's binaries, files and directories.

use super::{HostFacts, Verdict};

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

macro_rules! audit_rule {
    ($static:ident, $cis:literal, $name:literal, $level:ident, $what:literal, $title:literal, $check:expr) => {
        host_rule!(
            $static, cis: $cis, name: $name, level: $level, automated: true,
            severity: Low, group: "audit", object: $what,
            title: $title,
            remediation: concat!("Add a watch rule, e.g. `-w ", $what, " -k docker` to /etc/audit/rules.d/docker.rules, and reload with `augenrules --load`."),
            docs: concat!("Checks that the audit rules watch `", $what, "`.\n\n## Why\nChanges to Docker's binaries, configuration and state are security-relevant events; without an audit watch they leave no trace.\n\n## Fix\n```\n-w ", $what, " -k docker\n```\nin `/etc/audit/rules.d/docker.rules`, then `augenrules --load`. Rules are read from `/etc/audit/rules.d/*.rules`, `/etc/audit/audit.rules` and `auditctl -l`. A path that does not exist is not applicable.\n"),
            check: $check,
        );
    };
}

audit_rule!(
    A_1_1_3,
    "1.1.3",
    "audit-dockerd",
    L1,
    "/usr/bin/dockerd",
    "Ensure auditing is configured for the Docker daemon",
    |f| audited(f, &["/usr/bin/dockerd", "/usr/sbin/dockerd"])
);
audit_rule!(
    A_1_1_4,
    "1.1.4",
    "audit-run-containerd",
    L1,
    "/run/containerd",
    "Ensure auditing is configured for Docker files and directories -/run/containerd",
    |f| audited(f, &["/run/containerd"])
);
audit_rule!(
    A_1_1_5,
    "1.1.5",
    "audit-data-root",
    L1,
    "/var/lib/docker",
    "Ensure auditing is configured for Docker files and directories - /var/lib/docker",
    |f| audited(f, &["/var/lib/docker"])
);
audit_rule!(
    A_1_1_6,
    "1.1.6",
    "audit-etc-docker",
    L1,
    "/etc/docker",
    "Ensure auditing is configured for Docker files and directories - /etc/docker",
    |f| audited(f, &["/etc/docker"])
);
audit_rule!(
    A_1_1_7,
    "1.1.7",
    "audit-docker-service",
    L2,
    "docker.service",
    "Ensure auditing is configured for Docker files and directories - docker.service",
    |f| unit(f, "docker.service")
);
audit_rule!(
    A_1_1_8,
    "1.1.8",
    "audit-containerd-sock",
    L2,
    "/run/containerd/containerd.sock",
    "Ensure auditing is configured for Docker files and directories - containerd.sock",
    |f| audited(f, &["/run/containerd/containerd.sock"])
);
audit_rule!(
    A_1_1_9,
    "1.1.9",
    "audit-docker-socket",
    L2,
    "docker.socket",
    "Ensure auditing is configured for Docker files and directories - docker.socket",
    |f| unit(f, "docker.socket")
);
audit_rule!(
    A_1_1_10,
    "1.1.10",
    "audit-etc-default-docker",
    L2,
    "/etc/default/docker",
    "Ensure auditing is configured for Docker files and directories - /etc/default/docker",
    |f| audited(f, &["/etc/default/docker"])
);
audit_rule!(
    A_1_1_11,
    "1.1.11",
    "audit-daemon-json",
    L2,
    "/etc/docker/daemon.json",
    "Ensure auditing is configured for Dockerfiles and directories - /etc/docker/daemon.json",
    |f| audited(f, &["/etc/docker/daemon.json"])
);
audit_rule!(
    A_1_1_12,
    "1.1.12",
    "audit-containerd-config",
    L2,
    "/etc/containerd/config.toml",
    "Ensure auditing is configured for Dockerfiles and directories - /etc/containerd/config.toml",
    |f| audited(f, &["/etc/containerd/config.toml"])
);
audit_rule!(
    A_1_1_13,
    "1.1.13",
    "audit-etc-sysconfig-docker",
    L2,
    "/etc/sysconfig/docker",
    "Ensure auditing is configured for Docker files and directories - /etc/sysconfig/docker",
    |f| audited(f, &["/etc/sysconfig/docker"])
);
audit_rule!(
    A_1_1_14,
    "1.1.14",
    "audit-containerd",
    L2,
    "/usr/bin/containerd",
    "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd",
    |f| audited(f, &["/usr/bin/containerd"])
);
audit_rule!(
    A_1_1_15,
    "1.1.15",
    "audit-containerd-shim",
    L2,
    "/usr/bin/containerd-shim",
    "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim",
    |f| audited(f, &["/usr/bin/containerd-shim"])
);
audit_rule!(
    A_1_1_16,
    "1.1.16",
    "audit-containerd-shim-runc-v1",
    L2,
    "/usr/bin/containerd-shim-runc-v1",
    "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v1",
    |f| audited(f, &["/usr/bin/containerd-shim-runc-v1"])
);
audit_rule!(
    A_1_1_17,
    "1.1.17",
    "audit-containerd-shim-runc-v2",
    L2,
    "/usr/bin/containerd-shim-runc-v2",
    "Ensure auditing is configured for Docker files and directories - /usr/bin/containerd-shim-runc-v2",
    |f| audited(f, &["/usr/bin/containerd-shim-runc-v2"])
);
audit_rule!(
    A_1_1_18,
    "1.1.18",
    "audit-runc",
    L2,
    "/usr/bin/runc",
    "Ensure auditing is configured for Docker files and directories - /usr/bin/runc",
    |f| audited(f, &["/usr/bin/runc", "/usr/sbin/runc"])
);
