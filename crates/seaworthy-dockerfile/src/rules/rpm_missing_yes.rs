use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{
    configured, is_yum_install_sub, is_zypper_install_sub, runs_containing, yum_like, zypper,
};

seaworthy_core::declare_rule! {
    /// Flags `yum`/`dnf` commands that change packages without `-y`, and `zypper` ones without
    /// `-n`/`--non-interactive` (or `-y`/`--no-confirm` after the subcommand).
    ///
    /// `microdnf` is not flagged: it never asks. An `assumeyes=1` written into the yum/dnf
    /// configuration earlier in the build keeps the rule quiet.
    ///
    /// ## Why
    /// A build has no one to answer the confirmation prompt: without `-y` yum and dnf abort the
    /// transaction ("Operation aborted") and the build fails, or, with some setups, waits until
    /// the CI job times out.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN dnf install httpd && dnf clean all
    /// # good
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    RpmMissingYes {
        id: "SW-DF-026",
        name: "yum-dnf-zypper-missing-yes",
        title: "yum/dnf/zypper install without -y or --non-interactive",
        area: Dockerfile,
        group: "run",
        severity: Medium,
        remediation: "Add -y to yum/dnf, or -n (--non-interactive) to zypper.",
        refs: [Hadolint("DL3030"), Hadolint("DL3038"), Hadolint("DL3034")],
        fire: [
            "FROM centos:7\nRUN yum install httpd && yum clean all\n",
            "FROM fedora:40\nRUN sudo dnf \\\n      --setopt=install_weak_deps=False \\\n      install git\n",
            "FROM opensuse/leap:15.6\nRUN zypper install curl && zypper clean\n",
        ],
        quiet: [
            "FROM centos:7\nRUN yum -y install httpd && yum clean all\n",
            "FROM fedora:40\nRUN dnf install --assumeyes git && dnf clean all\n",
            "FROM opensuse/leap:15.6\nRUN zypper -n in curl && zypper --non-interactive rm vim && zypper install -y git\n",
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install nginx\n",
            "FROM centos:7\nRUN echo assumeyes=1 >> /etc/yum.conf\nRUN yum install httpd\n",
            "FROM centos:7\nRUN yum info httpd && dnf repolist\n",
        ],
    }
}

/// yum/dnf subcommands that ask before changing the system.
fn yum_asks(sub: &str) -> bool {
    is_yum_install_sub(sub)
        || matches!(
            sub,
            "update"
                | "upgrade"
                | "remove"
                | "erase"
                | "rm"
                | "downgrade"
                | "distro-sync"
                | "autoremove"
                | "group"
                | "groupremove"
                | "groupupdate"
                | "module"
                | "builddep"
                | "swap"
                | "update-minimal"
                | "upgrade-minimal"
        )
}

fn zypper_asks(sub: &str) -> bool {
    is_zypper_install_sub(sub)
        || matches!(
            sub,
            "remove"
                | "rm"
                | "update"
                | "up"
                | "dist-upgrade"
                | "dup"
                | "patch"
                | "install-new-recommends"
                | "inr"
        )
}

impl Check for RpmMissingYes {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut assume_yes = runs_containing(cx, &["assumeyes=1", ".conf"]);
        assume_yes.extend(runs_containing(cx, &["assumeyes=true", ".conf"]));
        for (run, cmd) in cx.commands() {
            if cmd.is_any(&["yum", "dnf", "tdnf"]) {
                let Some(call) = yum_like(cmd) else { continue };
                if !yum_asks(call.sub)
                    || cmd.has_flag(&["-y", "--assumeyes", "--assumeno"])
                    || configured(cx, &assume_yes, run.instr)
                {
                    continue;
                }
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{} {}` without -y stops at a confirmation prompt",
                        cmd.name, call.sub
                    ),
                ));
            } else if let Some(call) = zypper(cmd) {
                if !zypper_asks(call.sub)
                    || cmd.has_flag(&["-n", "--non-interactive", "-y", "--no-confirm"])
                {
                    continue;
                }
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`zypper {}` without -n (--non-interactive) stops at a confirmation prompt",
                        call.sub
                    ),
                ));
            }
        }
    }
}
