use seaworthy_oci::EntryKind;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags world-writable files and directories in the directories of the image's `PATH`
    /// (`Env` of the config, Docker's default when unset), and world-writable `PATH` directories
    /// themselves.
    ///
    /// ## Why
    /// Any user in the container can replace a world-writable program — or drop a new one into a
    /// writable `PATH` directory — and have it run by root the next time a script calls it.
    ///
    /// ## Fix
    /// `chmod o-w` the files; install programs as root with mode 755.
    WorldWritablePath {
        id: "SW-IMG-012",
        name: "world-writable-in-path",
        title: "World-writable program or directory in PATH",
        area: Image,
        group: "user",
        severity: High,
        remediation: "Remove world-write permission (chmod o-w) from programs and PATH directories.",
        refs: [Cis("4.8")],
        fire: [
            "file usr/local/bin/tool 777 #!/bin/sh\n",
            "config {\"Env\": [\"PATH=/opt/bin:/usr/bin\"]}\ndir opt/bin 777\n",
        ],
        quiet: [
            "file usr/local/bin/tool 755 #!/bin/sh\ndir tmp 1777\nfile tmp/x 666 x\n",
            "link usr/bin/sh dash\n",
        ],
    }
}

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Check for WorldWritablePath {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let path_var = image.run.env_var("PATH").unwrap_or(DEFAULT_PATH);
        // `bin` and `usr/bin` are one directory on merged-/usr systems: judge each once.
        let mut dirs: Vec<(String, String)> = path_var
            .split(':')
            .map(|d| d.trim_matches('/').to_string())
            .filter(|d| !d.is_empty())
            .map(|d| (image.fs.resolve(&d).unwrap_or_else(|_| d.clone()), d))
            .collect();
        dirs.sort();
        dirs.dedup_by(|a, b| a.0 == b.0);
        for (real, dir) in &dirs {
            let real = real.clone();
            if let Some(node) = image.fs.node(&real)
                && node.kind == EntryKind::Dir
                && node.mode & 0o002 != 0
            {
                out.push(Hit {
                    message: format!(
                        "PATH directory /{dir} is world-writable (mode {:04o})",
                        node.mode & 0o7777
                    ),
                    path: Some(real.clone()),
                    layer: Some(node.layer),
                    ..Hit::default()
                });
            }
            for name in image.fs.children(&real) {
                let path = format!("{real}/{name}");
                let Some(node) = image.fs.node(&path) else {
                    continue;
                };
                if matches!(node.kind, EntryKind::File | EntryKind::Dir) && node.mode & 0o002 != 0 {
                    out.push(Hit {
                        message: format!(
                            "/{path} in PATH is world-writable (mode {:04o})",
                            node.mode & 0o7777
                        ),
                        path: Some(path),
                        layer: Some(node.layer),
                        ..Hit::default()
                    });
                }
            }
        }
    }
}
