use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::sensitive_port::exposed;

seaworthy_core::declare_rule! {
    /// Flags EXPOSE of a range of more than 100 ports.
    ///
    /// ## Why
    /// `docker run -P` publishes every exposed port, so a wide range opens hundreds of host ports
    /// (each with a userland proxy and iptables rules) and usually exposes more than the service
    /// listens on, including ports other processes in the container may open later.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// EXPOSE 10000-20000/udp
    /// # good
    /// EXPOSE 10000-10099/udp
    /// ```
    WidePortRange {
        id: "SW-DF-052",
        name: "wide-port-range",
        title: "EXPOSE of a very wide port range",
        area: Dockerfile,
        group: "expose",
        severity: Low,
        remediation: "Expose only the ports the service listens on (keep ranges to what it is configured to use).",
        refs: [],
        fire: [
            "FROM alpine:3.20\nEXPOSE 8080 10000-20000/udp\n",
            "FROM alpine:3.20\nARG RTP=\"16384-32767\"\nEXPOSE $RTP\n",
        ],
        quiet: [
            "FROM alpine:3.20\nEXPOSE 10000-10099/udp\n",
            "FROM alpine:3.20\nEXPOSE 1-65536\n",
        ],
    }
}

impl Check for WidePortRange {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for e in exposed(cx) {
            let Ok(spec) = &e.spec else { continue };
            if spec.width() > 100 {
                out.push(cx.hit_at(
                    e.instr,
                    e.word.range,
                    format!("EXPOSE {} opens {} ports", e.shown(), spec.width()),
                ));
            }
        }
    }
}
