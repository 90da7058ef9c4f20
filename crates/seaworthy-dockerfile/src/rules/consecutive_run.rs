use std::collections::HashMap;

use crate::context::{Context, Hit};
use crate::parser::{Command, Instruction, Kind};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags a RUN that runs a single command right after another RUN that also runs a single
    /// command with the same flags (`--mount`, `--network`…), as hadolint does: such steps merge
    /// into one without losing readability. RUNs with several commands, or with different
    /// flags, are left alone: splitting them is often deliberate (cache boundaries).
    ///
    /// ## Why
    /// Every RUN adds a layer and a cache step. Files deleted in a later layer still weigh in the
    /// earlier one, and long chains of one-line RUNs slow builds and pulls.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN mkdir -p /app/data
    /// RUN chown app /app/data
    /// # good
    /// RUN mkdir -p /app/data \
    ///  && chown app /app/data
    /// ```
    ConsecutiveRun {
        id: "SW-DF-036",
        name: "consecutive-run",
        title: "Consecutive RUN instructions could be merged",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Join consecutive single-command RUN instructions with && into one RUN.",
        refs: [Hadolint("DL3059")],
        fire: [
            "FROM debian:12\nRUN mkdir -p /app/data\n# then hand it over\nRUN chown app /app/data\n",
            "FROM alpine:3.20\nRUN [\"apk\", \"add\", \"--no-cache\", \"git\"]\nRUN git config --system core.autocrlf input\nRUN git --version\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN curl --version\n",
            "FROM debian:12\nRUN mkdir /a\nENV X=1\nRUN mkdir /b\n",
            "FROM debian:12\nRUN mkdir /a\nRUN --mount=type=cache,target=/root/.cache pip install x\n",
            "FROM debian:12 AS a\nRUN mkdir /a\nFROM debian:12\nRUN mkdir /b\n",
            "FROM debian:12\nRUN <<EOF\nmkdir /a\nchown app /a\nEOF\nRUN mkdir /b\n",
            "FROM debian:12\nRUN <<EOF bash\nset -e\napt-get update\nEOF\nRUN <<EOF sh -e\nmkdir /b\nEOF\nRUN mkdir /c\n",
        ],
    }
}

fn flags(ins: &Instruction) -> Vec<(String, Option<String>)> {
    let mut f: Vec<_> = ins
        .flags
        .iter()
        .map(|f| (f.name.to_ascii_lowercase(), f.value.clone()))
        .collect();
    f.sort();
    f
}

impl Check for ConsecutiveRun {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let counts: HashMap<usize, usize> = cx
            .runs
            .iter()
            .map(|r| {
                let n = r.script.commands.iter().filter(|c| !c.nested).count();
                (r.instr, n)
            })
            .collect();
        // A RUN with a heredoc is not a one-liner to join with &&: its script may hold many
        // commands, also when it is fed to an interpreter (`RUN <<EOF bash`).
        let single = |i: usize, ins: &Instruction| match &ins.kind {
            _ if !ins.heredocs.is_empty() => false,
            Kind::Run(Command::Exec { .. }) => true,
            Kind::Run(Command::Shell(_)) => counts.get(&i).is_some_and(|&n| n <= 1),
            _ => false,
        };
        for stage in &cx.model.stages {
            let mut prev: Option<usize> = None;
            for i in stage.body.clone() {
                let ins = cx.instruction(i);
                if !single(i, ins) {
                    prev = None;
                    continue;
                }
                if let Some(p) = prev
                    && flags(cx.instruction(p)) == flags(ins)
                {
                    out.push(cx.hit(
                        i,
                        format!(
                            "this RUN and the one on line {} each run a single command; merge \
                             them with &&",
                            cx.instruction(p).line
                        ),
                    ));
                }
                prev = Some(i);
            }
        }
    }
}
