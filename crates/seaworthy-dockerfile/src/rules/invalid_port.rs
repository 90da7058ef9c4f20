use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::sensitive_port::exposed;

seaworthy_core::declare_rule! {
    /// Flags EXPOSE values that are not a port: numbers outside 0–65535, words that are not
    /// numbers after variable expansion, reversed ranges, unknown protocols, and
    /// `host:container` mappings (which EXPOSE does not take).
    ///
    /// ## Why
    /// The build fails on some of them, and the others are silently dropped or misread, so the
    /// image does not document (or `-P` does not publish) what the author meant.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// EXPOSE 80800 8080:80
    /// # good
    /// EXPOSE 8080
    /// ```
    InvalidPort {
        id: "SW-DF-051",
        name: "invalid-exposed-port",
        title: "EXPOSE of an invalid port",
        area: Dockerfile,
        group: "expose",
        severity: High,
        remediation: "EXPOSE container port numbers between 0 and 65535, optionally with /tcp, /udp or /sctp.",
        refs: [Hadolint("DL3011"), Trivy("DS-0008")],
        fire: [
            "FROM nginx:1.27\nEXPOSE 80 80800\n",
            "FROM nginx:1.27\nENV PORT=http\nEXPOSE $PORT 8080:80 443/tpc\n",
        ],
        quiet: [
            "FROM nginx:1.27\nEXPOSE 0 65535/udp 8000-8010\n",
            "FROM nginx:1.27\nARG PORT\nEXPOSE ${PORT}\n",
        ],
    }
}

impl Check for InvalidPort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for e in exposed(cx) {
            if let Err(why) = &e.spec {
                out.push(cx.hit_at(
                    e.instr,
                    e.word.range,
                    format!("EXPOSE {}: {why}", e.shown()),
                ));
            }
        }
    }
}
