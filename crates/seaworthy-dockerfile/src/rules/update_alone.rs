use crate::context::{Context, Hit, RunScript};
use crate::rules::Check;
use crate::rules::pkg_util::{after, apk, apk_add, apt, apt_install, is_visible_to, removes};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags `apt-get update` (or `apk update`) in a RUN that installs nothing after it, and
    /// installs that rely on the package lists of such an earlier, separate update.
    ///
    /// ## Why
    /// The build cache keys a RUN layer on its text only. A `RUN apt-get update` layer is reused
    /// as is on later builds, so a following `RUN apt-get install …` (cached or changed) works
    /// from package lists that can be weeks old: it installs outdated versions, or fails with
    /// 404s once the mirror dropped them. Updating and installing in one RUN makes every change to
    /// the package list refresh the index too.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// # good
    /// RUN apt-get update \
    ///  && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    UpdateAlone {
        id: "SW-DF-010",
        name: "update-without-install",
        title: "Package index updated in a RUN that installs nothing",
        area: Dockerfile,
        group: "run",
        severity: Medium,
        remediation: "Run the index update and the install in the same RUN (apt-get update && apt-get install …).",
        refs: [Trivy("DS-0017"), Cis("4.7")],
        fire: [
            "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "FROM ubuntu:24.04\nRUN set -eux; \\\n    sudo apt-get -qq update; \\\n    echo done\n",
            "FROM alpine:3.20\nRUN apk update\nRUN apk add curl\n",
            "FROM debian:12 AS base\nRUN <<EOF\napt-get update\nEOF\nFROM base\nRUN apt-get install -y git\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive \\\n    apt-get -y --no-install-recommends install curl\n",
            "FROM debian:12\nRUN sh -c 'apt-get update && apt-get -y upgrade'\n",
            "FROM debian:12\nRUN apt-get update && ./install-deps.sh\n",
            "FROM debian:12\nRUN apt-get install -y ./local.deb\n",
            "FROM alpine:3.20\nRUN apk update && apk add --no-cache curl\nRUN apk add --no-cache git\n",
            "FROM debian:12\nRUN echo apt-get update\n",
        ],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Apt,
    Apk,
}

impl Family {
    fn update(self, cmd: &ShellCommand) -> bool {
        match self {
            Family::Apt => apt(cmd).is_some_and(|c| c.sub == "update"),
            Family::Apk => apk(cmd).is_some_and(|c| c.sub == "update"),
        }
    }

    /// Whether the command reads the package index the update fetched.
    fn uses_index(self, cmd: &ShellCommand) -> bool {
        if runs_script(cmd) {
            return true;
        }
        match self {
            Family::Apt => {
                apt(cmd).is_some_and(|c| {
                    !matches!(
                        c.sub,
                        "update"
                            | "clean"
                            | "autoclean"
                            | "dist-clean"
                            | "purge"
                            | "remove"
                            | "autoremove"
                            | "mark"
                            | "showmanual"
                    )
                }) || cmd.is_any(&["apt-cache", "aptitude", "install_packages", "mk-build-deps"])
                    || (cmd.is("xargs") && cmd.args.iter().any(|a| a == "apt-get" || a == "apt"))
            }
            Family::Apk => {
                apk(cmd).is_some_and(|c| !matches!(c.sub, "update" | "del" | "cache"))
                    || (cmd.is("xargs") && cmd.args.iter().any(|a| a == "apk"))
            }
        }
    }

    /// Whether the command removes the index again.
    fn drops_index(self, cmd: &ShellCommand) -> bool {
        match self {
            Family::Apt => {
                removes(cmd, &["/var/lib/apt/lists"])
                    || apt(cmd).is_some_and(|c| c.sub == "dist-clean")
            }
            Family::Apk => removes(cmd, &["/var/cache/apk"]),
        }
    }

    /// An install that reads the index already on disk (it fetches none itself).
    fn installs_from_disk(self, cmd: &ShellCommand) -> bool {
        match self {
            Family::Apt => apt_install(cmd).is_some(),
            Family::Apk => {
                apk_add(cmd).is_some()
                    && !cmd.has_flag(&["--no-cache", "-U", "--update", "--update-cache"])
            }
        }
    }
}

/// A local script or a shell running a script file: it may install with the fresh index.
fn runs_script(cmd: &ShellCommand) -> bool {
    cmd.name.ends_with(".sh")
        || (cmd.is_any(&["sh", "bash"]) && cmd.args.first().is_some_and(|a| !a.starts_with('-')))
}

/// The lone update of `run` for `family`: an update no later command of the RUN uses.
fn lone_update(run: &RunScript, family: Family) -> Option<&ShellCommand> {
    let cmds = &run.script.commands;
    let last = cmds.iter().rposition(|c| family.update(c))?;
    let used = after(run, last).any(|c| family.uses_index(c) || family.drops_index(c));
    let cmd = cmds.get(last)?;
    (!used).then_some(cmd)
}

impl Check for UpdateAlone {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for family in [Family::Apt, Family::Apk] {
            for run in &cx.runs {
                if let Some(cmd) = lone_update(run, family) {
                    out.push(cx.hit_cmd(
                        run,
                        cmd,
                        format!(
                            "`{}` installs nothing in this RUN; a cached layer keeps its package lists stale for later installs",
                            cmd.display()
                        ),
                    ));
                    continue;
                }
                // An install without its own update, after a lone update in an earlier RUN.
                let cmds = &run.script.commands;
                let Some(at) = cmds.iter().position(|c| family.installs_from_disk(c)) else {
                    continue;
                };
                if cmds.iter().take(at).any(|c| family.update(c)) {
                    continue;
                }
                let Some(source) = cx
                    .runs
                    .iter()
                    .filter(|r| is_visible_to(cx, r.instr, run.instr))
                    .rfind(|r| r.script.commands.iter().any(|c| family.update(c)))
                else {
                    continue;
                };
                let Some(update) = lone_update(source, family) else {
                    continue;
                };
                if let Some(cmd) = cmds.get(at) {
                    out.push(cx.hit_cmd(
                        run,
                        cmd,
                        format!(
                            "`{}` uses the package lists of the separate `{} update` at line {}, which the build cache can keep stale",
                            short(cmd),
                            update.name,
                            cx.instruction(source.instr).line
                        ),
                    ));
                }
            }
        }
    }
}

/// `apt-get install` / `apk add`, for messages.
fn short(cmd: &ShellCommand) -> String {
    let sub = match cmd.name.as_str() {
        "apk" => "add",
        _ => "install",
    };
    format!("{} {sub}", cmd.name)
}
