//! CIS 7.1–7.9: swarm mode. Not applicable when swarm is inactive (or, for manager-only
//! settings, on a worker).

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict, daemon};
use seaworthy_engine::facts::DaemonFacts;

/// The facts when swarm is active, else the verdict to return.
fn active(f: &HostFacts) -> Result<&DaemonFacts, Verdict> {
    let d = daemon(f)?;
    if d.swarm.active() {
        Ok(d)
    } else {
        Err(Verdict::not_applicable("swarm mode is not active").with(
            format!("LocalNodeState={}", d.swarm.state),
            "GET /info (Swarm)",
        ))
    }
}

fn manager(f: &HostFacts) -> Result<&DaemonFacts, Verdict> {
    let d = active(f)?;
    if d.swarm.control_available {
        Ok(d)
    } else {
        Err(Verdict::not_applicable("this node is not a swarm manager")
            .with("ControlAvailable=false", "GET /info (Swarm)"))
    }
}

fn manual(f: &HostFacts, what: &str) -> Verdict {
    match active(f) {
        Ok(d) => Verdict::info(format!(
            "swarm is active ({} nodes, {} managers): {what}",
            d.swarm.nodes.unwrap_or(0),
            d.swarm.managers.unwrap_or(0)
        ))
        .with(
            format!("LocalNodeState={}", d.swarm.state),
            "GET /info (Swarm)",
        ),
        Err(v) => v,
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the swarm has an odd number of managers, at most seven.\n\n## Why\nEvery manager holds the cluster's secrets; an even count adds exposure without adding fault tolerance, and more than seven slows consensus.\n\n## Fix\n`docker node demote NODE` until the count is 1, 3, 5 or 7."]
    SwarmManagers {
        id: "SW-HOST-7.1",
        name: "swarm-managers",
        title: "Ensure that the minimum number of manager nodes have been created in a swarm",
        area: Host,
        group: "swarm",
        severity: Medium,
        remediation: "Run an odd number of managers, at most 7 (`docker node demote` / `promote`).",
        refs: [Cis("7.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "swarm:managers",
            check: |f| match manager(f) {
                Ok(d) => {
                    let n = d.swarm.managers.unwrap_or(0);
                    let v = if n % 2 == 1 && n <= 7 {
                        Verdict::pass(format!("{n} manager(s)"))
                    } else {
                        Verdict::warn(format!("{n} managers: use an odd number, at most 7"))
                    };
                    v.with(format!("Managers={n}"), "GET /info (Swarm)")
                }
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the swarm management port (2377) does not listen on every interface.\n\n## Why\nThe management API should be reachable only on the management network.\n\n## Fix\n`docker swarm init --listen-addr 10.0.0.5:2377`. Services' published ports are listed as evidence."]
    SwarmBindInterface {
        id: "SW-HOST-7.2",
        name: "swarm-bind-interface",
        title: "Ensure that swarm services are bound to a specific host interface",
        area: Host,
        group: "swarm",
        severity: Medium,
        remediation: "Initialise or join the swarm with `--listen-addr IP:2377` (and `--advertise-addr`) on the management interface.",
        refs: [Cis("7.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "swarm:listen-addr",
            check: |f| match active(f) {
                Ok(d) => {
                    let wild: Vec<String> = f.files.listeners.iter()
                        .filter(|l| l.port == 2377 && l.is_wildcard())
                        .map(|l| format!("{}:{}", l.addr, l.port))
                        .collect();
                    let mut v = if wild.is_empty() {
                        Verdict::pass("the swarm port is bound to a specific address")
                    } else {
                        Verdict::warn(format!("the swarm port listens on every interface ({})", wild.join(", ")))
                    };
                    v = v.with(format!("NodeAddr={}", d.swarm.node_addr), "GET /info (Swarm)");
                    for l in &wild {
                        v = v.with(format!("listening on {l}"), "/proc/net/tcp");
                    }
                    for s in &d.swarm.services {
                        for p in &s.ports {
                            v = v.with(format!("service {} publishes {}->{} ({})", s.name, p.published, p.target, p.mode), "GET /services");
                        }
                    }
                    v
                }
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that every overlay network (except the swarm's own ingress) encrypts its data plane.\n\n## Why\nUnencrypted overlay traffic between nodes can be read on the wire.\n\n## Fix\n`docker network create -d overlay --opt encrypted NAME`."]
    OverlayEncrypted {
        id: "SW-HOST-7.3",
        name: "overlay-encrypted",
        title: "Ensure that all Docker swarm overlay networks are encrypted",
        area: Host,
        group: "swarm",
        severity: Medium,
        remediation: "Create overlay networks with `--opt encrypted`.",
        refs: [Cis("7.3")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "swarm:networks",
            check: |f| match active(f) {
                Ok(d) => {
                    let nets: Vec<_> = d.swarm.overlay_networks.iter().filter(|n| !n.ingress).collect();
                    let plain: Vec<&str> = nets.iter().filter(|n| !n.encrypted).map(|n| n.name.as_str()).collect();
                    let mut v = if nets.is_empty() {
                        Verdict::pass("no overlay networks besides ingress")
                    } else if plain.is_empty() {
                        Verdict::pass(format!("{} overlay network(s), all encrypted", nets.len()))
                    } else {
                        Verdict::warn(format!("unencrypted overlay networks: {}", plain.join(", ")))
                    };
                    for n in nets {
                        v = v.with(format!("{} encrypted={}", n.name, n.encrypted), "GET /networks");
                    }
                    v
                }
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the swarm state.\n\n## Why\nSwarm secrets are encrypted at rest and only given to the tasks that need them.\n\n## Fix\nUse `docker secret`."]
    SwarmSecrets {
        id: "SW-HOST-7.4",
        name: "swarm-secrets",
        title: "Ensure that Docker's secret management commands are used for managing secrets in a swarm cluster",
        area: Host,
        group: "swarm",
        severity: Info,
        remediation: "Pass secrets with `docker secret create` and `--secret`, not environment variables or images.",
        refs: [Cis("7.4")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "swarm:secrets",
            check: |f| manual(f, "review that services use docker secrets"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the swarm's managers are auto-locked.\n\n## Why\nWithout auto-lock, the raft encryption key sits on the manager's disk: a stolen disk gives every secret.\n\n## Fix\n`docker swarm update --autolock=true`."]
    SwarmAutolock {
        id: "SW-HOST-7.5",
        name: "swarm-autolock",
        title: "Ensure that swarm manager is run in auto-lock mode",
        area: Host,
        group: "swarm",
        severity: Medium,
        remediation: "`docker swarm update --autolock=true` and keep the unlock key offline.",
        refs: [Cis("7.5")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "swarm:autolock",
            check: |f| match manager(f) {
                Ok(d) => match d.swarm.autolock {
                    Some(true) => Verdict::pass("auto-lock is enabled"),
                    _ => Verdict::warn("auto-lock is disabled"),
                }
                .with(format!("AutoLockManagers={}", d.swarm.autolock.unwrap_or(false)), "GET /swarm (Spec.EncryptionConfig)"),
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the swarm state.\n\n## Why\nA leaked unlock key stays valid until rotated.\n\n## Fix\nRotate with `docker swarm unlock-key --rotate`."]
    SwarmUnlockKeyRotation {
        id: "SW-HOST-7.6",
        name: "swarm-unlock-key-rotation",
        title: "Ensure that the swarm manager auto-lock key is rotated periodically",
        area: Host,
        group: "swarm",
        severity: Info,
        remediation: "`docker swarm unlock-key --rotate` on a schedule.",
        refs: [Cis("7.6")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "swarm:unlock-key",
            check: |f| manual(f, "rotate the unlock key periodically"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the swarm state.\n\n## Why\nShort-lived node certificates limit the use of a stolen one.\n\n## Fix\nSet `--cert-expiry` to what your policy allows."]
    SwarmNodeCerts {
        id: "SW-HOST-7.7",
        name: "swarm-node-certs",
        title: "Ensure that node certificates are rotated as appropriate",
        area: Host,
        group: "swarm",
        severity: Info,
        remediation: "`docker swarm update --cert-expiry 720h` (or shorter).",
        refs: [Cis("7.7")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "swarm:node-certs",
            check: |f| manual(f, "review the node certificate expiry"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the swarm state.\n\n## Why\nRotating the CA invalidates certificates an attacker may hold.\n\n## Fix\n`docker swarm ca --rotate`."]
    SwarmCaRotation {
        id: "SW-HOST-7.8",
        name: "swarm-ca-rotation",
        title: "Ensure that CA certificates are rotated as appropriate",
        area: Host,
        group: "swarm",
        severity: Info,
        remediation: "`docker swarm ca --rotate` on a schedule.",
        refs: [Cis("7.8")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "swarm:ca",
            check: |f| manual(f, "rotate the root CA as your policy requires"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the swarm state.\n\n## Why\nSeparate interfaces keep heavy or hostile container traffic off the management network.\n\n## Fix\nUse `--data-path-addr`."]
    SwarmPlaneSeparation {
        id: "SW-HOST-7.9",
        name: "swarm-plane-separation",
        title: "Ensure that management plane traffic is separated from data plane traffic",
        area: Host,
        group: "swarm",
        severity: Info,
        remediation: "Join nodes with `--data-path-addr` on a different interface than `--advertise-addr`.",
        refs: [Cis("7.9")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "swarm:data-path",
            check: |f| manual(f, "review --advertise-addr and --data-path-addr"),
        },
    }
}
