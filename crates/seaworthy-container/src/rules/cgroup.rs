use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers placed in a custom parent cgroup (`--cgroup-parent`).
    ///
    /// ## Why
    /// The parent cgroup decides the limits the container shares; a wrong one escapes the
    /// limits the daemon would apply, or shares them with unrelated processes.
    ///
    /// ## Fix
    /// Leave the cgroup parent at the daemon default unless a reviewed design needs it.
    ///
    /// ## Example
    /// Bad: `docker run --cgroup-parent /system.slice app`; compose
    /// `services: {app: {cgroup_parent: /system.slice}}`.
    /// Good: `docker run app`; compose `services: {app: {image: app}}` without `cgroup_parent`.
    CgroupParent {
        id: "SW-CTR-5.25",
        name: "container-cgroup-parent",
        title: "Custom cgroup parent in use",
        area: Container,
        group: "limits",
        severity: Medium,
        remediation: "Remove `--cgroup-parent` (compose `cgroup_parent`) unless the cgroup was chosen on purpose; the daemon's default keeps containers under docker's own cgroup.",
        refs: [Cis("5.25")],
        fire: [
            "docker run --cgroup-parent=/system.slice alpine",
            "services:\n  app:\n    image: app\n    cgroup_parent: /system.slice\n",
        ],
        quiet: ["docker run alpine"],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.CgroupParent",
                compose: "cgroup_parent",
                flag: "--cgroup-parent",
            },
        },
    }
}

impl Check for CgroupParent {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.cgroup_parent {
            Some(c) if !c.value.is_empty() => {
                Verdict::warn(format!("the container runs under cgroup `{}`", c.value))
                    .field(&c.at, c.value.clone())
            }
            _ => Verdict::pass("the default cgroup parent is used"),
        }
    }
}
