use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{apt_install, list, unpinned};

seaworthy_core::declare_rule! {
    /// Flags `apt-get install` of packages without a version (`curl` instead of
    /// `curl=7.88.1-10+deb12u8`).
    ///
    /// A version with a wildcard (`curl=7.88*`) and a target release (`curl/bookworm-backports`)
    /// count as pinned; `.deb` files and paths are not packages from a repository. Arguments that
    /// come from variables are checked when their ARG or ENV value is known.
    ///
    /// ## Why
    /// Without a version each build installs whatever the mirror has that day: two builds of the
    /// same Dockerfile can differ, a new upstream release can break the image, and nobody can tell
    /// which version a given image shipped. Pinning makes builds reproducible and upgrades
    /// deliberate (and reviewable). The cost is maintenance: Debian and Ubuntu drop superseded
    /// versions from their mirrors, so pins have to be bumped, ideally by a bot.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// # good
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    /// ```
    AptUnpinned {
        id: "SW-DF-019",
        name: "apt-get-unpinned",
        title: "apt-get install without package versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each package: apt-get install <package>=<version>.",
        refs: [Hadolint("DL3008")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y \\\n      git=1:2.39.5-0+deb12u1 \\\n      make \\\n      --no-install-recommends\n",
            "FROM debian:12\nARG PKGS=\"gcc libc6-dev\"\nRUN apt-get install -y $PKGS\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 git=1:2.39*\n",
            "FROM debian:12\nRUN apt-get install -y ./vendor/tool.deb /tmp/other.deb\n",
            "FROM debian:12\nRUN apt-get -t bookworm-backports install -y golang-go/bookworm-backports\n",
            "FROM debian:12\nRUN apt-get install -y $(cat /tmp/packages.txt) \"$buildDeps\"\n",
            "FROM debian:12\nRUN dpkg -i pkg.deb || apt-get install -y -f\n",
        ],
    }
}

fn pinned(pkg: &str) -> bool {
    pkg.contains('=') || pkg.contains('/') || pkg.ends_with(".deb")
}

impl Check for AptUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let Some(call) = apt_install(cmd) else {
                continue;
            };
            let loose = unpinned(cx, run, &call.operands, pinned);
            if loose.is_empty() {
                continue;
            }
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "{} installed without a version (pin with <package>=<version>)",
                    list(&loose)
                ),
            ));
        }
    }
}
