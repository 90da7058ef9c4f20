use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `FROM --platform=$TARGETPLATFORM`, which only restates the default.
    ///
    /// ## Why
    /// Stages are built for the target platform unless told otherwise, so the flag changes
    /// nothing. It looks like cross-compilation is set up when it is not (that needs
    /// `$BUILDPLATFORM`), which misleads whoever tunes the build later.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// # good
    /// FROM alpine:3.20
    /// ```
    RedundantTargetPlatform {
        id: "SW-DF-087",
        name: "redundant-target-platform",
        title: "FROM --platform=$TARGETPLATFORM is redundant",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Drop --platform=$TARGETPLATFORM (use $BUILDPLATFORM for stages that cross-compile).",
        refs: [BuildKit("RedundantTargetPlatform")],
        fire: [
            "FROM --platform=$TARGETPLATFORM alpine:3.20\n",
            "from --platform=\"${TARGETPLATFORM}\" golang:1.23 as build\n",
        ],
        quiet: [
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM alpine:3.20\n",
            "FROM --platform=${TARGETPLATFORM:-linux/amd64} alpine:3.20\n",
        ],
    }
}

impl Check for RedundantTargetPlatform {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !matches!(ins.kind, Kind::From(_)) {
                continue;
            }
            let Some(flag) = ins.flag("platform") else {
                continue;
            };
            let value = flag.value.as_deref().unwrap_or("").trim();
            if matches!(value, "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
                out.push(cx.hit_at(
                    i,
                    flag.range,
                    "`--platform=$TARGETPLATFORM` restates the default platform; drop it",
                ));
            }
        }
    }
}
