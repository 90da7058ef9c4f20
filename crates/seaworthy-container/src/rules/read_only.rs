use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers whose root filesystem is writable.
    ///
    /// ## Why
    /// A read-only root stops an intruder from dropping tools or changing binaries and makes
    /// the writable paths explicit.
    ///
    /// ## Fix
    /// Mount the root read-only and give the paths that must be written a volume or tmpfs.
    ///
    /// ## Example
    /// Bad: `docker run app`; compose `services: {app: {image: app}}`.
    /// Good: `docker run --read-only --tmpfs /tmp app`; compose
    /// `services: {app: {read_only: true, tmpfs: [/tmp]}}`.
    ReadOnlyRootfs {
        id: "SW-CTR-5.13",
        name: "container-read-only-rootfs",
        title: "Root filesystem is writable",
        area: Container,
        group: "runtime",
        severity: Medium,
        remediation: "Add `--read-only` to `docker run` (compose `read_only: true`) with `--tmpfs /tmp` / `tmpfs:` or volumes for the paths that must be written.",
        refs: [Cis("5.13")],
        fire: [
            "docker run alpine",
            "docker run --read-only=false alpine",
            "services:\n  app:\n    image: app\n    read_only: false\n",
        ],
        quiet: [
            "docker run --read-only alpine",
            "services:\n  app:\n    image: app\n    read_only: true\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.ReadonlyRootfs",
                compose: "read_only",
                flag: "--read-only",
            },
        },
    }
}

impl Check for ReadOnlyRootfs {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.read_only_rootfs {
            Some(r) if r.value => {
                Verdict::pass("the root filesystem is read-only").field(&r.at, "true")
            }
            Some(r) => Verdict::warn("the root filesystem is writable").field(&r.at, "false"),
            None => Verdict::warn("the root filesystem is writable"),
        }
    }
}
