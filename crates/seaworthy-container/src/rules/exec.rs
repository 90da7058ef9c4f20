//! `docker exec` sessions: privileged (5.23) and as root (5.24, manual).

use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, Field};

seaworthy_core::declare_rule! {
    /// Flags `docker exec --privileged` sessions of a running container. Compose files and
    /// command lines have no exec sessions: not applicable there.
    ///
    /// ## Why
    /// A privileged exec session gets every capability and no confinement, even when the
    /// container itself was started hardened.
    ///
    /// ## Fix
    /// Do not use `--privileged` with `docker exec`.
    ///
    /// ## Example
    /// Bad: `docker exec --privileged app sh` (whatever `docker run` / compose `services:` said).
    /// Good: `docker exec app sh`.
    ExecPrivileged {
        id: "SW-CTR-5.23",
        name: "container-exec-privileged",
        title: "docker exec used with --privileged",
        area: Container,
        group: "privilege",
        severity: High,
        remediation: "Run `docker exec` without `--privileged`; no `docker run` flag or compose key is involved — audit who can call exec.",
        refs: [Cis("5.23")],
        fire: ["@exec privileged sh\ndocker run alpine"],
        quiet: ["@exec user sh\ndocker run alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L2,
            automated: true,
            setting: Setting {
                inspect: "ExecIDs",
                compose: "-",
                flag: "docker exec --privileged",
            },
        },
    }
}

impl Check for ExecPrivileged {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let Some(execs) = &spec.execs else {
            return Verdict::not_applicable("exec sessions exist only for running containers");
        };
        let privileged: Vec<_> = execs.iter().filter(|e| e.privileged).collect();
        if privileged.is_empty() {
            return Verdict::pass(format!("{} exec session(s), none privileged", execs.len()));
        }
        let mut v = Verdict::warn(format!("{} privileged exec session(s)", privileged.len()));
        for e in privileged {
            v = v.field(
                &Field::named(format!("exec {}", e.id)),
                format!("privileged {}", e.command),
            );
        }
        v
    }
}

seaworthy_core::declare_rule! {
    /// Lists `docker exec` sessions run as root (a manual check).
    ///
    /// ## Why
    /// `docker exec --user root` undoes a non-root container user for that session.
    ///
    /// ## Fix
    /// Exec as the container's user.
    ///
    /// ## Example
    /// Bad: `docker exec --user root app sh` (the container from `docker run --user 1000` or
    /// compose `services: {app: {user: "1000"}}`).
    /// Good: `docker exec app sh`.
    ExecRoot {
        id: "SW-CTR-5.24",
        name: "container-exec-root",
        title: "docker exec used with --user=root (review)",
        area: Container,
        group: "privilege",
        severity: Info,
        remediation: "Run `docker exec` as the container's user (no `--user root`); no `docker run` flag or compose key is involved.",
        refs: [Cis("5.24")],
        fire: [],
        quiet: ["@exec root sh\ndocker run alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L2,
            automated: false,
            setting: Setting {
                inspect: "ExecIDs",
                compose: "-",
                flag: "docker exec --user",
            },
        },
    }
}

impl Check for ExecRoot {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let Some(execs) = &spec.execs else {
            return Verdict::not_applicable("exec sessions exist only for running containers");
        };
        let root: Vec<_> = execs
            .iter()
            .filter(|e| matches!(e.user.as_str(), "root" | "0" | "0:0" | "root:root"))
            .collect();
        let mut v = Verdict::info(format!("{} exec session(s) as root", root.len()));
        for e in root {
            v = v.field(
                &Field::named(format!("exec {}", e.id)),
                format!("user={} {}", e.user, e.command),
            );
        }
        v
    }
}
