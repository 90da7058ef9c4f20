use crate::context::{Context, Hit};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `apt-get install` without `-y` (or `--yes`, `--assume-yes`, `-qq`).
    ///
    /// ## Why
    /// A build has no one to answer apt's confirmation prompt: without `-y` the install aborts
    /// (or, with some front ends, waits forever), so the build breaks in CI.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt-get update && apt-get install curl
    /// # good
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    AptNoYes {
        id: "SW-DF-011",
        name: "apt-get-missing-yes",
        title: "apt-get install without -y",
        area: Dockerfile,
        group: "run",
        severity: Medium,
        remediation: "Add -y (or --yes) to apt-get install so the build never waits for input.",
        refs: [Hadolint("DL3014"), Trivy("DS-0021")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install curl\n",
            "FROM debian:12\nRUN sudo apt-get install --no-install-recommends \\\n    curl\n",
            "FROM debian:12\nRUN apt-get -o Dpkg::Options::=--force-confold install curl\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get -qq install curl && apt-get install --assume-yes git\n",
            "FROM debian:12\nRUN echo apt-get install curl\n",
        ],
    }
}

impl Check for AptNoYes {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let is_install =
                crate::rules::pkg_util::apt_install(cmd).is_some() && cmd.is("apt-get");
            if is_install
                && !cmd.has_flag(&["-y", "--yes", "--assume-yes", "-qq", "--force-yes"])
                && !cmd.args.iter().any(|a| a == "-q=2")
            {
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    "apt-get install without -y waits for a confirmation",
                ));
            }
        }
    }
}
