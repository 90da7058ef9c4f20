use crate::context::{Context, Hit};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `ln -s … /bin/sh` in RUN: replacing the system shell by a symlink to change the shell
    /// RUN uses.
    ///
    /// ## Why
    /// `/bin/sh` belongs to the distribution: packages' maintainer scripts and tools in the image
    /// expect the POSIX shell the distribution ships (dash on Debian, ash on Alpine), and the
    /// next package update may restore or break the link. The SHELL instruction changes the
    /// shell of the following RUN instructions without touching the image.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN ln -sf /bin/bash /bin/sh
    /// # good
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// ```
    ShellSymlink {
        id: "SW-DF-080",
        name: "shell-symlink",
        title: "/bin/sh replaced with a symlink instead of using SHELL",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Use the SHELL instruction to run RUN commands with another shell.",
        refs: [Hadolint("DL4005")],
        fire: [
            "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n",
            "FROM ubuntu:24.04\nRUN apt-get update \\\n && rm /bin/sh && ln --symbolic bash /usr/bin/sh\n",
        ],
        quiet: [
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN ln -s /usr/bin/python3 /usr/local/bin/python\n",
            "FROM debian:12\nRUN ln -s /bin/sh /usr/local/bin/sh-compat && echo 'ln -sf /bin/bash /bin/sh'\n",
        ],
    }
}

impl Check for ShellSymlink {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if !cmd.is("ln") || !cmd.has_flag(&["-s", "--symbolic"]) {
                continue;
            }
            let positional: Vec<&str> = cmd.positional().collect();
            if positional.len() < 2 {
                continue;
            }
            let Some(link) = positional.last() else {
                continue;
            };
            if !matches!(*link, "/bin/sh" | "/usr/bin/sh") {
                continue;
            }
            let target = positional.first().copied().unwrap_or("?");
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "replaces {link} with a link to `{target}`; use SHELL to change the shell RUN uses"
                ),
            ));
        }
    }
}
