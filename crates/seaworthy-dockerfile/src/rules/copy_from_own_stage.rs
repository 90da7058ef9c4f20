use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::unknown_stage_reference::{Resolved, resolve, stage_refs};

seaworthy_core::declare_rule! {
    /// Flags `COPY --from` (and `RUN --mount=…,from=`) naming the stage the instruction is in,
    /// by name or by index.
    ///
    /// ## Why
    /// A stage cannot read from itself: BuildKit stops with "circular dependency detected". The
    /// author usually meant an earlier stage, or the build context (no `--from`).
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM golang:1.23 AS build
    /// COPY --from=build /src/go.mod /src/
    /// # good
    /// FROM golang:1.23 AS build
    /// COPY go.mod /src/
    /// ```
    CopyFromOwnStage {
        id: "SW-DF-007",
        name: "copy-from-own-stage",
        title: "COPY --from references its own stage",
        area: Dockerfile,
        group: "trust",
        severity: High,
        remediation: "Copy from an earlier stage or from the build context instead of the current stage.",
        refs: [Hadolint("DL3023")],
        fire: [
            "FROM golang:1.23 AS build\nCOPY --from=build /src/go.mod /src/\n",
            "FROM golang:1.23 AS deps\nFROM alpine:3.20\ncopy --from=1 /a /b\n",
            "FROM debian:12 AS App\nRUN --mount=type=bind,from=app,target=/x ls /x\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build\nFROM alpine:3.20 AS app\nCOPY --from=build /out/app /bin/\n",
            "FROM alpine:3.20 AS build\nCOPY --from=build:1.0 /a /b\n",
        ],
    }
}

impl Check for CopyFromOwnStage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for r in stage_refs(cx) {
            if let Resolved::Stage(t) = resolve(cx.model, &r.value)
                && t == r.stage
            {
                out.push(cx.hit_at(
                    r.instr,
                    r.range,
                    format!(
                        "{} `{}` names the stage this instruction is in; BuildKit stops with a circular dependency",
                        r.what, r.value
                    ),
                ));
            }
        }
    }
}
