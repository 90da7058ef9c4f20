use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::apt;

seaworthy_core::declare_rule! {
    /// Flags the `apt` command in a RUN; scripts should use `apt-get` and `apt-cache`.
    ///
    /// ## Why
    /// `apt` is the interactive front end. Its output and options are not a stable interface
    /// (it warns "apt does not have a stable CLI interface. Use with caution in scripts."), it
    /// shows progress bars meant for a terminal, and its behaviour may change between releases.
    /// `apt-get` and `apt-cache` are the tools meant for scripts.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt update && apt install -y curl
    /// # good
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    AptInScript {
        id: "SW-DF-025",
        name: "apt-in-script",
        title: "apt used instead of apt-get",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Use apt-get (or apt-cache) in Dockerfiles; apt is for interactive use.",
        refs: [Hadolint("DL3027")],
        fire: [
            "FROM ubuntu:24.04\nRUN apt update && apt install -y curl\n",
            "FROM ubuntu:24.04\nRUN apt-get update \\\n && sudo apt -y install git \\\n && rm -rf /var/lib/apt/lists/*\n",
        ],
        quiet: [
            "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\n",
            "FROM ubuntu:24.04\nRUN apt-cache policy curl && apt-key list && apt-mark hold curl\n",
            "FROM ubuntu:24.04\nRUN echo 'apt install x' > /tmp/notes\n",
        ],
    }
}

impl Check for AptInScript {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if !cmd.is("apt") {
                continue;
            }
            let message = match apt(cmd) {
                Some(call) if call.sub == "list" => {
                    "`apt list` is for interactive use; use `dpkg-query -l` in scripts".to_string()
                }
                Some(call) if matches!(call.sub, "show" | "search" | "policy") => format!(
                    "`apt {}` is for interactive use; use `apt-cache {}` in scripts",
                    call.sub, call.sub
                ),
                Some(call) => format!(
                    "`apt {}` is for interactive use; use `apt-get {}` in scripts",
                    call.sub, call.sub
                ),
                None => "`apt` is for interactive use; use apt-get in scripts".to_string(),
            };
            out.push(cx.hit_cmd(run, cmd, message));
        }
    }
}
