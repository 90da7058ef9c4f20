use seaworthy_dockerfile::exposure;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags VOLUMEs of the image config that cover system directories (`/`, `/etc`, `/usr`, …),
    /// kernel interfaces (`/proc`, `/sys`, `/dev`) or the Docker socket.
    ///
    /// ## Why
    /// A volume over a system path invites mounting the host's path there, and anything the
    /// container writes there outlives it. The Docker socket is root on the host.
    ///
    /// ## Fix
    /// Declare volumes only for application data (`/var/lib/app`, `/data`).
    SensitiveVolume {
        id: "SW-IMG-007",
        name: "image-sensitive-volume",
        title: "Image declares a volume over a sensitive path",
        area: Image,
        group: "volume",
        severity: Medium,
        remediation: "Declare volumes only for application data directories.",
        refs: [Cis("5.5")],
        fire: [
            "config {\"Volumes\": {\"/etc\": {}}}\n",
            "config {\"Volumes\": {\"/var/run/docker.sock\": {}}}\n",
        ],
        quiet: [
            "config {\"Volumes\": {\"/var/lib/postgresql/data\": {}}}\n",
            "config {}\n",
        ],
    }
}

impl Check for SensitiveVolume {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for path in &image.run.volumes {
            let Some(why) = exposure::sensitive_volume(path) else {
                continue;
            };
            out.push(Hit {
                message: format!("the image declares a volume at {path}: {why}"),
                step: image.step_with("VOLUME", path),
                evidence: Some(path.clone()),
                ..Hit::default()
            });
        }
    }
}
