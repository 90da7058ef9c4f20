//! A fixture repository for `seaworthy assess` on the real daemon: a base image imported from a
//! rootfs written here (Debian's busybox-static, the real bookworm dpkg status and os-release
//! from the vulndb fixtures), an app image `docker build` makes from the project's Dockerfile,
//! a compose file, a running container, and a vulnerability database from the recorded Debian
//! tracker excerpt. Images and containers are removed on drop.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::daemon_util::{
    DaemonImage, TarEntryKind, docker, docker_import, file, layer_tar, symlink, unique_name,
};

pub const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");
const BUSYBOX: &str = "/bin/busybox";

pub fn vulndb_testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata")
        .join(rel)
}

pub struct Project {
    pub dir: tempfile::TempDir,
    pub base: DaemonImage,
    pub app: DaemonImage,
    /// The label of the running container (`seaworthy.e2e=<value>`).
    pub label: String,
    container: String,
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", &self.container])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn base_rootfs() -> Vec<u8> {
    let busybox = std::fs::read(BUSYBOX)
        .unwrap_or_else(|e| panic!("{BUSYBOX}: {e} (install the Debian package busybox-static)"));
    let mut entries = vec![
        ("bin", TarEntryKind::Dir),
        ("bin/busybox", TarEntryKind::Exe(busybox)),
        ("etc", TarEntryKind::Dir),
        (
            "etc/os-release",
            file(&std::fs::read(vulndb_testdata("bookworm/os-release")).unwrap()),
        ),
        (
            "etc/passwd",
            file(b"root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n"),
        ),
        ("tmp", TarEntryKind::Dir),
        ("var", TarEntryKind::Dir),
        ("var/lib", TarEntryKind::Dir),
        ("var/lib/dpkg", TarEntryKind::Dir),
        (
            "var/lib/dpkg/status",
            file(&std::fs::read(vulndb_testdata("bookworm/status")).unwrap()),
        ),
    ];
    for applet in ["sh", "mkdir", "sleep", "echo"] {
        entries.push((
            Box::leak(format!("bin/{applet}").into_boxed_str()),
            symlink("busybox"),
        ));
    }
    layer_tar(&entries)
}

pub const WAIVER_EXPIRED: &str = "2026-01-31";
pub const WAIVER_RENEWED: &str = "2099-12-31";

impl Project {
    /// Builds the images, writes the repository, starts the container.
    pub fn new(test: &str) -> Project {
        let base = docker_import(&base_rootfs(), &unique_name(&format!("{test}-base")));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(
            p.join("Dockerfile"),
            format!(
                "FROM {base}\n\
                 RUN mkdir -p /app && echo ready > /app/ready\n\
                 COPY settings.conf /app/settings.conf\n\
                 EXPOSE 8080\n\
                 HEALTHCHECK CMD [\"/bin/sh\", \"-c\", \"echo ok\"]\n\
                 CMD [\"/bin/sleep\", \"600\"]\n",
                base = base.name
            ),
        )
        .unwrap();
        std::fs::write(p.join("settings.conf"), "mode=test\n").unwrap();
        let app = DaemonImage {
            name: unique_name(&format!("{test}-app")),
        };
        let built = Command::new("docker")
            .args(["build", "-q", "-t", &app.name, p.to_str().unwrap()])
            .env("DOCKER_BUILDKIT", "0")
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "docker build: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        std::fs::write(
            p.join("compose.yaml"),
            format!(
                "services:\n  api:\n    image: {}\n    privileged: true\n    read_only: true\n",
                app.name
            ),
        )
        .unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let label = format!("{test}-{}-{nanos}", std::process::id());
        let container = docker(&[
            "run",
            "-d",
            "--label",
            &format!("seaworthy.e2e={label}"),
            "--read-only",
            "--memory",
            "64m",
            "--pids-limit",
            "64",
            "--cpu-shares",
            "512",
            "--security-opt",
            "no-new-privileges",
            "--cap-drop",
            "ALL",
            &app.name,
        ]);
        let project = Project {
            dir,
            base,
            app,
            label,
            container: container.trim().to_string(),
        };
        project.import_db();
        project.write_config(WAIVER_EXPIRED);
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The recorded Debian tracker excerpt as `vuln.db` in the project.
    fn import_db(&self) {
        let cve = vulndb_testdata("debian/excerpts/CVE.list");
        let out = self.seaworthy(&["db", "import", cve.to_str().unwrap(), "--db", "vuln.db"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    /// seaworthy.toml naming every input, with one valid waiver and one that expires on
    /// `expires`.
    pub fn write_config(&self, expires: &str) {
        self.write_config_with(expires, "");
    }

    /// As `write_config`, with more lines in `[db]` (feed URLs).
    pub fn write_config_with(&self, expires: &str, db_lines: &str) {
        let text = format!(
            "fail-on = \"high\"\n\n\
             [db]\npath = \"vuln.db\"\n{db_lines}\n\
             [dockerfile]\npaths = [\"Dockerfile\"]\n\n\
             [image]\n\
             targets = [{{ ref = \"docker:{app}\", dockerfile = \"Dockerfile\" }}]\n\
             ignore-base = true\n\n\
             [container]\ncompose = [\"compose.yaml\"]\n\
             filters = [\"label=seaworthy.e2e={label}\"]\n\n\
             [host]\nenabled = true\npackages = false\n\n\
             [[waiver]]\n\
             id = \"SW-IMG-001\"\n\
             reason = \"the entrypoint drops to uid 10001 itself\"\n\
             expires = 2099-12-31\n\n\
             [[waiver]]\n\
             id = \"SW-CTR-5.{{2,5}}\"\n\
             path = \"compose.yaml\"\n\
             reason = \"the api service runs privileged (so unconfined) until the raw-socket rewrite lands\"\n\
             expires = {expires}\n",
            app = self.app.name,
            label = self.label,
        );
        std::fs::write(self.path().join("seaworthy.toml"), text).unwrap();
    }

    pub fn seaworthy(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_remove("NO_COLOR");
        for (k, _) in std::env::vars() {
            if k.starts_with("SEAWORTHY_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("HOME", self.path())
            .env("CI", "true")
            .current_dir(self.path());
        cmd.output().expect("run seaworthy")
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
