use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::{Command, Kind};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags CMD and ENTRYPOINT written in shell form (`CMD node server.js`) instead of exec form
    /// (`CMD ["node", "server.js"]`).
    ///
    /// Quiet when the stage (or a stage it is built on) sets SHELL, which makes the shell a
    /// deliberate choice, and when the command starts with `exec`, which replaces the shell
    /// with the program.
    ///
    /// ## Why
    /// Shell form runs `/bin/sh -c "…"`: the shell is PID 1, not the program. `docker stop`
    /// sends SIGTERM to the shell, which does not forward it; the program is killed after the
    /// grace period instead of shutting down cleanly (lost requests, unflushed data). A
    /// shell-form ENTRYPOINT also ignores CMD and the arguments of `docker run`.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// CMD node server.js
    /// # good
    /// CMD ["node", "server.js"]
    /// ```
    /// If you need shell features, write `exec` in front of the program
    /// (`CMD exec node server.js`) or use an entrypoint script that ends with `exec "$@"`.
    ShellFormCmd {
        id: "SW-DF-077",
        name: "shell-form-cmd",
        title: "CMD/ENTRYPOINT in shell form",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Use the exec (JSON array) form for CMD and ENTRYPOINT, or prefix the command with exec.",
        refs: [Hadolint("DL3025"), BuildKit("JSONArgsRecommended")],
        fire: [
            "FROM node:22\nCMD node server.js\n",
            "FROM alpine:3.20\nentrypoint /usr/local/bin/start.sh --verbose\n",
            "FROM alpine:3.20\nCMD ['nginx', '-g', 'daemon off;']\n",
        ],
        quiet: [
            "FROM node:22\nCMD [\"node\", \"server.js\"]\nENTRYPOINT [\"docker-entrypoint.sh\"]\n",
            "FROM alpine:3.20\nCMD exec nginx -g 'daemon off;'\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\nSHELL [\"powershell\", \"-Command\"]\nFROM base\nCMD Start-Service w3svc; ping -t localhost\n",
            "FROM nginx:1.27\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
        ],
    }
}

/// Whether a SHELL instruction precedes `at` in its stage or the stages it is built on.
fn shell_set(cx: &Context<'_>, at: usize) -> bool {
    let Some(mut stage) = cx.model.stage_of.get(at).copied().flatten() else {
        return false;
    };
    let mut end = at;
    for _ in 0..=cx.model.stages.len() {
        let Some(s) = cx.model.stages.get(stage) else {
            return false;
        };
        if (s.body.start..end.min(s.body.end))
            .any(|i| matches!(cx.instruction(i).kind, Kind::Shell(_)))
        {
            return true;
        }
        match s.base {
            Base::Stage(p) if p < stage => {
                stage = p;
                end = cx.model.stages.get(p).map_or(0, |st| st.body.end);
            }
            _ => return false,
        }
    }
    false
}

impl Check for ShellFormCmd {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let (cmd, entrypoint) = match &ins.kind {
                Kind::Cmd(c) => (c, false),
                Kind::Entrypoint(c) => (c, true),
                _ => continue,
            };
            let Command::Shell(text) = cmd else { continue };
            let first = text.text.split_whitespace().next().unwrap_or("");
            if first == "exec" || shell_set(cx, i) {
                continue;
            }
            let message = if entrypoint {
                "ENTRYPOINT in shell form runs under /bin/sh -c: the program is not PID 1, gets no SIGTERM on docker stop, and CMD and docker run arguments are ignored"
            } else {
                "CMD in shell form runs under /bin/sh -c: the program is not PID 1 and gets no SIGTERM on docker stop"
            };
            out.push(cx.hit_at(i, text.range, message));
        }
    }
}
