use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `FROM --platform=` with a constant value such as `linux/amd64`.
    ///
    /// Variables (`$BUILDPLATFORM`, `$TARGETPLATFORM`, or an ARG of your own) stay quiet: they
    /// are the documented way to cross-compile. `--platform=$TARGETPLATFORM` is redundant and
    /// reported by SW-DF-087.
    ///
    /// ## Why
    /// A fixed platform forces that architecture whatever the build is for: on an arm64 builder or
    /// in a multi-platform build the stage runs under emulation (slow) and the image ships
    /// binaries for the wrong architecture without any error.
    ///
    /// ## Fix
    /// Drop the flag, or use the automatic platform arguments for cross-compiling stages.
    ///
    /// ```dockerfile
    /// # bad
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// # good
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ```
    FromPlatformHardcoded {
        id: "SW-DF-008",
        name: "from-platform-hardcoded",
        title: "FROM --platform with a hard-coded value",
        area: Dockerfile,
        group: "trust",
        severity: Low,
        remediation: "Remove --platform, or use $BUILDPLATFORM/$TARGETPLATFORM (or a build argument).",
        refs: [Hadolint("DL3029"), BuildKit("FromPlatformFlagConstDisallowed")],
        fire: [
            "FROM --platform=linux/amd64 golang:1.23 AS build\nFROM alpine:3.20\n",
            "from --platform=\"linux/arm64/v8\" alpine:3.20\n",
        ],
        quiet: [
            "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM alpine:3.20\n",
            "ARG PLATFORM=linux/amd64\nFROM --platform=${PLATFORM} alpine:3.20\n",
            "FROM alpine:3.20\n",
        ],
    }
}

impl Check for FromPlatformHardcoded {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if !matches!(ins.kind, Kind::From(_)) {
                continue;
            }
            let Some(flag) = ins.flag("platform") else {
                continue;
            };
            let Some(value) = flag.value.as_deref() else {
                continue;
            };
            if value.contains('$') || value.is_empty() {
                continue;
            }
            out.push(cx.hit_at(
                i,
                flag.range,
                format!(
                    "`--platform={value}` pins this stage to {value}; builds for other platforms get it emulated or wrong"
                ),
            ));
        }
    }
}
