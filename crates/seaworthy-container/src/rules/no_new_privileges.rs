use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict, security_opts};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags containers that can gain privileges through setuid/setgid binaries or file
    /// capabilities (no `no-new-privileges`), unless the daemon sets it for every container.
    ///
    /// ## Why
    /// With `no-new-privileges`, `su`, `sudo` or a planted setuid binary cannot raise a process
    /// above the user it started as.
    ///
    /// ## Fix
    /// Set the option per container or daemon-wide (`"no-new-privileges": true` in daemon.json).
    ///
    /// ## Example
    /// Bad: `docker run app`; compose `services: {app: {image: app}}`.
    /// Good: `docker run --security-opt no-new-privileges app`; compose
    /// `services: {app: {security_opt: ["no-new-privileges:true"]}}`.
    NoNewPrivileges {
        id: "SW-CTR-5.26",
        name: "container-no-new-privileges",
        title: "Container can acquire additional privileges",
        area: Container,
        group: "privilege",
        severity: Medium,
        remediation: "Add `--security-opt no-new-privileges` to `docker run` (compose `security_opt: [\"no-new-privileges:true\"]`), or set `\"no-new-privileges\": true` in daemon.json.",
        refs: [Cis("5.26")],
        fire: [
            "docker run alpine",
            "docker run --security-opt no-new-privileges=false alpine",
            "services:\n  app:\n    image: app\n",
        ],
        quiet: [
            "docker run --security-opt no-new-privileges alpine",
            "docker run --security-opt=no-new-privileges:true alpine",
            "@daemon-nnp\ndocker run alpine",
            "services:\n  app:\n    image: app\n    security_opt:\n      - no-new-privileges:true\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "HostConfig.SecurityOpt",
                compose: "security_opt",
                flag: "--security-opt",
            },
        },
    }
}

impl Check for NoNewPrivileges {
    fn check(&self, spec: &ContainerSpec, ctx: &Context) -> Verdict {
        let opt = security_opts(spec).find(|o| o.key == "no-new-privileges");
        match opt {
            Some(o) if o.value.is_empty() || o.value.eq_ignore_ascii_case("true") => {
                Verdict::pass("no-new-privileges is set").field(o.at, o.raw)
            }
            Some(o) => Verdict::warn("no-new-privileges is turned off").field(o.at, o.raw),
            None if ctx.daemon_no_new_privileges => {
                Verdict::pass("the daemon sets no-new-privileges for every container")
            }
            None => Verdict::warn("no-new-privileges is not set"),
        }
    }
}
