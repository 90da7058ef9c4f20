use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags the MAINTAINER instruction.
    ///
    /// ## Why
    /// MAINTAINER is deprecated since Docker 1.13; the author belongs in a label, where image
    /// tooling (registries, SBOM generators, `docker inspect`) finds it.
    ///
    /// ## Fix
    /// Replace it with the OCI label `org.opencontainers.image.authors`.
    ///
    /// ```dockerfile
    /// # bad
    /// MAINTAINER Jane <jane@example.com>
    /// # good
    /// LABEL org.opencontainers.image.authors="Jane <jane@example.com>"
    /// ```
    MaintainerDeprecated {
        id: "SW-DF-070",
        name: "maintainer-deprecated",
        title: "MAINTAINER is deprecated",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Use LABEL org.opencontainers.image.authors=\"…\" instead of MAINTAINER.",
        refs: [Hadolint("DL4000"), Trivy("DS-0022"), BuildKit("MaintainerDeprecated")],
        fire: ["FROM alpine:3.20\nMAINTAINER jane@example.com\n"],
        quiet: ["FROM alpine:3.20\nLABEL org.opencontainers.image.authors=jane@example.com\n"],
    }
}

impl Check for MaintainerDeprecated {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            if matches!(ins.kind, Kind::Maintainer(_)) {
                out.push(cx.hit(i, "MAINTAINER is deprecated; use an OCI authors label"));
            }
        }
    }
}
