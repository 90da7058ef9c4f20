use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::ContainerSpec;

seaworthy_core::declare_rule! {
    /// Flags running containers with an SSH daemon (`sshd`) among their processes. Needs the
    /// process list of a running container; not applicable to compose files and command lines.
    ///
    /// ## Why
    /// An SSH server is a second way in with its own keys, users and patches to manage;
    /// `docker exec` already gives operators a shell.
    ///
    /// ## Fix
    /// Remove the SSH server from the image and the command; use `docker exec`.
    ///
    /// ## Example
    /// Bad: `docker run -d -p 2222:22 image-with-sshd /usr/sbin/sshd -D`; compose
    /// `services: {app: {command: ["/usr/sbin/sshd", "-D"]}}`.
    /// Good: `docker run -d app` and `docker exec -it <container> sh` for maintenance; compose
    /// `services: {app: {image: app}}`.
    Sshd {
        id: "SW-CTR-5.7",
        name: "container-sshd",
        title: "SSH daemon running inside the container",
        area: Container,
        group: "runtime",
        severity: High,
        remediation: "Stop running sshd in the container: remove it from the image and from the `docker run` command (compose `command`/`entrypoint`); use `docker exec` for access.",
        refs: [Cis("5.7")],
        fire: [
            "@ps /usr/sbin/sshd -D\n@ps nginx: master process\ndocker run alpine",
            "@ps sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\ndocker run alpine",
        ],
        quiet: [
            "@ps nginx: master process\ndocker run alpine",
            "docker run alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "top",
                compose: "command",
                flag: "COMMAND",
            },
        },
    }
}

/// A process whose program is sshd (`/usr/sbin/sshd -D`, `sshd: …` as OpenSSH renames itself).
fn is_sshd(cmdline: &str) -> bool {
    let program = cmdline.split_whitespace().next().unwrap_or_default();
    let program = program.trim_end_matches(':');
    program.rsplit('/').next() == Some("sshd")
}

impl Check for Sshd {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let Some(processes) = &spec.processes else {
            return Verdict::not_applicable(
                "needs the processes of a running container (checked by `seaworthy container`)",
            );
        };
        match processes.iter().find(|p| is_sshd(p)) {
            Some(p) => Verdict::warn("sshd runs inside the container")
                .field(&crate::spec::Field::named("top"), p.clone()),
            None => Verdict::pass(format!("no sshd among {} processes", processes.len())),
        }
    }
}
