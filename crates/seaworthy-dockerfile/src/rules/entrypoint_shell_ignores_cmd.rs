use crate::context::{Context, Hit};
use crate::parser::{Command, Kind};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags a CMD that the image never uses because its ENTRYPOINT is in shell form.
    ///
    /// Judged on the shipped image: the last ENTRYPOINT and CMD of the target stage and the
    /// stages it is built on. A CMD from an earlier stage that a later ENTRYPOINT resets is not
    /// reported (it is dropped anyway).
    ///
    /// ## Why
    /// A shell-form ENTRYPOINT runs `/bin/sh -c "<entrypoint>"`; the CMD values are passed as
    /// extra arguments to `sh`, which ignores them, and so are the arguments of `docker run`.
    /// The defaults written in CMD silently do nothing.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ENTRYPOINT /usr/local/bin/server
    /// CMD ["--port", "8080"]
    /// # good
    /// ENTRYPOINT ["/usr/local/bin/server"]
    /// CMD ["--port", "8080"]
    /// ```
    EntrypointShellIgnoresCmd {
        id: "SW-DF-085",
        name: "entrypoint-shell-ignores-cmd",
        title: "CMD ignored because ENTRYPOINT is in shell form",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Write ENTRYPOINT in exec form so that CMD and docker run arguments reach it.",
        refs: [],
        fire: [
            "FROM alpine:3.20\nENTRYPOINT /usr/local/bin/server\nCMD [\"--port\", \"8080\"]\n",
            "FROM alpine:3.20 AS base\nCMD [\"--help\"]\nentrypoint exec /app\nFROM base\nUSER app\n",
        ],
        quiet: [
            "FROM alpine:3.20\nENTRYPOINT [\"/usr/local/bin/server\"]\nCMD [\"--port\", \"8080\"]\n",
            "FROM alpine:3.20 AS base\nCMD [\"--help\"]\nFROM base\nENTRYPOINT /app\n",
            "FROM alpine:3.20\nENTRYPOINT /app\nFROM alpine:3.20\nCMD [\"x\"]\n",
        ],
    }
}

impl Check for EntrypointShellIgnoresCmd {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(ep) = cx.last_in_shipped(|k| matches!(k, Kind::Entrypoint(_))) else {
            return;
        };
        let Kind::Entrypoint(Command::Shell(_)) = &cx.instruction(ep).kind else {
            return;
        };
        let Some(cmd) = cx.last_in_shipped(|k| matches!(k, Kind::Cmd(_))) else {
            return;
        };
        let stage_of = |i: usize| cx.model.stage_of.get(i).copied().flatten();
        // ENTRYPOINT resets a CMD it does not share a stage with.
        if cmd < ep && stage_of(cmd) != stage_of(ep) {
            return;
        }
        out.push(cx.hit(
            cmd,
            format!(
                "this CMD is never used: the ENTRYPOINT on line {} is in shell form and ignores CMD and docker run arguments",
                cx.instruction(ep).line
            ),
        ));
    }
}
