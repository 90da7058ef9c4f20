use crate::context::{Context, Hit, RunScript, clip};
use crate::rules::Check;
use crate::rules::remote_script_pipe::span;
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags a pipe in RUN when the shell does not run with `pipefail`: neither the stage's
    /// SHELL (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`, inherited from a parent stage too)
    /// nor a `set -o pipefail` earlier in the same script. Pipes whose left side cannot fail
    /// (`echo "$SHA  file" | sha256sum -c -`) are not reported.
    ///
    /// ## Why
    /// A pipeline's status is that of its last command: in `curl -fsSL $URL | tar -xz` a failed
    /// download still lets the step pass when tar accepts the empty input, and the image is
    /// built without the files. `pipefail` makes the whole pipeline fail.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt
    /// # good
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt
    /// ```
    /// On Alpine use `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`.
    PipeWithoutPipefail {
        id: "SW-DF-035",
        name: "pipe-without-pipefail",
        title: "Pipe in RUN without pipefail",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Add SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN (or start the script with set -o pipefail).",
        refs: [Hadolint("DL4006")],
        fire: [
            "FROM debian:12\nRUN curl -fsSL https://example.com/app.tgz \\\n    | tar -xz -C /opt\n",
            "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM debian:12\nRUN wget -qO- https://example.com/key | gpg --dearmor > /k.gpg\n",
            "FROM alpine:3.20\nRUN <<EOF\napk add curl\ncurl -s https://example.com/v | grep -o '[0-9.]*' > /v\nEOF\n",
        ],
        quiet: [
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://example.com/app.tgz | tar -xz -C /opt\n",
            "FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nFROM base\nRUN ls /opt | sort > /list\n",
            "FROM alpine:3.20\nRUN set -euxo pipefail; wget -qO- https://example.com/a.tgz | tar xz\n",
            "FROM debian:12\nRUN echo \"$SHA256  /tmp/a.tgz\" | sha256sum -c -\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Get-ChildItem | Out-File x.txt\n",
        ],
    }
}

/// Whether shell options (`-o pipefail`, `-eo pipefail`, `-euxo pipefail`) turn pipefail on.
fn sets_pipefail(args: &[String]) -> bool {
    args.windows(2).any(|w| match w {
        [opt, name] => {
            name == "pipefail"
                && opt.starts_with('-')
                && !opt.starts_with("--")
                && opt.ends_with('o')
        }
        _ => false,
    })
}

/// Commands whose output is fixed, so a failure on their side of the pipe cannot go unseen.
fn cannot_fail(cmd: &ShellCommand) -> bool {
    cmd.is_any(&["echo", "printf", "yes", "true"])
}

impl Check for PipeWithoutPipefail {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if run.shell.as_deref().is_some_and(sets_pipefail) {
                continue;
            }
            let set_at = run
                .script
                .commands
                .iter()
                .filter(|c| c.is("set") && sets_pipefail(&c.args))
                .map(|c| c.start)
                .min();
            let pipes: Vec<Vec<&ShellCommand>> = run
                .script
                .pipelines
                .iter()
                .map(|p| {
                    p.iter()
                        .filter_map(|&i| run.script.commands.get(i))
                        .collect::<Vec<_>>()
                })
                .filter(|cmds| cmds.len() > 1)
                .filter(|cmds| {
                    let head = cmds.get(..cmds.len() - 1).unwrap_or_default();
                    !head.iter().all(|c| cannot_fail(c))
                })
                .filter(|cmds| {
                    let start = cmds.first().map_or(0, |c| c.start);
                    set_at.is_none_or(|s| s > start)
                })
                .collect();
            let Some(first) = pipes.first() else { continue };
            report(run, first, pipes.len() - 1, out);
        }
    }
}

fn report(run: &RunScript, cmds: &[&ShellCommand], others: usize, out: &mut Vec<Hit>) {
    let (Some(head), Some(last)) = (cmds.first(), cmds.last()) else {
        return;
    };
    let hidden = cmds
        .get(..cmds.len() - 1)
        .unwrap_or_default()
        .iter()
        .filter(|c| !cannot_fail(c))
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let more = match others {
        0 => String::new(),
        1 => " (and 1 more pipe in this RUN)".to_string(),
        n => format!(" (and {n} more pipes in this RUN)"),
    };
    let shown = cmds
        .iter()
        .map(|c| c.display())
        .collect::<Vec<_>>()
        .join(" | ");
    out.push(Hit {
        instr: run.instr,
        range: span(run, head, last),
        message: format!(
            "without pipefail a failure of {hidden} is hidden by `{}`'s exit status{more}",
            last.name
        ),
        evidence: Some(clip(&shown)),
    });
}
