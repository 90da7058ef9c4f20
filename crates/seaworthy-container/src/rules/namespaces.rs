//! Host namespaces shared with the container: network (5.10), PID (5.16), IPC (5.17), UTS
//! (5.21), user (5.31).

use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, Set};

fn host_mode(mode: Option<&Set<String>>, what: &str) -> Verdict {
    match mode {
        Some(m) if m.value == "host" => {
            Verdict::warn(format!("the container shares the host's {what} namespace"))
                .field(&m.at, "host")
        }
        Some(m) => {
            Verdict::pass(format!("{what} mode `{}`", m.value)).field(&m.at, m.value.clone())
        }
        None => Verdict::pass(format!("the container has its own {what} namespace")),
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers on the host's network stack (`--network host`).
    ///
    /// ## Why
    /// The container sees every host interface, can bind any host port and reach services that
    /// listen on localhost only (including a local Docker API).
    ///
    /// ## Fix
    /// Use a user-defined bridge network and publish the needed ports.
    ///
    /// ## Example
    /// Bad: `docker run --network host app`; compose `services: {app: {network_mode: host}}`.
    /// Good: `docker run --network appnet -p 127.0.0.1:8080:80 app`; compose
    /// `services: {app: {networks: [appnet], ports: ["127.0.0.1:8080:80"]}}`.
    HostNetwork {
        id: "SW-CTR-5.10",
        name: "container-host-network",
        title: "Host network namespace shared",
        area: Container,
        group: "namespaces",
        severity: High,
        remediation: "Remove `--network host` (compose `network_mode: host`); attach the container to a user-defined network and publish ports with `-p` / `ports`.",
        refs: [Cis("5.10")],
        fire: [
            "docker run --net=host alpine",
            "services:\n  app:\n    image: app\n    network_mode: host\n",
        ],
        quiet: ["docker run --network appnet alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.NetworkMode",
                compose: "network_mode",
                flag: "--network",
            },
        },
    }
}

impl Check for HostNetwork {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        host_mode(spec.network_mode.as_ref(), "network")
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers sharing the host's process namespace (`--pid host`).
    ///
    /// ## Why
    /// The container sees every host process, can signal them and, as root, read their memory
    /// and environment.
    ///
    /// ## Fix
    /// Keep the container's own PID namespace.
    ///
    /// ## Example
    /// Bad: `docker run --pid host app`; compose `services: {app: {pid: host}}`.
    /// Good: `docker run app`; compose `services: {app: {image: app}}` without `pid`.
    HostPid {
        id: "SW-CTR-5.16",
        name: "container-host-pid",
        title: "Host process namespace shared",
        area: Container,
        group: "namespaces",
        severity: High,
        remediation: "Remove `--pid host` (compose `pid: host`).",
        refs: [Cis("5.16")],
        fire: [
            "docker run --pid=host alpine",
            "services:\n  app:\n    image: app\n    pid: host\n",
        ],
        quiet: ["docker run alpine", "docker run --pid container:other alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.PidMode",
                compose: "pid",
                flag: "--pid",
            },
        },
    }
}

impl Check for HostPid {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        host_mode(spec.pid_mode.as_ref(), "PID")
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers sharing the host's IPC namespace (`--ipc host`).
    ///
    /// ## Why
    /// Shared memory segments and semaphores of host processes become readable and writable.
    ///
    /// ## Fix
    /// Keep a private IPC namespace (the default), or share with one container (`container:<name>`).
    ///
    /// ## Example
    /// Bad: `docker run --ipc host app`; compose `services: {app: {ipc: host}}`.
    /// Good: `docker run --ipc private app`; compose `services: {app: {ipc: private}}`.
    HostIpc {
        id: "SW-CTR-5.17",
        name: "container-host-ipc",
        title: "Host IPC namespace shared",
        area: Container,
        group: "namespaces",
        severity: High,
        remediation: "Remove `--ipc host` (compose `ipc: host`); use the default private namespace or `--ipc container:<name>` / `ipc: service:<name>`.",
        refs: [Cis("5.17")],
        fire: [
            "docker run --ipc host alpine",
            "services:\n  app:\n    image: app\n    ipc: host\n",
        ],
        quiet: ["docker run --ipc private alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.IpcMode",
                compose: "ipc",
                flag: "--ipc",
            },
        },
    }
}

impl Check for HostIpc {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        host_mode(spec.ipc_mode.as_ref(), "IPC")
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers sharing the host's UTS namespace (`--uts host`).
    ///
    /// ## Why
    /// The container can change the host's hostname and domain name, which logging, TLS and
    /// cluster membership depend on.
    ///
    /// ## Fix
    /// Keep the container's own UTS namespace; set its name with `--hostname`.
    ///
    /// ## Example
    /// Bad: `docker run --uts host app`; compose `services: {app: {uts: host}}`.
    /// Good: `docker run --hostname app app`; compose `services: {app: {hostname: app}}`.
    HostUts {
        id: "SW-CTR-5.21",
        name: "container-host-uts",
        title: "Host UTS namespace shared",
        area: Container,
        group: "namespaces",
        severity: Medium,
        remediation: "Remove `--uts host` (compose `uts: host`); set a hostname with `--hostname` / `hostname`.",
        refs: [Cis("5.21")],
        fire: [
            "docker run --uts=host alpine",
            "services:\n  app:\n    image: app\n    uts: host\n",
        ],
        quiet: ["docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.UTSMode",
                compose: "uts",
                flag: "--uts",
            },
        },
    }
}

impl Check for HostUts {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        host_mode(spec.uts_mode.as_ref(), "UTS")
    }
}

seaworthy_core::declare_rule! {
    /// Flags containers that opt out of the daemon's user-namespace remapping (`--userns host`).
    ///
    /// ## Why
    /// With `userns-remap`, root in a container is an unprivileged user on the host; `--userns
    /// host` gives the container real host root again.
    ///
    /// ## Fix
    /// Keep the daemon's remapping for the container.
    ///
    /// ## Example
    /// Bad: `docker run --userns host app`; compose `services: {app: {userns_mode: host}}`.
    /// Good: `docker run app` on a daemon with `"userns-remap": "default"`; compose
    /// `services: {app: {image: app}}` without `userns_mode`.
    HostUserns {
        id: "SW-CTR-5.31",
        name: "container-host-userns",
        title: "Host user namespace shared",
        area: Container,
        group: "namespaces",
        severity: Medium,
        remediation: "Remove `--userns host` (compose `userns_mode: host`) so the daemon's user-namespace remapping applies.",
        refs: [Cis("5.31")],
        fire: [
            "docker run --userns=host alpine",
            "services:\n  app:\n    image: app\n    userns_mode: host\n",
        ],
        quiet: ["docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.UsernsMode",
                compose: "userns_mode",
                flag: "--userns",
            },
        },
    }
}

impl Check for HostUserns {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        host_mode(spec.userns_mode.as_ref(), "user")
    }
}
