use crate::rules::{Check, Context, Verdict};
use crate::spec::ContainerSpec;

declare_rule! {
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
        cis: "5.1",
        name: "container-swarm-mode",
        title: "Swarm mode is enabled only if needed (a host fact)",
        level: L1,
        automated: true,
        group: "host",
        severity: Info,
        setting: ("Swarm.LocalNodeState", "-", "-"),
        remediation: "Checked on the host (seaworthy host): run `docker swarm leave` when swarm is not needed; no `docker run` flag or compose key changes it.",
        fire: [],
        quiet: ["alpine"],
    }
}

impl Check for SwarmMode {
    fn check(&self, _spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        Verdict::not_applicable("swarm mode is a host setting; `seaworthy host` checks it")
    }
}
