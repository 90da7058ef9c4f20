use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Notes the shells and package managers of an image that is meant to be minimal: one the
    /// configuration marks so (`[image] minimal = true`), or one whose base is labelled distroless
    /// (`org.opencontainers.image.base.name`).
    ///
    /// ## Why
    /// A shell and a package manager are what an intruder needs first: to run commands and to
    /// install tools. Minimal images leave both out; finding them means the image is not what it
    /// claims to be.
    ///
    /// ## Fix
    /// Build the final stage from a distroless or `scratch` base and copy only the application in.
    MinimalWithTools {
        id: "SW-IMG-014",
        name: "minimal-image-with-tools",
        title: "Minimal image ships a shell or package manager",
        area: Image,
        group: "run",
        severity: Info,
        remediation: "Use a distroless or scratch final stage and copy only the application into it.",
        refs: [],
        fire: [
            "config {\"Labels\": {\"org.opencontainers.image.base.name\": \"gcr.io/distroless/static\"}}\nfile bin/sh 755 ELF\nfile usr/bin/apt 755 ELF\n",
        ],
        quiet: [
            "file bin/sh 755 ELF\nfile usr/bin/apt 755 ELF\n",
            "config {\"Labels\": {\"org.opencontainers.image.base.name\": \"gcr.io/distroless/static\"}}\nfile app 755 ELF\n",
        ],
    }
}

const TOOLS: &[(&str, &str)] = &[
    ("bin/sh", "a shell"),
    ("bin/bash", "a shell"),
    ("bin/busybox", "busybox"),
    ("usr/bin/apt", "the apt package manager"),
    ("usr/bin/dpkg", "the dpkg package manager"),
    ("sbin/apk", "the apk package manager"),
    ("usr/bin/yum", "the yum package manager"),
    ("usr/bin/dnf", "the dnf package manager"),
    ("usr/bin/microdnf", "the microdnf package manager"),
    ("usr/bin/rpm", "the rpm package manager"),
];

impl Check for MinimalWithTools {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let labelled = image
            .run
            .labels
            .get("org.opencontainers.image.base.name")
            .is_some_and(|b| b.contains("distroless"));
        if !image.settings.minimal && !labelled {
            return;
        }
        for (path, what) in TOOLS {
            let Ok(real) = image.fs.resolve(path) else {
                continue;
            };
            if let Some(node) = image.fs.node(&real) {
                out.push(Hit {
                    message: format!("the minimal image ships {what} (/{path})"),
                    path: Some(path.to_string()),
                    layer: Some(node.layer),
                    ..Hit::default()
                });
            }
        }
    }
}
