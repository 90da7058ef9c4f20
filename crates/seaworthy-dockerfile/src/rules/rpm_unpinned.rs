use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{
    is_yum_install_sub, is_zypper_install_sub, list, unpinned, yum_like, zypper,
};

seaworthy_core::declare_rule! {
    /// Flags `yum`/`dnf`/`microdnf install` of packages without a version (`httpd` instead of
    /// `httpd-2.4.62`) and `zypper install` without one (`curl` instead of `curl=8.6.0`).
    ///
    /// A version is a `-<digits>…` part of the name (`nginx-1.26.2`, `foo-1.2*`) or, for zypper,
    /// a constraint (`=`, `<`, `>`). Groups (`@core`), module streams (`nodejs:20`), `.rpm` files
    /// and URLs are not flagged.
    ///
    /// ## Why
    /// Without a version each build installs whatever the repository has that day, so two builds
    /// of one Dockerfile can differ and an update can break the image unnoticed. Pinning makes
    /// the build reproducible and upgrades deliberate; the cost is bumping the pins when the
    /// repository drops old versions.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN dnf install -y httpd && dnf clean all
    /// # good
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    RpmUnpinned {
        id: "SW-DF-028",
        name: "yum-dnf-zypper-unpinned",
        title: "yum/dnf/zypper install without package versions",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Pin each package: yum/dnf install <package>-<version>, zypper install <package>=<version>.",
        refs: [Hadolint("DL3033"), Hadolint("DL3041"), Hadolint("DL3037")],
        fire: [
            "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
            "FROM fedora:40\nRUN dnf install -y \\\n      java-17-openjdk \\\n      git-2.46.0 \\\n && dnf clean all\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n install curl && zypper clean\n",
        ],
        quiet: [
            "FROM centos:7\nRUN yum install -y httpd-2.4.6-99.el7 'nginx-1.20*' && yum clean all\n",
            "FROM fedora:40\nRUN dnf install -y @development-tools nodejs:20 https://example.com/x-1.0.rpm /tmp/y.rpm\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n install 'curl=8.6.0' 'git>=2.43' && zypper clean\n",
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y $PKGS && microdnf clean all\n",
        ],
    }
}

/// `name-1.2.3`, `name-1.2.3-4.el9`, `name-1*`: a dash-separated part after the name that
/// starts with a digit and looks like a version (has a dot or a glob, or ends the string).
fn has_version_suffix(pkg: &str) -> bool {
    let parts: Vec<&str> = pkg.split('-').collect();
    parts.iter().enumerate().skip(1).any(|(i, p)| {
        p.starts_with(|c: char| c.is_ascii_digit())
            && (p.contains('.') || p.contains('*') || i + 1 == parts.len())
    })
}

fn rpm_pinned(pkg: &str) -> bool {
    pkg.starts_with('@') || pkg.contains(':') || pkg.ends_with(".rpm") || has_version_suffix(pkg)
}

fn zypper_pinned(pkg: &str) -> bool {
    rpm_pinned(pkg) || pkg.contains(['=', '<', '>'])
}

impl Check for RpmUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            let loose = if let Some(call) = yum_like(cmd).filter(|c| is_yum_install_sub(c.sub)) {
                unpinned(cx, run, &call.operands, rpm_pinned)
            } else if let Some(call) = zypper(cmd).filter(|c| is_zypper_install_sub(c.sub)) {
                unpinned(cx, run, &call.operands, zypper_pinned)
            } else {
                continue;
            };
            if loose.is_empty() {
                continue;
            }
            let how = if cmd.is("zypper") {
                "<package>=<version>"
            } else {
                "<package>-<version>"
            };
            out.push(cx.hit_cmd(
                run,
                cmd,
                format!(
                    "{} installed without a version (pin with {how})",
                    list(&loose)
                ),
            ));
        }
    }
}
