use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{install_not_cleaned, is_zypper_install_sub, zypper};

seaworthy_core::declare_rule! {
    /// Flags `zypper install` (or `update`, `dist-upgrade`, `patch`) in a RUN that does not end
    /// with `zypper clean`.
    ///
    /// Only stages that end up in the shipped image are checked. Removing `/var/cache/zypp` or a
    /// cache mount there also keep the rule quiet.
    ///
    /// ## Why
    /// zypper keeps repository metadata and downloaded packages in `/var/cache/zypp`. Left in the
    /// layer they make the image bigger for nothing.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN zypper --non-interactive install curl
    /// # good
    /// RUN zypper --non-interactive install curl && zypper clean --all
    /// ```
    ZypperClean {
        id: "SW-DF-017",
        name: "zypper-clean-missing",
        title: "zypper install without zypper clean",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "End the RUN with `zypper clean --all`.",
        refs: [Hadolint("DL3036"), Trivy("DS-0020")],
        fire: [
            "FROM opensuse/leap:15.6\nRUN zypper -n install curl\n",
            "FROM opensuse/leap:15.6\nRUN zypper --non-interactive in \\\n      git \\\n && zypper rm -y vim\n",
        ],
        quiet: [
            "FROM opensuse/leap:15.6\nRUN zypper -n install curl && zypper clean --all\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n in git && zypper cc -a\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n install git && rm -rf /var/cache/zypp/*\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n refresh\n",
        ],
    }
}

impl Check for ZypperClean {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let found = install_not_cleaned(
                cx,
                run,
                &["/var/cache/zypp"],
                |c| {
                    zypper(c).is_some_and(|call| {
                        is_zypper_install_sub(call.sub)
                            || matches!(
                                call.sub,
                                "update" | "up" | "dist-upgrade" | "dup" | "patch"
                            )
                    })
                },
                |c| zypper(c).is_some_and(|call| matches!(call.sub, "clean" | "cc")),
            );
            if let Some(cmd) = found {
                let sub = zypper(cmd).map_or("install", |c| c.sub);
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!("`zypper {sub}` leaves its cache in /var/cache/zypp; no `zypper clean` follows in this RUN"),
                ));
            }
        }
    }
}
