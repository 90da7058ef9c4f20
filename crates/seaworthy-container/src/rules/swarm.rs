use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Swarm mode is a fact of the Docker host, not of one container: the host checks
    /// (`seaworthy host`, SW-HOST) report it. On a container this check is not applicable.
    ///
    /// ## Why
    /// A host in swarm mode opens the cluster management ports and runs the swarm raft store;
    /// when the host is not meant to be a swarm node, that is attack surface without use.
    ///
    /// ## Fix
    /// On the host: `docker swarm leave` when swarm is not needed.
    ///
    /// ## Example
    /// Not a container setting: neither `docker run` flags nor compose `services:` keys change it.
    SwarmMode {
        id: "SW-CTR-5.1",
        name: "container-swarm-mode",
        title: "Swarm mode is enabled only if needed (a host fact)",
        area: Container,
        group: "host",
        severity: Info,
        remediation: "Checked on the host (seaworthy host): run `docker swarm leave` when swarm is not needed; no `docker run` flag or compose key changes it.",
        refs: [Cis("5.1")],
        fire: [],
        quiet: ["alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "Swarm.LocalNodeState",
                compose: "-",
                flag: "-",
            },
        },
    }
}

impl Check for SwarmMode {
    fn check(&self, _spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        Verdict::not_applicable("swarm mode is a host setting; `seaworthy host` checks it")
    }
}
