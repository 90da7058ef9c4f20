use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Lists host devices passed into the container (a manual check: some workloads need a GPU
    /// or a serial port).
    ///
    /// ## Why
    /// A block device (`/dev/sda`) with `rwm` lets the container read and rewrite the host disk
    /// below any file permission.
    ///
    /// ## Fix
    /// Pass only the devices needed, with the fewest permissions (`r`, `w`, `m`).
    ///
    /// ## Example
    /// Bad: `docker run --device /dev/sda:/dev/sda:rwm app`; compose
    /// `services: {app: {devices: ["/dev/sda:/dev/sda:rwm"]}}`.
    /// Good: `docker run --device /dev/ttyUSB0:/dev/ttyUSB0:rw app`; compose
    /// `services: {app: {devices: ["/dev/ttyUSB0:/dev/ttyUSB0:rw"]}}` — or no devices.
    Devices {
        id: "SW-CTR-5.18",
        name: "container-host-devices",
        title: "Host devices exposed (review)",
        area: Container,
        group: "runtime",
        severity: Info,
        remediation: "Remove `--device` entries (compose `devices`) the workload does not need; restrict the rest to the permissions needed (`:r`, `:rw`).",
        refs: [Cis("5.18")],
        fire: [],
        quiet: ["docker run --device /dev/fuse alpine", "docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: false,
            setting: Setting {
                inspect: "HostConfig.Devices",
                compose: "devices",
                flag: "--device",
            },
        },
    }
}

impl Check for Devices {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        if spec.devices.is_empty() {
            return Verdict::info("no host devices are exposed");
        }
        let mut v = Verdict::info(format!(
            "host devices exposed: {}",
            spec.devices
                .iter()
                .map(|d| d.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for d in &spec.devices {
            v = v.field(&d.at, d.value.clone());
        }
        v
    }
}
