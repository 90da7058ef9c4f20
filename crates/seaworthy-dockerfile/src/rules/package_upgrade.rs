use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{apk, apt, yum_like, zypper};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags whole-system upgrades in a RUN: `apt-get upgrade`/`dist-upgrade`/`full-upgrade`,
    /// `apk upgrade`, `yum update`/`upgrade`, `dnf upgrade`/`distro-sync`, `zypper update`/`dup`.
    ///
    /// Upgrades of named packages (`apk upgrade openssl`, `yum update -y openssl`) are not
    /// flagged: they are a targeted fix.
    ///
    /// ## Why
    /// It is a trade-off. Upgrading does pick up security fixes the base image lacks, but it
    /// makes the build depend on the day it ran (two builds of one Dockerfile differ, and a
    /// cached layer keeps an old upgrade forever), it can pull in changes the base image's
    /// maintainers did not test (a new libc, a changed config file), and it hides the real
    /// problem: an outdated base. Rebuilding regularly on a fresh, maintained base image (pinned
    /// by digest and bumped by a bot) gives the same fixes reproducibly.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM debian:12
    /// RUN apt-get update && apt-get -y upgrade
    /// # good: a current base, rebuilt when it changes
    /// FROM debian:12.8-slim
    /// ```
    PackageUpgrade {
        id: "SW-DF-024",
        name: "package-upgrade",
        title: "Whole-system package upgrade in a RUN",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Drop the upgrade and rebuild on a current base image; upgrade only the packages that need a fix.",
        refs: [Hadolint("DL3005"), Hadolint("DL3017"), Hadolint("DL3031"), Hadolint("DL3039"), Hadolint("DL3035"), Trivy("DS-0024")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get -y dist-upgrade\n",
            "FROM alpine:3.20\nRUN apk upgrade --no-cache \\\n && apk add --no-cache curl\n",
            "FROM centos:7\nRUN sudo yum -y update && yum clean all\n",
            "FROM fedora:40\nRUN <<EOF\ndnf -y upgrade --refresh\nEOF\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN apk upgrade --no-cache openssl libcrypto3\n",
            "FROM centos:7\nRUN yum update -y openssl && yum clean all\n",
            "FROM debian:12\nRUN apt-get install -y --only-upgrade openssl\n",
            "FROM alpine:3.20\nRUN apk add --no-cache --upgrade curl\n",
            "FROM python:3.12\nRUN pip install --upgrade pip==24.2\n",
        ],
    }
}

/// The upgrade subcommand of a whole-system upgrade, if `cmd` is one.
fn system_upgrade(cmd: &ShellCommand) -> Option<String> {
    if let Some(c) = apt(cmd) {
        return matches!(c.sub, "upgrade" | "dist-upgrade" | "full-upgrade")
            .then(|| format!("{} {}", cmd.name, c.sub));
    }
    if let Some(c) = apk(cmd) {
        return (c.sub == "upgrade" && c.operands.is_empty()).then(|| "apk upgrade".into());
    }
    if let Some(c) = yum_like(cmd) {
        let whole = matches!(c.sub, "update" | "upgrade" | "distro-sync" | "dist-upgrade")
            && c.operands.is_empty();
        return whole.then(|| format!("{} {}", cmd.name, c.sub));
    }
    if let Some(c) = zypper(cmd) {
        let whole = matches!(c.sub, "dist-upgrade" | "dup")
            || (matches!(c.sub, "update" | "up") && c.operands.is_empty());
        return whole.then(|| format!("zypper {}", c.sub));
    }
    None
}

impl Check for PackageUpgrade {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (run, cmd) in cx.commands() {
            if let Some(what) = system_upgrade(cmd) {
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{what}` upgrades every package at build time; the result depends on the day the layer was built"
                    ),
                ));
            }
        }
    }
}
