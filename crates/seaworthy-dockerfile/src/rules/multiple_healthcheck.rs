use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::multiple_cmd::repeated_in_stage;

seaworthy_core::declare_rule! {
    /// Flags a second (third, …) HEALTHCHECK in the same stage (`HEALTHCHECK NONE` included).
    ///
    /// ## Why
    /// Only the last HEALTHCHECK of a stage takes effect. A probe written earlier is silently
    /// dropped, or a later `HEALTHCHECK NONE` disables the check everybody believes is there.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
    /// HEALTHCHECK NONE
    /// # good
    /// HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost/"]
    /// ```
    MultipleHealthcheck {
        id: "SW-DF-073",
        name: "multiple-healthcheck",
        title: "More than one HEALTHCHECK in a stage",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Keep a single HEALTHCHECK per stage.",
        refs: [
            Hadolint("DL3012"),
            Trivy("DS-0023"),
            BuildKit("MultipleInstructionsDisallowed"),
        ],
        fire: [
            "FROM nginx:1.27\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nHEALTHCHECK NONE\n",
            "FROM nginx:1.27\nhealthcheck --interval=5s CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
        ],
        quiet: [
            "FROM nginx:1.27 AS base\nHEALTHCHECK NONE\nFROM base\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
            "FROM nginx:1.27\nHEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
        ],
    }
}

impl Check for MultipleHealthcheck {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        repeated_in_stage(
            cx,
            out,
            "HEALTHCHECK",
            |k| matches!(k, Kind::Healthcheck(_)),
            "only this last one takes effect",
        );
    }
}
