use crate::context::{Context, Hit, RunScript};
use crate::rules::Check;
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags a stage that downloads with both `wget` and `curl`. Each use of the tool that
    /// appears second is reported; installing both packages is not.
    ///
    /// ## Why
    /// Two tools that do the same job both end up in the image: more size, more attack surface
    /// and two sets of TLS and proxy behaviour to get right.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN wget -q https://example.com/a.tgz && curl -fsSLO https://example.com/b.tgz
    /// # good
    /// RUN curl -fsSLO https://example.com/a.tgz && curl -fsSLO https://example.com/b.tgz
    /// ```
    CurlAndWget {
        id: "SW-DF-037",
        name: "curl-and-wget",
        title: "Both wget and curl used",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "Use one download tool (curl or wget) throughout the stage.",
        refs: [Hadolint("DL4001"), Trivy("DS-0014")],
        fire: [
            "FROM debian:12\nRUN wget -q https://example.com/a.tgz\nRUN curl -fsSLO https://example.com/b.tgz \\\n && curl -fsSLO https://example.com/c.tgz\n",
            "FROM alpine:3.20\nRUN <<EOF\ncurl -fsSLo /a https://example.com/a\nwget -qO /b https://example.com/b\nEOF\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get install -y curl wget && curl -fsSLO https://example.com/a.tgz\n",
            "FROM debian:12 AS fetch\nRUN wget -q https://example.com/a.tgz\nFROM debian:12\nRUN curl -fsSLO https://example.com/b.tgz\n",
        ],
    }
}

impl Check for CurlAndWget {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        // One pass over the commands, grouped by stage (not one pass per stage).
        let mut by_stage: Vec<Vec<(&RunScript, &ShellCommand)>> =
            vec![Vec::new(); cx.model.stages.len()];
        for (r, c) in cx.commands().filter(|(_, c)| c.is_any(&["curl", "wget"])) {
            let stage = cx.model.stage_of.get(r.instr).copied().flatten();
            if let Some(uses) = stage.and_then(|s| by_stage.get_mut(s)) {
                uses.push((r, c));
            }
        }
        for uses in &by_stage {
            let Some(&(first_run, first)) = uses.first() else {
                continue;
            };
            if uses.iter().all(|(_, c)| c.name == first.name) {
                continue;
            }
            let second = if first.is("curl") { "wget" } else { "curl" };
            for (run, cmd) in uses.iter().filter(|(_, c)| c.is(second)) {
                let where_ = if run.instr == first_run.instr {
                    "earlier in this RUN".to_string()
                } else {
                    format!("on line {}", cx.instruction(first_run.instr).line)
                };
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{second}` is used here while this stage already uses `{}` {where_}",
                        first.name
                    ),
                ));
            }
        }
    }
}
