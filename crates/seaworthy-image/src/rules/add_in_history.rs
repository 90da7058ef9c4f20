use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags build steps made by ADD. The first step of an image that adds its root filesystem
    /// from a tarball (`ADD file:… in /`, how base images start) is not flagged.
    ///
    /// ## Why
    /// ADD fetches URLs and unpacks archives implicitly: what ends up in the image depends on the
    /// source's type, and remote content is not verified. COPY does only what it says.
    ///
    /// ## Fix
    /// Use `COPY` for local files; fetch remote files with a checksum (`ADD --checksum=…` or
    /// `curl` plus `sha256sum -c`) and unpack explicitly.
    AddInHistory {
        id: "SW-IMG-005",
        name: "image-add-used",
        title: "Image built with ADD",
        area: Image,
        group: "trust",
        severity: Low,
        remediation: "Use COPY instead of ADD for local files; download remote files with a verified checksum.",
        refs: [Dockle("CIS-DI-0009"), Cis("4.9"), Hadolint("DL3020")],
        fire: [
            "step /bin/sh -c #(nop) ADD file:0a1b in /\nstep /bin/sh -c #(nop) ADD dir:9f8e in /app\n",
            "step ADD https://example.com/tool.tgz /opt/ # buildkit\n",
        ],
        quiet: [
            "step /bin/sh -c #(nop) ADD file:0a1b in /\nstep /bin/sh -c #(nop) COPY dir:9f8e in /app\n",
            "step COPY app /app # buildkit\n",
        ],
    }
}

impl Check for AddInHistory {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for i in 0..image.history().len() {
            let Some(command) = image.command(i) else {
                continue;
            };
            if !command.starts_with("ADD ") {
                continue;
            }
            let rootfs = command.starts_with("ADD file:") && command.ends_with(" in /");
            if i == 0 && rootfs {
                continue;
            }
            out.push(Hit {
                message: "a build step used ADD".into(),
                step: Some(i),
                evidence: Some(command),
                ..Hit::default()
            });
        }
    }
}
