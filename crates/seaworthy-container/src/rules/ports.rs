//! Published ports: privileged host ports (5.8), the list to review (5.9), the host interface
//! they listen on (5.14).

use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, PortBinding};

fn shown(p: &PortBinding) -> String {
    let host = p.host_port.map_or(String::new(), |h| h.to_string());
    let ip = if p.host_ip.contains(':') {
        format!("[{}]", p.host_ip)
    } else {
        p.host_ip.clone()
    };
    if ip.is_empty() {
        format!("{host}:{}/{}", p.container_port, p.protocol)
    } else {
        format!("{ip}:{host}:{}/{}", p.container_port, p.protocol)
    }
}

seaworthy_core::declare_rule! {
    /// Flags host ports below 1024 published for the container.
    ///
    /// ## Why
    /// Ports below 1024 are where trusted system services (SSH 22, DNS 53, HTTP 80) listen;
    /// mapping a container there makes it pose as one, and `-p 22:22` is usually sshd.
    ///
    /// ## Fix
    /// Publish on a port of 1024 or above, with a reverse proxy in front where a low port is needed.
    ///
    /// ## Example
    /// Bad: `docker run -p 80:8080 app`; compose `services: {app: {ports: ["80:8080"]}}`.
    /// Good: `docker run -p 127.0.0.1:8080:8080 app`; compose `services: {app: {ports: ["127.0.0.1:8080:8080"]}}`.
    PrivilegedPorts {
        id: "SW-CTR-5.8",
        name: "container-privileged-port",
        title: "Privileged host port mapped",
        area: Container,
        group: "network",
        severity: Medium,
        remediation: "Publish on a host port of 1024 or above (`-p 8080:80`, compose `ports: [\"8080:80\"]`) and put a proxy in front if a low port is required.",
        refs: [Cis("5.8")],
        fire: [
            "docker run -p 22:22 alpine",
            "docker run -p 127.0.0.1:443:8443 alpine",
            "services:\n  app:\n    image: app\n    ports:\n      - \"80:8080\"\n",
        ],
        quiet: [
            "docker run -p 8080:80 alpine",
            "docker run -p 80 alpine",
            "docker run alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.PortBindings",
                compose: "ports",
                flag: "--publish",
            },
        },
    }
}

impl Check for PrivilegedPorts {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let low: Vec<&PortBinding> = spec
            .ports
            .iter()
            .filter(|p| p.host_port.is_some_and(|h| h > 0 && h < 1024))
            .collect();
        if low.is_empty() {
            return Verdict::pass("no host port below 1024 is published");
        }
        let mut v = Verdict::warn(format!(
            "privileged host ports published: {}",
            low.iter()
                .filter_map(|p| p.host_port.map(|h| h.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for p in low {
            v = v.field(&p.at, shown(p));
        }
        v
    }
}

seaworthy_core::declare_rule! {
    /// Lists the published ports for review (a manual check: only the owner knows which are needed).
    ///
    /// ## Why
    /// Every published port is reachable from outside the host; forgotten debug and admin ports
    /// are a common way in.
    ///
    /// ## Fix
    /// Publish only what clients must reach; let containers talk over internal networks.
    ///
    /// ## Example
    /// Bad: `docker run -P app` or `-p 5432:5432` for a database only the app uses; compose
    /// `services: {db: {ports: ["5432:5432"]}}`.
    /// Good: `docker run --network backend db`; compose `services: {db: {networks: [backend]}}`
    /// without `ports`.
    NeededPorts {
        id: "SW-CTR-5.9",
        name: "container-open-ports",
        title: "Published ports (review that each is needed)",
        area: Container,
        group: "network",
        severity: Info,
        remediation: "Remove `-p`/`--publish` (compose `ports`) entries clients do not need; connect services over user-defined networks instead.",
        refs: [Cis("5.9")],
        fire: [],
        quiet: ["docker run -p 8080:80 alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: false,
            setting: Setting {
                inspect: "HostConfig.PortBindings",
                compose: "ports",
                flag: "--publish",
            },
        },
    }
}

impl Check for NeededPorts {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        if spec.ports.is_empty() {
            return Verdict::info("no ports are published");
        }
        let mut v = Verdict::info(format!(
            "{} published port(s): review that each is needed",
            spec.ports.len()
        ));
        for p in &spec.ports {
            v = v.field(&p.at, shown(p));
        }
        v
    }
}

seaworthy_core::declare_rule! {
    /// Flags ports published on every host interface (no address, `0.0.0.0` or `::`).
    ///
    /// ## Why
    /// A port bound to all interfaces is reachable from every network the host is on, and
    /// Docker's iptables rules bypass host firewalls such as ufw.
    ///
    /// ## Fix
    /// Bind to the interface clients use (`127.0.0.1` behind a local proxy, or the internal NIC).
    ///
    /// ## Example
    /// Bad: `docker run -p 8080:80 app`; compose `services: {app: {ports: ["8080:80"]}}`.
    /// Good: `docker run -p 127.0.0.1:8080:80 app`; compose `services: {app: {ports: ["127.0.0.1:8080:80"]}}`.
    HostInterface {
        id: "SW-CTR-5.14",
        name: "container-port-all-interfaces",
        title: "Port bound to all host interfaces",
        area: Container,
        group: "network",
        severity: Medium,
        remediation: "Give the host address in the publication: `-p 127.0.0.1:8080:80` (compose `ports: [\"127.0.0.1:8080:80\"]` or `host_ip: 127.0.0.1` in the long syntax).",
        refs: [Cis("5.14")],
        fire: [
            "docker run -p 8080:80 alpine",
            "docker run -p 0.0.0.0:8080:80 alpine",
            "docker run -p [::]:8080:80 alpine",
            "services:\n  app:\n    image: app\n    ports:\n      - target: 80\n        published: 8080\n",
        ],
        quiet: [
            "docker run -p 127.0.0.1:8080:80 alpine",
            "docker run alpine",
            "services:\n  app:\n    image: app\n    ports:\n      - 10.0.0.5:8080:80\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.PortBindings",
                compose: "ports",
                flag: "--publish",
            },
        },
    }
}

impl Check for HostInterface {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let open: Vec<&PortBinding> = spec
            .ports
            .iter()
            .filter(|p| matches!(p.host_ip.as_str(), "" | "0.0.0.0" | "::"))
            .collect();
        if open.is_empty() {
            return Verdict::pass(if spec.ports.is_empty() {
                "no ports are published"
            } else {
                "every published port is bound to a specific address"
            });
        }
        let mut v = Verdict::warn(format!(
            "{} port(s) listen on every host interface",
            open.len()
        ));
        for p in open {
            v = v.field(&p.at, shown(p));
        }
        v
    }
}
