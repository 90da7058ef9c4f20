use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags RUN instructions that leave the build sandbox: `--security=insecure` (the step runs
    /// as a privileged container) and `--network=host` (the step shares the build host's network
    /// namespace).
    ///
    /// ## Why
    /// A privileged step can load kernel modules, mount host devices and escape to the build
    /// machine; with the host network a step can reach services bound to the builder's
    /// localhost (metadata endpoints, Docker API, databases). Both need an entitlement
    /// (`security.insecure`, `network.host`) that a shared builder should not grant, and a
    /// Dockerfile that needs them cannot be built safely in CI.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN --security=insecure --network=host ./build.sh
    /// # good
    /// RUN ./build.sh
    /// ```
    InsecureRunFlags {
        id: "SW-DF-039",
        name: "insecure-run-flags",
        title: "RUN with --security=insecure or --network=host",
        area: Dockerfile,
        group: "run",
        severity: High,
        remediation: "Drop --security=insecure and --network=host; fetch what the step needs before the build or through a proxy.",
        refs: [],
        fire: [
            "# syntax=docker/dockerfile:1-labs\nFROM debian:12\nRUN --security=insecure mount -t tmpfs none /mnt\n",
            "FROM debian:12\nARG NET=host\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=$NET pip install -r requirements.txt\n",
        ],
        quiet: [
            "FROM debian:12\nRUN --network=none make test\n",
            "FROM debian:12\nRUN --security=sandbox --network=default make\n",
        ],
    }
}

impl Check for InsecureRunFlags {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !matches!(ins.kind, Kind::Run(_)) {
                continue;
            }
            for flag in &ins.flags {
                let Some(raw) = flag.value.as_deref() else {
                    continue;
                };
                let value = cx.expand(i, raw).to_ascii_lowercase();
                let message = match (flag.name.to_ascii_lowercase().as_str(), value.as_str()) {
                    ("security", "insecure") => {
                        "--security=insecure runs this step as a privileged container that can \
                         reach the build host"
                    }
                    ("network", "host") => {
                        "--network=host gives this step the build host's network, including \
                         services bound to its localhost"
                    }
                    _ => continue,
                };
                out.push(cx.hit_at(i, flag.range, message));
            }
        }
    }
}
