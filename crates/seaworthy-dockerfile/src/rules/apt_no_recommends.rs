use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::pkg_util::{apt_install, configured, is_visible_to, list, runs_containing};

seaworthy_core::declare_rule! {
    /// Flags `apt-get install` without `--no-install-recommends`.
    ///
    /// The rule stays quiet when APT is configured not to install recommended packages, by
    /// `-o APT::Install-Recommends=false` on the command or by an `APT::Install-Recommends "0"`
    /// setting written (or copied into `/etc/apt/apt.conf.d/`) earlier in the build.
    ///
    /// ## Why
    /// By default APT also installs every package the requested ones merely recommend. That pulls
    /// in documentation, daemons and libraries the image never uses: a bigger image, a slower
    /// pull, and more packages for vulnerability scanners to report and for attackers to use.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt-get update && apt-get install -y curl
    /// # good
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    AptNoRecommends {
        id: "SW-DF-012",
        name: "apt-get-install-recommends",
        title: "apt-get install without --no-install-recommends",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Add --no-install-recommends to apt-get install and list the packages you need explicitly.",
        refs: [Hadolint("DL3015"), Trivy("DS-0029"), Cis("4.3")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update \\\n && sudo apt-get install -y \\\n      ca-certificates \\\n      git\n",
            "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt install -y python3\nEOF\n",
            "FROM debian:12\nRUN dpkg -i /tmp/x.deb || apt-get -fy install\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl git \\\n      --no-install-recommends\n",
            "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n",
            "FROM debian:12\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norecommends\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get download curl && apt-cache depends curl\n",
        ],
    }
}

/// `-o APT::Install-Recommends=false` (or `=0`) on the command line.
fn option_off(args: &[String]) -> bool {
    args.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a.contains("apt::install-recommends=")
            && ["false", "0", "no", "off"]
                .iter()
                .any(|v| a.ends_with(&format!("={v}")))
    })
}

/// The COPY and ADD instructions into apt's configuration directory.
fn apt_conf_copies(cx: &Context<'_>) -> Vec<usize> {
    cx.instructions()
        .filter(|(_, ins)| match &ins.kind {
            Kind::Copy(c) | Kind::Add(c) => {
                let dest = c.dest.value.trim_end_matches('/');
                dest.starts_with("/etc/apt/apt.conf")
                    || ((dest == "/etc/apt" || dest == "/etc" || dest == "/")
                        && c.sources.iter().any(|s| s.value.contains("apt")))
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

impl Check for AptNoRecommends {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        const SETTING: &str = "apt::install-recommends";
        let mut turned_off = runs_containing(cx, &[SETTING, "apt.conf", "\"0\""]);
        turned_off.extend(runs_containing(cx, &[SETTING, "apt.conf", "false"]));
        let copied = apt_conf_copies(cx);
        for (run, cmd) in cx.commands() {
            let Some(call) = apt_install(cmd) else {
                continue;
            };
            let fixes = cmd.has_flag(&["-f", "--fix-broken"]);
            if (call.operands.is_empty() && !fixes)
                || cmd.has_flag(&["--no-install-recommends"])
                || option_off(&cmd.args)
            {
                continue;
            }
            if configured(cx, &turned_off, run.instr)
                || copied.iter().any(|&i| is_visible_to(cx, i, run.instr))
            {
                continue;
            }
            let message = if call.operands.is_empty() {
                format!(
                    "`{} install -f` also pulls in the packages the missing dependencies recommend",
                    cmd.name
                )
            } else {
                format!(
                    "`{} install` also pulls in the packages recommended by {}",
                    cmd.name,
                    list(
                        &call
                            .operands
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                    )
                )
            };
            out.push(cx.hit_cmd(run, cmd, message));
        }
    }
}
