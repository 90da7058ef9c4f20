use seaworthy_oci::EntryKind;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Lists every regular file with the setuid or setgid bit, with the layer that wrote it.
    ///
    /// ## Why
    /// A setuid program runs with its owner's privileges whoever starts it: one bug in it lets a
    /// process escalate to root inside the container. Most containers need none of them (`su`,
    /// `passwd`, `mount`, `chsh` come with the base image's login tools).
    ///
    /// ## Fix
    /// Remove the bits in the final stage when the programs are not needed:
    /// `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, or run with
    /// `--security-opt no-new-privileges`.
    SetuidFiles {
        id: "SW-IMG-004",
        name: "setuid-setgid-files",
        title: "File with setuid or setgid bit",
        area: Image,
        group: "user",
        severity: Low,
        remediation: "Remove setuid/setgid bits that are not needed (chmod a-s) or run with no-new-privileges.",
        refs: [Dockle("CIS-DI-0008"), Cis("4.8")],
        fire: [
            "step ADD rootfs.tar /\nfile usr/bin/passwd 4755 ELF\n",
            "file usr/bin/wall 2755 ELF\n",
        ],
        quiet: [
            "file usr/bin/ls 755 ELF\n",
            "dir tmp 1777\n",
        ],
    }
}

impl Check for SetuidFiles {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for (path, node) in image.fs.nodes() {
            if node.kind != EntryKind::File || node.mode & 0o6000 == 0 {
                continue;
            }
            let bits = match (node.mode & 0o4000 != 0, node.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.push(Hit {
                message: format!("/{path} is {bits} (mode {:04o})", node.mode & 0o7777),
                path: Some(path.to_string()),
                layer: Some(node.layer),
                ..Hit::default()
            });
        }
    }
}
