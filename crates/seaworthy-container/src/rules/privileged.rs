use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers started with `--privileged`: every capability, every host device, no
    /// AppArmor/SELinux confinement and no seccomp filter.
    ///
    /// ## Why
    /// A privileged container is root on the host with extra steps: it can mount the host disk,
    /// load kernel modules and escape in one command.
    ///
    /// ## Fix
    /// Drop `--privileged`; add only the capabilities and devices the workload needs.
    ///
    /// ## Example
    /// Bad: `docker run --privileged nginx`; compose `services: {web: {privileged: true}}`.
    /// Good: `docker run --cap-drop ALL --cap-add NET_BIND_SERVICE nginx`; compose
    /// `services: {web: {cap_drop: [ALL], cap_add: [NET_BIND_SERVICE]}}`.
    Privileged {
        id: "SW-CTR-5.5",
        name: "container-privileged",
        title: "Privileged container",
        area: Container,
        group: "privilege",
        severity: Critical,
        remediation: "Remove `--privileged` from `docker run` (compose: delete `privileged: true`); grant single capabilities with `--cap-add` / `cap_add` and devices with `--device` / `devices` instead.",
        refs: [Cis("5.5")],
        fire: [
            "docker run --privileged alpine",
            "services:\n  web:\n    image: nginx\n    privileged: true\n",
        ],
        quiet: [
            "docker run --privileged=false alpine",
            "services:\n  web:\n    image: nginx\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.Privileged",
                compose: "privileged",
                flag: "--privileged",
            },
        },
    }
}

impl Check for Privileged {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.privileged {
            Some(p) if p.value => {
                Verdict::warn("the container runs privileged").field(&p.at, "true")
            }
            Some(p) => Verdict::pass("the container is not privileged").field(&p.at, "false"),
            None => Verdict::pass("the container is not privileged"),
        }
    }
}
