use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{install_not_cleaned, yum_like};

seaworthy_core::declare_rule! {
    /// Flags `yum install` (or `yum update`) in a RUN that does not end with `yum clean all`.
    ///
    /// Only stages that end up in the shipped image are checked. Removing `/var/cache/yum`, a
    /// `dnf clean all` (yum is dnf on RHEL 8 and later) or a cache mount on `/var/cache/yum` also
    /// keep the rule quiet.
    ///
    /// ## Why
    /// yum keeps repository metadata and, depending on the configuration, the downloaded RPMs in
    /// `/var/cache/yum`. Left in the layer they add tens to hundreds of megabytes to the image
    /// and are useless at run time.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN yum install -y httpd-2.4.6
    /// # good
    /// RUN yum install -y httpd-2.4.6 && yum clean all && rm -rf /var/cache/yum
    /// ```
    YumClean {
        id: "SW-DF-015",
        name: "yum-clean-missing",
        title: "yum install without yum clean all",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "End the RUN with `yum clean all` (and `rm -rf /var/cache/yum`).",
        refs: [Hadolint("DL3032"), Trivy("DS-0015")],
        fire: [
            "FROM centos:7\nRUN yum install -y httpd\n",
            "FROM centos:7\nRUN yum clean all \\\n && yum -y install \\\n      git \\\n && echo ok\n",
            "FROM centos:7\nRUN sudo yum -y update\n",
        ],
        quiet: [
            "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
            "FROM centos:7\nRUN yum -y install git && rm -rf /var/cache/yum\n",
            "FROM rockylinux:9\nRUN <<EOF\nyum install -y git\ndnf clean all\nEOF\n",
            "FROM centos:7\nRUN --mount=type=cache,target=/var/cache/yum yum install -y git\n",
            "FROM centos:7\nRUN yum info httpd\n",
        ],
    }
}

impl Check for YumClean {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            let found = install_not_cleaned(
                cx,
                run,
                &["/var/cache/yum", "/var/cache/dnf"],
                |c| {
                    c.is("yum")
                        && yum_like(c).is_some_and(|call| {
                            matches!(
                                call.sub,
                                "install"
                                    | "groupinstall"
                                    | "localinstall"
                                    | "reinstall"
                                    | "update"
                                    | "upgrade"
                                    | "group"
                            )
                        })
                },
                |c| yum_like(c).is_some_and(|call| call.sub == "clean"),
            );
            if let Some(cmd) = found {
                let sub = yum_like(cmd).map_or("install", |c| c.sub);
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!("`yum {sub}` leaves its cache in /var/cache/yum; no `yum clean all` follows in this RUN"),
                ));
            }
        }
    }
}
