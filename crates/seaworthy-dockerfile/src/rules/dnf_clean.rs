use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{install_not_cleaned, is_yum_install_sub, yum_like};

seaworthy_core::declare_rule! {
    /// Flags `dnf install` (also `microdnf` and `tdnf`) in a RUN that does not end with
    /// `dnf clean all` (`microdnf clean all`, `tdnf clean all`).
    ///
    /// Only stages that end up in the shipped image are checked. Removing `/var/cache/dnf` (or
    /// `/var/cache/yum`) or a cache mount there also keep the rule quiet.
    ///
    /// ## Why
    /// dnf keeps repository metadata (often over 100 MB for RHEL, Fedora or EPEL) and downloaded
    /// packages in `/var/cache/dnf`. Left in the layer they bloat the image and carry stale data.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN microdnf install -y nginx
    /// # good
    /// RUN microdnf install -y nginx && microdnf clean all
    /// ```
    DnfClean {
        id: "SW-DF-016",
        name: "dnf-clean-missing",
        title: "dnf/microdnf install without clean all",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "End the RUN with `dnf clean all` (or `microdnf clean all`).",
        refs: [Hadolint("DL3040"), Trivy("DS-0019"), Trivy("DS-0027")],
        fire: [
            "FROM fedora:40\nRUN dnf install -y git\n",
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y \\\n      nginx \\\n && microdnf update -y\n",
            "FROM fedora:40\nRUN dnf clean all && dnf -y install --setopt=tsflags=nodocs make\n",
        ],
        quiet: [
            "FROM fedora:40\nRUN dnf install -y git && dnf clean all\n",
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y nginx && microdnf clean all\n",
            "FROM fedora:40\nRUN dnf install -y git && rm -rf /var/cache/dnf\n",
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y git\n",
            "FROM fedora:40\nRUN dnf -y install git; yum clean all\n",
        ],
    }
}

impl Check for DnfClean {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let found = install_not_cleaned(
                cx,
                run,
                &["/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf"],
                |c| {
                    c.is_any(&["dnf", "microdnf", "tdnf"])
                        && yum_like(c).is_some_and(|call| {
                            is_yum_install_sub(call.sub)
                                || matches!(call.sub, "update" | "upgrade" | "group" | "module")
                        })
                },
                |c| yum_like(c).is_some_and(|call| call.sub == "clean"),
            );
            if let Some(cmd) = found {
                let sub = yum_like(cmd).map_or("install", |c| c.sub);
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{0} {sub}` leaves repository metadata and packages in its cache; no `{0} clean all` follows in this RUN",
                        cmd.name
                    ),
                ));
            }
        }
    }
}
