use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Reports whether the container uses Docker's default bridge `docker0` (a manual check).
    ///
    /// ## Why
    /// On the default bridge every container can reach every other one (unless `icc` is off)
    /// and ARP-spoof them; user-defined networks isolate groups and give DNS by name.
    ///
    /// ## Fix
    /// Create a network per application and attach containers to it.
    ///
    /// ## Example
    /// Bad: `docker run app` (default bridge); compose `services: {app: {network_mode: bridge}}`.
    /// Good: `docker network create appnet && docker run --network appnet app`; compose
    /// services get a project network by default: `services: {app: {image: app}}`.
    DefaultBridge {
        id: "SW-CTR-5.30",
        name: "container-default-bridge",
        title: "Default bridge docker0 in use (review)",
        area: Container,
        group: "network",
        severity: Info,
        remediation: "Attach the container to a user-defined network: `docker network create appnet` and `--network appnet` (compose: `networks:`; compose's default project network is already user-defined).",
        refs: [Cis("5.30")],
        fire: [],
        quiet: ["docker run alpine", "docker run --network appnet alpine"],
        extra: Cis {
            level: Level::L2,
            automated: false,
            setting: Setting {
                inspect: "HostConfig.NetworkMode",
                compose: "network_mode",
                flag: "--network",
            },
        },
    }
}

impl Check for DefaultBridge {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let compose = matches!(spec.subject, crate::spec::Subject::Compose { .. });
        match &spec.network_mode {
            Some(m) if m.value == "bridge" || m.value == "default" => {
                Verdict::info("the container is on the default bridge docker0")
                    .field(&m.at, m.value.clone())
            }
            Some(m) => {
                Verdict::info(format!("network `{}`", m.value)).field(&m.at, m.value.clone())
            }
            None if compose => Verdict::info("the service is on the project's default network"),
            None => Verdict::info("the container is on the default bridge docker0"),
        }
    }
}
