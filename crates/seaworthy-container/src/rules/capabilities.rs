use seaworthy_core::{Level, Severity};

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

/// Capabilities that amount to host control or network sniffing/spoofing.
pub const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "NET_RAW",
];

/// Docker's default capability set: adding one back after `--cap-drop ALL` is no extension.
pub const DEFAULT: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

seaworthy_core::declare_rule! {
    /// Flags capabilities added beyond Docker's default set, and dangerous ones added at all (an add wins over a drop of the same
    /// capability, so a drop does not cancel it). The
    /// dangerous ones — `ALL`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `DAC_READ_SEARCH`,
    /// `NET_ADMIN`, `NET_RAW` — are high severity; other additions medium.
    ///
    /// ## Why
    /// `SYS_ADMIN` is nearly root (mount, namespaces), `SYS_MODULE` loads kernel code,
    /// `SYS_PTRACE` reads other processes, `DAC_READ_SEARCH` opens host files by handle
    /// (the "shocker" escape), `NET_ADMIN`/`NET_RAW` rewrite and sniff the network.
    ///
    /// ## Fix
    /// Drop everything and add back what the process needs.
    ///
    /// ## Example
    /// Bad: `docker run --cap-add SYS_ADMIN app`; compose `services: {app: {cap_add: [SYS_ADMIN]}}`.
    /// Good: `docker run --cap-drop ALL --cap-add NET_BIND_SERVICE app`; compose
    /// `services: {app: {cap_drop: [ALL], cap_add: [NET_BIND_SERVICE]}}`.
    Capabilities {
        id: "SW-CTR-5.4",
        name: "container-capabilities",
        title: "Added Linux capabilities",
        area: Container,
        group: "privilege",
        severity: High,
        remediation: "Remove the capability from `--cap-add` (compose `cap_add`); start from `--cap-drop ALL` (compose `cap_drop: [ALL]`) and add back only what the process needs.",
        refs: [Cis("5.4")],
        fire: [
            "docker run --cap-add SYS_ADMIN alpine",
            "docker run --cap-drop ALL --cap-add cap_sys_ptrace alpine",
            "docker run --cap-add=all alpine",
            "docker run --cap-add SYS_TIME alpine",
            "services:\n  app:\n    image: app\n    cap_add:\n      - NET_ADMIN\n",
        ],
        quiet: [
            "docker run alpine",
            "docker run --cap-add CHOWN alpine",
            "docker run --cap-drop ALL --cap-add NET_BIND_SERVICE alpine",
            "services:\n  app:\n    image: app\n    cap_drop: [ALL]\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.CapAdd",
                compose: "cap_add",
                flag: "--cap-add",
            },
        },
    }
}

impl Check for Capabilities {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        // The engine grants an added capability even when it is also dropped (adds apply last).
        let kept: Vec<_> = spec
            .cap_add
            .iter()
            .filter(|c| {
                DANGEROUS.contains(&c.value.as_str()) || !DEFAULT.contains(&c.value.as_str())
            })
            .collect();
        if kept.is_empty() {
            let drop_all = spec.cap_drop.iter().any(|d| d.value == "ALL");
            return Verdict::pass(if drop_all {
                "all capabilities dropped, none added"
            } else if spec.cap_drop.is_empty() {
                "no capabilities added (the default set is kept; `--cap-drop ALL` narrows it)"
            } else {
                "no capabilities added, some dropped"
            });
        }
        let dangerous: Vec<&str> = kept
            .iter()
            .map(|c| c.value.as_str())
            .filter(|c| DANGEROUS.contains(c))
            .collect();
        let names: Vec<&str> = kept.iter().map(|c| c.value.as_str()).collect();
        let mut v = if dangerous.is_empty() {
            Verdict::warn(format!("capabilities added: {}", names.join(", ")))
                .severity(Severity::Medium)
        } else {
            Verdict::warn(format!(
                "dangerous capabilities added: {}",
                dangerous.join(", ")
            ))
        };
        for c in kept {
            v = v.field(&c.at, c.value.clone());
        }
        v
    }
}
