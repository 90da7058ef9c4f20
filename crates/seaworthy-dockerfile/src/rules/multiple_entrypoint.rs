use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::multiple_cmd::repeated_in_stage;

seaworthy_core::declare_rule! {
    /// Flags a second (third, …) ENTRYPOINT in the same stage.
    ///
    /// ## Why
    /// Only the last ENTRYPOINT of a stage takes effect, so the process the container runs is not
    /// the one most readers see first. A wrapper meant to drop privileges or set up the
    /// environment (`gosu`, `tini`, an init script) can silently be replaced.
    ///
    /// ## Fix
    /// Keep one ENTRYPOINT per stage; chain wrappers inside it.
    ///
    /// ```dockerfile
    /// # bad
    /// ENTRYPOINT ["/sbin/tini", "--"]
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// # good
    /// ENTRYPOINT ["/sbin/tini", "--", "/docker-entrypoint.sh"]
    /// ```
    MultipleEntrypoint {
        id: "SW-DF-072",
        name: "multiple-entrypoint",
        title: "More than one ENTRYPOINT in a stage",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Keep a single ENTRYPOINT per stage and chain wrappers inside it.",
        refs: [
            Hadolint("DL4004"),
            Trivy("DS-0007"),
            BuildKit("MultipleInstructionsDisallowed"),
        ],
        fire: [
            "FROM alpine:3.20\nENTRYPOINT [\"/sbin/tini\", \"--\"]\nENTRYPOINT [\"/docker-entrypoint.sh\"]\n",
            "FROM golang:1.23 AS build\nFROM alpine:3.20\nentrypoint /a.sh\nUSER app\nENTRYPOINT [\"/b.sh\"]\n",
        ],
        quiet: [
            "FROM alpine:3.20 AS base\nENTRYPOINT [\"/a.sh\"]\nFROM base\nENTRYPOINT [\"/b.sh\"]\n",
            "FROM alpine:3.20\nENTRYPOINT [\"/sbin/tini\", \"--\", \"/docker-entrypoint.sh\"]\nCMD [\"app\"]\n",
        ],
    }
}

impl Check for MultipleEntrypoint {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        repeated_in_stage(
            cx,
            out,
            "ENTRYPOINT",
            |k| matches!(k, Kind::Entrypoint(_)),
            "only this last one takes effect",
        );
    }
}
