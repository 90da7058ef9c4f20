use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers whose health check is switched off. When the command line or compose
    /// file sets none, the image's `HEALTHCHECK` (if any) applies: reported as info.
    ///
    /// ## Why
    /// Without a health check a hung or hijacked service keeps "running"; orchestrators and
    /// restart policies cannot react.
    ///
    /// ## Fix
    /// Define a health check in the image, or at run time.
    ///
    /// ## Example
    /// Bad: `docker run --no-healthcheck app`; compose `services: {app: {healthcheck: {disable: true}}}`.
    /// Good: `docker run --health-cmd "wget -qO- http://localhost/health || exit 1" app`; compose
    /// `services: {app: {healthcheck: {test: ["CMD", "wget", "-qO-", "http://localhost/health"]}}}`.
    Healthcheck {
        id: "SW-CTR-5.27",
        name: "container-healthcheck",
        title: "No health check",
        area: Container,
        group: "runtime",
        severity: Low,
        remediation: "Add `--health-cmd` (with `--health-interval`) to `docker run` or a HEALTHCHECK to the image (compose `healthcheck.test`); remove `--no-healthcheck` / `healthcheck.disable: true`.",
        refs: [Cis("5.27")],
        fire: [
            "docker run --no-healthcheck alpine",
            "services:\n  app:\n    image: app\n    healthcheck:\n      disable: true\n",
            "services:\n  app:\n    image: app\n    healthcheck:\n      test: [\"NONE\"]\n",
        ],
        quiet: [
            "docker run --health-cmd true alpine",
            "docker run alpine",
            "services:\n  app:\n    image: app\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "Config.Healthcheck",
                compose: "healthcheck",
                flag: "--health-cmd",
            },
        },
    }
}

impl Check for Healthcheck {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        match &spec.healthcheck {
            Some(h) if h.value => Verdict::pass("a health check is defined").field(&h.at, "set"),
            Some(h) => Verdict::warn("the health check is disabled").field(&h.at, "disabled"),
            None => Verdict::info(
                "no health check set here; the image's HEALTHCHECK applies if it has one",
            ),
        }
    }
}
