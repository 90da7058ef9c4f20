use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::sensitive_port::exposed;

seaworthy_core::declare_rule! {
    /// Flags EXPOSE of port 2375, the Docker Engine API without TLS (a range of up to 100 ports
    /// that includes it counts too).
    ///
    /// ## Why
    /// Whoever reaches an unauthenticated Docker API can start a privileged container that
    /// mounts the host's root filesystem: it is root on the host, over the network. Images that
    /// ship a daemon (Docker-in-Docker) should listen on the TLS port 2376 with client
    /// certificates, or on a socket.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// EXPOSE 2375
    /// # good
    /// ENV DOCKER_TLS_CERTDIR=/certs
    /// EXPOSE 2376
    /// ```
    DockerApiPort {
        id: "SW-DF-053",
        name: "docker-api-port-exposed",
        title: "Unencrypted Docker API port exposed",
        area: Dockerfile,
        group: "expose",
        severity: High,
        remediation: "Do not expose 2375; serve the Docker API with TLS client authentication on 2376, or over a socket.",
        refs: [],
        fire: [
            "FROM docker:27-dind\nEXPOSE 2375 2376\n",
            "FROM alpine:3.20\nENV DOCKER_PORT=2375\nEXPOSE ${DOCKER_PORT}/tcp\n",
        ],
        quiet: [
            "FROM docker:27-dind\nEXPOSE 2376\n",
            "FROM alpine:3.20\nEXPOSE 23750 2000-3000\n",
        ],
    }
}

impl Check for DockerApiPort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for e in exposed(cx) {
            let Ok(spec) = &e.spec else { continue };
            if spec.width() <= 100 && (spec.lo..=spec.hi).contains(&2375) {
                out.push(cx.hit_at(
                    e.instr,
                    e.word.range,
                    format!(
                        "EXPOSE {} publishes the Docker API without TLS: host root for anyone \
                         who reaches it",
                        e.shown()
                    ),
                ));
            }
        }
    }
}
