use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::sensitive_volume::volumes;

seaworthy_core::declare_rule! {
    /// Flags VOLUME on a container-engine socket: `/var/run/docker.sock`, `/run/docker.sock`,
    /// containerd, CRI-O and Podman sockets, wherever they are declared.
    ///
    /// ## Why
    /// The VOLUME says "mount the engine socket here", and whoever can talk to the Docker (or
    /// containerd) socket can start a privileged container with the host's root filesystem: the
    /// container becomes root on the host. Images should not ask for it.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// VOLUME /var/run/docker.sock
    /// # good
    /// # talk to a remote builder or a socket proxy with a restricted API instead
    /// ENV DOCKER_HOST=tcp://docker-proxy:2375
    /// ```
    DockerSocketVolume {
        id: "SW-DF-056",
        name: "docker-socket-volume",
        title: "VOLUME on the Docker socket",
        area: Dockerfile,
        group: "volume",
        severity: Critical,
        remediation: "Remove the socket VOLUME; give the container a restricted API (socket proxy, remote builder) instead of the engine socket.",
        refs: [Dockle("DKL-DI-0002")],
        fire: [
            "FROM docker:27-cli\nVOLUME /var/run/docker.sock\n",
            "FROM alpine:3.20\nARG SOCK=/run/containerd/containerd.sock\nVOLUME [\"/data\", \"${SOCK}\"]\n",
        ],
        quiet: [
            "FROM docker:27-dind\nVOLUME /var/lib/docker\n",
            "FROM alpine:3.20\nVOLUME /var/run/app\n",
        ],
    }
}

const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "buildkitd.sock",
];

impl Check for DockerSocketVolume {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for v in volumes(cx) {
            let name = v.path.rsplit('/').next().unwrap_or_default();
            if SOCKETS.contains(&name) {
                out.push(cx.hit_at(
                    v.instr,
                    v.range,
                    format!(
                        "VOLUME `{}` asks for the container engine's socket: root on the host",
                        v.path
                    ),
                ));
            }
        }
    }
}
