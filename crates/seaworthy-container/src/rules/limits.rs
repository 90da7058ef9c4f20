//! Resource limits: memory (5.11), CPU (5.12), ulimits (5.19, manual), PIDs (5.29).

use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers without a memory limit.
    ///
    /// ## Why
    /// One leaking or attacked container can take all host memory and get other containers —
    /// or the daemon — OOM-killed.
    ///
    /// ## Fix
    /// Set a limit a little above the workload's peak.
    ///
    /// ## Example
    /// Bad: `docker run app`; compose `services: {app: {image: app}}`.
    /// Good: `docker run --memory 512m app`; compose `services: {app: {mem_limit: 512m}}` or
    /// `deploy: {resources: {limits: {memory: 512M}}}`.
    Memory {
        id: "SW-CTR-5.11",
        name: "container-memory-limit",
        title: "No memory limit",
        area: Container,
        group: "limits",
        severity: Medium,
        remediation: "Set a memory limit: `docker run --memory 512m` (compose `mem_limit: 512m` or `deploy.resources.limits.memory`).",
        refs: [Cis("5.11")],
        fire: [
            "docker run alpine",
            "docker run -m 0 alpine",
            "services:\n  app:\n    image: app\n",
        ],
        quiet: [
            "docker run -m 256m alpine",
            "services:\n  app:\n    image: app\n    deploy:\n      resources:\n        limits:\n          memory: 512M\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.Memory",
                compose: "mem_limit",
                flag: "--memory",
            },
        },
    }
}

impl Check for Memory {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.memory {
            Some(m) if m.value > 0 => Verdict::pass(format!("memory limited to {} bytes", m.value))
                .field(&m.at, m.value.to_string()),
            Some(m) => Verdict::warn("memory is not limited").field(&m.at, m.value.to_string()),
            None => Verdict::warn("memory is not limited"),
        }
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers with neither a CPU share different from the default (1024) nor a CPU
    /// limit (`--cpus`, `--cpu-quota`).
    ///
    /// ## Why
    /// Without a weight or limit a busy container starves the others on the host.
    ///
    /// ## Fix
    /// Give the container a CPU limit or relative weight.
    ///
    /// ## Example
    /// Bad: `docker run app`; compose `services: {app: {image: app}}`.
    /// Good: `docker run --cpus 1.5 app` or `--cpu-shares 512`; compose
    /// `services: {app: {cpus: 1.5}}` or `deploy: {resources: {limits: {cpus: "1.5"}}}`.
    Cpu {
        id: "SW-CTR-5.12",
        name: "container-cpu-limit",
        title: "No CPU limit or priority",
        area: Container,
        group: "limits",
        severity: Low,
        remediation: "Set `--cpus 1.5` or `--cpu-shares 512` on `docker run` (compose `cpus: 1.5`, `cpu_shares: 512` or `deploy.resources.limits.cpus`).",
        refs: [Cis("5.12")],
        fire: [
            "docker run alpine",
            "docker run --cpu-shares 1024 alpine",
            "services:\n  app:\n    image: app\n",
        ],
        quiet: [
            "docker run --cpus 0.5 alpine",
            "docker run -c 512 alpine",
            "docker run --cpu-quota 50000 alpine",
            "services:\n  app:\n    image: app\n    cpus: 0.5\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.NanoCpus",
                compose: "cpus",
                flag: "--cpus",
            },
        },
    }
}

impl Check for Cpu {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        if let Some(c) = spec.nano_cpus.as_ref().filter(|c| c.value > 0) {
            return Verdict::pass(format!("CPU limited to {:.2} CPUs", c.value as f64 / 1e9))
                .field(&c.at, c.value.to_string());
        }
        if let Some(q) = spec.cpu_quota.as_ref().filter(|q| q.value > 0) {
            return Verdict::pass("CPU quota set").field(&q.at, q.value.to_string());
        }
        match &spec.cpu_shares {
            Some(s) if s.value > 0 && s.value != 1024 => {
                Verdict::pass(format!("CPU shares {}", s.value)).field(&s.at, s.value.to_string())
            }
            Some(s) => Verdict::warn("CPU shares at the default and no CPU limit")
                .field(&s.at, s.value.to_string()),
            None => Verdict::warn("no CPU limit or priority"),
        }
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers without a PIDs limit (or with `-1`, unlimited).
    ///
    /// ## Why
    /// A fork bomb inside one container exhausts the host's process table.
    ///
    /// ## Fix
    /// Limit the number of processes to what the workload needs.
    ///
    /// ## Example
    /// Bad: `docker run app`; compose `services: {app: {image: app}}`.
    /// Good: `docker run --pids-limit 200 app`; compose `services: {app: {pids_limit: 200}}`.
    Pids {
        id: "SW-CTR-5.29",
        name: "container-pids-limit",
        title: "No PIDs cgroup limit",
        area: Container,
        group: "limits",
        severity: Medium,
        remediation: "Set `--pids-limit 200` on `docker run` (compose `pids_limit: 200` or `deploy.resources.limits.pids`).",
        refs: [Cis("5.29")],
        fire: [
            "docker run alpine",
            "docker run --pids-limit -1 alpine",
            "services:\n  app:\n    image: app\n",
        ],
        quiet: [
            "docker run --pids-limit 100 alpine",
            "services:\n  app:\n    image: app\n    pids_limit: 100\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.PidsLimit",
                compose: "pids_limit",
                flag: "--pids-limit",
            },
        },
    }
}

impl Check for Pids {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.pids_limit {
            Some(p) if p.value > 0 => Verdict::pass(format!("at most {} processes", p.value))
                .field(&p.at, p.value.to_string()),
            Some(p) => Verdict::warn("the number of processes is not limited")
                .field(&p.at, p.value.to_string()),
            None => Verdict::warn("the number of processes is not limited"),
        }
    }
}

seaworthy_core::declare_rule! {
    /// Reports the ulimits set for the container (a manual check: the daemon's defaults apply
    /// to the others).
    ///
    /// ## Why
    /// Per-container ulimits (open files, processes) keep one container from exhausting limits
    /// shared with the host.
    ///
    /// ## Fix
    /// Override the daemon default only where a workload needs it.
    ///
    /// ## Example
    /// Bad: `docker run --ulimit nofile=1048576:1048576 app` without need; compose
    /// `services: {app: {ulimits: {nofile: 1048576}}}`.
    /// Good: `docker run --ulimit nofile=4096:8192 app`; compose
    /// `services: {app: {ulimits: {nofile: {soft: 4096, hard: 8192}}}}`.
    Ulimits {
        id: "SW-CTR-5.19",
        name: "container-ulimits",
        title: "Default ulimits overridden (review)",
        area: Container,
        group: "limits",
        severity: Info,
        remediation: "Set per-container limits with `--ulimit name=soft:hard` (compose `ulimits`) only where needed; rely on the daemon's `default-ulimits` otherwise.",
        refs: [Cis("5.19")],
        fire: [],
        quiet: ["docker run --ulimit nofile=4096:8192 alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: false,
            setting: Setting {
                inspect: "HostConfig.Ulimits",
                compose: "ulimits",
                flag: "--ulimit",
            },
        },
    }
}

impl Check for Ulimits {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        if spec.ulimits.is_empty() {
            return Verdict::info("no ulimit overrides; the daemon defaults apply");
        }
        let mut v = Verdict::info(format!("{} ulimit override(s)", spec.ulimits.len()));
        for u in &spec.ulimits {
            v = v.field(&u.at, u.value.clone());
        }
        v
    }
}
