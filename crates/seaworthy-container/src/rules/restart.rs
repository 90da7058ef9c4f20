use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags restart policies that retry forever: `always`, `unless-stopped`, or `on-failure`
    /// without a maximum or with more than 5 retries. `no` (the default) and `on-failure:1..5`
    /// pass.
    ///
    /// ## Why
    /// A container that crashes in a loop (or is crashed on purpose) is restarted endlessly,
    /// turning one fault into a denial of service of the host.
    ///
    /// ## Fix
    /// Use `on-failure` with at most 5 retries.
    ///
    /// ## Example
    /// Bad: `docker run --restart always app`; compose `services: {app: {restart: always}}`.
    /// Good: `docker run --restart on-failure:5 app`; compose `services: {app: {restart: "on-failure:5"}}`
    /// or `deploy: {restart_policy: {condition: on-failure, max_attempts: 5}}`.
    RestartPolicy {
        id: "SW-CTR-5.15",
        name: "container-restart-policy",
        title: "Restart policy not limited to on-failure:5",
        area: Container,
        group: "runtime",
        severity: Low,
        remediation: "Use `--restart on-failure:5` on `docker run` (compose `restart: \"on-failure:5\"` or `deploy.restart_policy` with `condition: on-failure`, `max_attempts: 5`).",
        refs: [Cis("5.15")],
        fire: [
            "docker run --restart always alpine",
            "docker run --restart on-failure alpine",
            "docker run --restart=on-failure:10 alpine",
            "services:\n  app:\n    image: app\n    restart: unless-stopped\n",
        ],
        quiet: [
            "docker run --restart on-failure:5 alpine",
            "docker run --restart no alpine",
            "docker run alpine",
            "services:\n  app:\n    image: app\n    deploy:\n      restart_policy:\n        condition: on-failure\n        max_attempts: 3\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.RestartPolicy",
                compose: "restart",
                flag: "--restart",
            },
        },
    }
}

impl Check for RestartPolicy {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let Some(r) = &spec.restart else {
            return Verdict::pass("no restart policy");
        };
        let (name, max) = (r.value.0.as_str(), r.value.1);
        let shown = if name == "on-failure" && max > 0 {
            format!("{name}:{max}")
        } else {
            name.to_string()
        };
        let v = match name {
            "" | "no" => Verdict::pass("no restart policy"),
            "on-failure" if (1..=5).contains(&max) => {
                Verdict::pass(format!("restarted on failure at most {max} times"))
            }
            "on-failure" => Verdict::warn(if max == 0 {
                "restarted on failure without limit".to_string()
            } else {
                format!("restarted on failure up to {max} times (more than 5)")
            }),
            _ => Verdict::warn(format!("restart policy `{name}` restarts without limit")),
        };
        v.field(&r.at, shown)
    }
}
