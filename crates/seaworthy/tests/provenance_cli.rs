//! `seaworthy image --dockerfile` end to end: the test imports a base image (a rootfs it writes:
//! the real bookworm dpkg status and a static busybox as shell), builds a Dockerfile on it with
//! the real daemon (classic builder), saves the image and scans it. Every finding must name the
//! Dockerfile line that brought it in (a secret file deleted by a later RUN included: its layer
//! still holds it); `--ignore-base` drops what the base image brought.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../seaworthy-oci/tests/support/daemon_util.rs"]
mod daemon_util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use daemon_util::{
    TarEntryKind, docker, docker_import, docker_ready, file, layer_tar, symlink, unique_name,
};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");
/// A static shell for RUN in the test image (Debian package `busybox-static`, installed by .ci/run).
const BUSYBOX: &str = "/bin/busybox";
const TOKEN: &str = "ghp_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u";
/// A Python package the RUN with the token installs, so its vulnerability's layer is that RUN.
const PY: &str = "/usr/lib/python3/dist-packages/py-1.11.0.dist-info";

fn vulndb_testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata")
        .join(rel)
}

fn run(args: &[&str], home: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .current_dir(home);
    cmd.output().expect("run seaworthy")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The findings with this rule id.
fn findings<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

#[test]
fn findings_name_their_dockerfile_lines() {
    let test = "findings_name_their_dockerfile_lines";
    if !docker_ready(test) {
        return;
    }
    let busybox = std::fs::read(BUSYBOX).unwrap_or_else(|e| {
        panic!("{test}: {BUSYBOX}: {e} (install the Debian package busybox-static)")
    });
    let rootfs = layer_tar(&[
        ("bin", TarEntryKind::Dir),
        ("bin/busybox", TarEntryKind::Exe(busybox)),
        ("bin/sh", symlink("busybox")),
        ("bin/mkdir", symlink("busybox")),
        ("bin/rm", symlink("busybox")),
        ("etc", TarEntryKind::Dir),
        (
            "etc/os-release",
            file(&std::fs::read(vulndb_testdata("bookworm/os-release")).unwrap()),
        ),
        ("var", TarEntryKind::Dir),
        ("var/lib", TarEntryKind::Dir),
        ("var/lib/dpkg", TarEntryKind::Dir),
        (
            "var/lib/dpkg/status",
            file(&std::fs::read(vulndb_testdata("bookworm/status")).unwrap()),
        ),
    ]);
    let base_name = unique_name("prov-cli-base");
    let _base = docker_import(&rootfs, &base_name);

    let home = tempfile::tempdir().unwrap();
    let ctx = home.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    let dockerfile = format!(
        "FROM {base_name}\n\
         LABEL org.opencontainers.image.title=\"e2e\"\n\
         RUN mkdir -p /app {PY} && echo \"GITHUB_TOKEN={TOKEN}\" > /app/.env && \
         printf \"Metadata-Version: 2.1\\nName: py\\nVersion: 1.11.0\\n\" > {PY}/METADATA\n\
         RUN rm /app/.env\n\
         COPY settings.conf /app/settings.conf\n\
         USER root\n\
         CMD [\"/bin/sh\"]\n"
    );
    std::fs::write(ctx.join("Dockerfile"), &dockerfile).unwrap();
    std::fs::write(ctx.join("settings.conf"), "mode=test\n").unwrap();
    let app = daemon_util::DaemonImage {
        name: unique_name("prov-cli-app"),
    };
    let built = Command::new("docker")
        .args(["build", "-q", "-t", &app.name, ctx.to_str().unwrap()])
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "docker build: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let archive = home.path().join("app.tar");
    docker(&["save", "-o", archive.to_str().unwrap(), &app.name]);

    let db = home.path().join("vuln.db");
    let out = run(
        &[
            "db",
            "import",
            vulndb_testdata("debian/excerpts/CVE.list")
                .to_str()
                .unwrap(),
            vulndb_testdata("osv/PYSEC-2022-42969.json")
                .to_str()
                .unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let df_path = ctx.join("Dockerfile");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "image",
            archive.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--dockerfile",
            df_path.to_str().unwrap(),
            "-f",
            "json",
        ];
        args.extend_from_slice(extra);
        run(&args, home.path())
    };
    let out = scan(&[]);
    // The token (critical/high) and the root user (high) fail the default gate.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(TOKEN), "the token is printed in full");

    let line_of = |f: &Value| f["origin"]["dockerfile"]["line"].as_u64();
    let file_secret = findings(&doc, "SW-IMG-020");
    assert_eq!(file_secret.len(), 1, "{doc:#}");
    assert_eq!(file_secret[0]["location"]["path"], "app/.env");
    assert_eq!(line_of(file_secret[0]), Some(3), "{doc:#}");
    assert_eq!(file_secret[0]["origin"]["dockerfile"]["instruction"], "RUN");
    // Line 4 deletes the file; the layer of line 3 still holds it.
    let message = file_secret[0]["message"].as_str().unwrap();
    assert!(
        message.contains("a later layer removed or replaced the file"),
        "{message}"
    );
    let history_secret = findings(&doc, "SW-IMG-022");
    assert!(!history_secret.is_empty(), "{doc:#}");
    assert!(
        history_secret.iter().all(|f| line_of(f) == Some(3)),
        "{doc:#}"
    );
    let root = findings(&doc, "SW-IMG-001");
    assert_eq!(root.len(), 1);
    assert_eq!(line_of(root[0]), Some(6), "{doc:#}");

    // zlib1g came with the base image: its match names the FROM line and the base image.
    let zlib = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["package"]["name"] == "zlib1g")
        .unwrap_or_else(|| panic!("no zlib1g match: {doc:#}"));
    assert_eq!(zlib["origin"]["dockerfile"]["line"], 1, "{zlib:#}");
    assert_eq!(zlib["origin"]["dockerfile"]["instruction"], "FROM");
    assert_eq!(
        zlib["origin"]["dockerfile"]["base_image"],
        base_name.as_str()
    );

    // py came with the RUN at line 3, whose recorded command holds the token: masked.
    let py = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["package"]["name"] == "py")
        .unwrap_or_else(|| panic!("no py match: {:#}", doc["matches"]));
    assert_eq!(py["origin"]["dockerfile"]["line"], 3, "{py:#}");
    let created_by = py["package"]["layer"]["created_by"].as_str().unwrap();
    assert!(created_by.contains("GITHUB_TOKEN=ghp_"), "{created_by}");
    assert!(!created_by.contains(TOKEN), "{created_by}");

    // --ignore-base drops the base image's vulnerabilities and says how many.
    let out = scan(&["--ignore-base"]);
    let doc = json(&out);
    assert!(
        doc["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["package"]["name"] != "zlib1g"),
        "{doc:#}"
    );
    assert!(
        doc["summary"]["ignored_base"].as_u64().unwrap() >= 1,
        "{doc:#}"
    );
    assert_eq!(findings(&doc, "SW-IMG-020").len(), 1);

    // The table names the line too.
    let out = run(
        &[
            "image",
            archive.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--dockerfile",
            df_path.to_str().unwrap(),
        ],
        home.path(),
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!("from: {}:3 RUN", df_path.display())),
        "{table}"
    );
    assert!(!table.contains(TOKEN));
    for format in ["sarif", "cyclonedx"] {
        let out = scan(&["-f", format]);
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(TOKEN),
            "{format}"
        );
    }
}
