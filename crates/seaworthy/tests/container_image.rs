//! The seaworthy container image: the repository's `Dockerfile` passes seaworthy's own rules, and
//! the image `scripts/build-image.sh` assembles offline (the same runtime layout, loaded with
//! `docker import`; nothing is pulled) runs the README's container-mode commands: `host --root
//! /host` against this machine, `dockerfile` and `image` on mounted files. The image is built from
//! this test's own binary under a tag unique to the run and removed on drop, even on failure.
//! Without a daemon the Docker test returns early, unless SEAWORTHY_REQUIRE_DOCKER=1 (then it
//! fails).
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

#[path = "../../seaworthy-oci/tests/support/daemon_util.rs"]
mod daemon_util;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use daemon_util::{DaemonImage, TarEntryKind, docker, docker_archive, docker_ready, file};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

/// The user every image of seaworthy runs as (distroless `nonroot`).
const USER: &str = "65532:65532";
const ENTRYPOINT: &str = "/usr/local/bin/seaworthy";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            text(&o.stdout),
            text(&o.stderr)
        )
    })
}

fn rule_ids(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The test's binary on this machine, without the caller's SEAWORTHY_* settings.
fn native(args: &[&str], home: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .output()
        .expect("run seaworthy")
}

/// `docker run --rm [docker_args] IMAGE [args]`, whatever its exit code.
fn docker_run(docker_args: &[&str], image: &str, args: &[&str]) -> Output {
    let out = Command::new("docker")
        .arg("run")
        .arg("--rm")
        .args(docker_args)
        .arg(image)
        .args(args)
        .output()
        .expect("docker run");
    let err = text(&out.stderr);
    // 125-127: docker itself failed (bad flag, no such entrypoint), not seaworthy.
    assert!(
        !matches!(code(&out), 125..=127),
        "docker run {docker_args:?} {image} {args:?}: {err}"
    );
    out
}

/// The final stage's USER, WORKDIR, ENTRYPOINT and OCI labels as the Dockerfile writes them
/// (continuation lines joined, `key="value"` pairs of LABEL).
fn dockerfile_final_stage() -> (String, String, String, Vec<(String, String)>) {
    let src = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let joined = src.replace("\\\n", " ");
    let lines: Vec<&str> = joined.lines().collect();
    let last_from = lines
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .expect("a FROM");
    let (mut user, mut workdir, mut entrypoint) = (String::new(), String::new(), String::new());
    let mut labels = Vec::new();
    for line in &lines[last_from..] {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("USER ") {
            user = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("WORKDIR ") {
            workdir = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("ENTRYPOINT ") {
            entrypoint = v.trim().to_string();
        } else if let Some(mut rest) = line.strip_prefix("LABEL ") {
            while let Some((key, after)) = rest.trim_start().split_once("=\"") {
                let (value, tail) = after.split_once('"').expect("closing quote");
                labels.push((key.trim().to_string(), value.to_string()));
                rest = tail;
            }
        }
    }
    (user, workdir, entrypoint, labels)
}

/// The repository's Dockerfile passes seaworthy's own rules at the default gate; the only
/// finding it may have is SW-DF-003 (info: bases pinned by tag, since the digests cannot be
/// resolved where the file is written).
#[test]
fn the_repository_dockerfile_passes_its_own_rules() {
    let home = tempfile::tempdir().unwrap();
    let dockerfile = repo().join("Dockerfile");
    let path = dockerfile.to_str().unwrap();
    let out = native(&["dockerfile", path, "--format", "json"], home.path());
    assert_eq!(
        code(&out),
        0,
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["passed"], true);
    let unexpected: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] != "SW-DF-003")
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    // Even the strictest gate passes but for the unpinned digests (info).
    let out = native(&["dockerfile", path, "--fail-on", "low"], home.path());
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));

    let (user, workdir, entrypoint, labels) = dockerfile_final_stage();
    assert_eq!(user, USER);
    assert_eq!(workdir, "/work");
    assert_eq!(entrypoint, format!("[\"{ENTRYPOINT}\"]"));
    assert!(
        labels
            .iter()
            .any(|(k, _)| k == "org.opencontainers.image.source"),
        "{labels:?}"
    );
}

/// The image, built with the script from this test's binary; removed when dropped.
fn build_image() -> DaemonImage {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let image = DaemonImage {
        name: format!(
            "seaworthy-test-container-image-{}-{nanos}:dev",
            std::process::id()
        ),
    };
    let out = Command::new(repo().join("scripts/build-image.sh"))
        .args(["--binary", BIN, "--tag", &image.name])
        .output()
        .expect("run scripts/build-image.sh");
    assert!(
        out.status.success(),
        "scripts/build-image.sh: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    image
}

/// The group of the daemon's socket when the daemon is this machine's default socket.
fn local_socket_gid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    let remote = std::env::var("DOCKER_HOST")
        .is_ok_and(|h| !h.is_empty() && h != "unix:///var/run/docker.sock");
    if remote {
        return None;
    }
    std::fs::metadata("/var/run/docker.sock")
        .ok()
        .map(|m| m.gid())
}

/// A directory the image's user (65532) can read: a tempdir is 0700 and owned by whoever runs
/// the test.
fn shared_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn write_readable(path: &Path, data: &[u8]) {
    std::fs::write(path, data).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn vulndb_testdata(rel: &str) -> Vec<u8> {
    std::fs::read(repo().join("crates/seaworthy-vulndb/testdata").join(rel)).unwrap()
}

#[test]
fn the_image_runs_the_readme_container_commands() {
    if !docker_ready("the_image_runs_the_readme_container_commands") {
        return;
    }
    let started = Instant::now();
    let image = build_image();
    let img = image.name.as_str();
    eprintln!("build-image.sh: {:.1?}", started.elapsed());

    // What the image is: non-root, seaworthy as the entrypoint, the Dockerfile's config.
    let config: Value = serde_json::from_str(&docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config}}",
        img,
    ]))
    .unwrap();
    assert_eq!(config["User"], USER, "{config:#}");
    let uid = USER.split(':').next().unwrap();
    assert!(!matches!(uid, "" | "0" | "root"), "runs as non-root");
    assert_eq!(config["Entrypoint"], serde_json::json!([ENTRYPOINT]));
    let (user, workdir, _, labels) = dockerfile_final_stage();
    assert_eq!(config["User"], user.as_str(), "script and Dockerfile agree");
    assert_eq!(config["WorkingDir"], workdir.as_str());
    for (k, v) in &labels {
        assert_eq!(config["Labels"][k], v.as_str(), "label {k}");
    }
    let version = docker_run(&[], img, &["--version"]);
    assert_eq!(code(&version), 0, "{}", text(&version.stderr));
    assert!(text(&version.stdout).contains("seaworthy"));

    // (a) Container mode of `seaworthy host`: reports, does not gate.
    let t = Instant::now();
    let host_args = [
        "--pid",
        "host",
        "--net",
        "host",
        "-v",
        "/:/host:ro",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock:ro",
    ];
    let out = docker_run(
        &host_args,
        img,
        &["host", "--root", "/host", "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let report = json(&out);
    let results = report["results"].as_array().expect("results");
    let ids: BTreeSet<&str> = results
        .iter()
        .map(|r| r["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), results.len(), "each check once");
    assert!(ids.iter().all(|id| id.starts_with("SW-HOST-")), "{ids:?}");
    // Every check the binary runs natively (level 1) runs in container mode too.
    let home = tempfile::tempdir().unwrap();
    let native_report = json(&native(
        &["host", "--no-daemon", "--no-packages", "--format", "json"],
        home.path(),
    ));
    let native_ids: BTreeSet<&str> = native_report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, native_ids);
    for cis in ["SW-HOST-1.1.1", "SW-HOST-2.2", "SW-HOST-3.1", "SW-HOST-7.1"] {
        assert!(ids.contains(cis), "{cis} missing: {ids:?}");
    }
    // With --root the partition check is decided on the host's mounts (not "not applicable"
    // as it is inside a container without --root).
    let partition = results
        .iter()
        .find(|r| r["rule_id"] == "SW-HOST-1.1.1")
        .unwrap();
    assert!(
        matches!(partition["status"].as_str(), Some("pass" | "warn")),
        "{partition:#}"
    );
    // The table form the README shows.
    let out = docker_run(&host_args, img, &["host", "--root", "/host"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains("1.1.1") && table.contains("Ensure a separate partition"),
        "{table}"
    );
    // The image's user reaches the daemon through the socket's group (`--group-add`), as the
    // README says; without it the daemon checks are info "daemon not reachable".
    if let Some(gid) = local_socket_gid() {
        let gid = gid.to_string();
        let mut args = host_args.to_vec();
        args.extend(["--group-add", &gid]);
        let out = docker_run(&args, img, &["host", "--root", "/host", "--format", "json"]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let report = json(&out);
        let server = docker(&["version", "--format", "{{.Server.Version}}"]);
        let reached = format!("daemon: Docker Engine {}", server.trim());
        assert!(
            report["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().starts_with(&reached)),
            "{reached}: {:#}",
            report["notes"]
        );
        let swarm = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == "SW-HOST-7.1")
            .unwrap();
        assert!(
            !swarm["message"]
                .as_str()
                .unwrap_or("")
                .contains("not reachable"),
            "{swarm:#}"
        );
    }
    eprintln!("host (container mode): {:.1?}", t.elapsed());

    // (b) `dockerfile` on a mounted directory: the same findings and exit code as natively.
    let t = Instant::now();
    let dir = shared_dir();
    write_readable(
        &dir.path().join("Dockerfile"),
        b"FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n    && curl -fsSL https://example.com/install.sh | sh\nCMD [\"curl\"]\n",
    );
    let mount = format!("{}:/in:ro", dir.path().display());
    let out = docker_run(
        &["-v", &mount],
        img,
        &["dockerfile", "/in", "--format", "json"],
    );
    let in_container = rule_ids(&json(&out));
    let native_out = native(
        &[
            "dockerfile",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(in_container.contains("SW-DF-030"), "{in_container:?}");
    assert_eq!(in_container, rule_ids(&json(&native_out)));
    assert_eq!(code(&out), code(&native_out), "{}", text(&out.stderr));
    assert_eq!(code(&out), 1, "curl | sh (high) fails the default gate");
    let out = docker_run(
        &["-v", &mount],
        img,
        &["dockerfile", "/in/Dockerfile", "--fail-on", "critical"],
    );
    assert_eq!(code(&out), 0, "nothing critical: {}", text(&out.stderr));
    eprintln!("dockerfile (mounted): {:.1?}", t.elapsed());

    // (c) `sbom` and `image` of a docker-archive on a mounted path, with a vulnerability
    // database imported natively and mounted read-only.
    let t = Instant::now();
    let archive = docker_archive(
        &[
            vec![
                ("etc/", TarEntryKind::Dir),
                (
                    "etc/os-release",
                    file(&vulndb_testdata("bookworm/os-release")),
                ),
                ("var/", TarEntryKind::Dir),
                ("var/lib/", TarEntryKind::Dir),
                ("var/lib/dpkg/", TarEntryKind::Dir),
                (
                    "var/lib/dpkg/status",
                    file(&vulndb_testdata("bookworm/status")),
                ),
            ],
            vec![(
                "usr/lib/python3/dist-packages/py-1.11.0.dist-info/METADATA",
                file(b"Metadata-Version: 2.1\nName: py\nVersion: 1.11.0\n"),
            )],
        ],
        "app:1.0",
    );
    write_readable(&dir.path().join("app.tar"), &archive);
    let db = dir.path().join("vuln.db");
    let cve = repo().join("crates/seaworthy-vulndb/testdata/debian/excerpts/CVE.list");
    let py = repo().join("crates/seaworthy-vulndb/testdata/osv/PYSEC-2022-42969.json");
    let imported = native(
        &[
            "db",
            "import",
            cve.to_str().unwrap(),
            py.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code(&imported), 0, "{}", text(&imported.stderr));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();

    let out = docker_run(
        &["-v", &mount],
        img,
        &["sbom", "/in/app.tar", "--format", "json"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let sbom = json(&out);
    let names: BTreeSet<&str> = sbom["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("py") && names.contains("zlib1g"),
        "{names:?}"
    );

    let out = docker_run(
        &["-v", &mount],
        img,
        &[
            "image",
            "/in/app.tar",
            "--db",
            "/in/vuln.db",
            "--format",
            "json",
        ],
    );
    let doc = json(&out);
    // The archive's image runs as root (SW-IMG-001, high): the default gate fails it.
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(rule_ids(&doc).contains("SW-IMG-001"), "{doc:#}");
    let matched: BTreeSet<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        matched,
        BTreeSet::from(["CVE-2022-42969", "CVE-2026-27171"]),
        "{doc:#}"
    );
    let archive_path = dir.path().join("app.tar");
    let native_out = native(
        &[
            "image",
            archive_path.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), code(&native_out));
    assert_eq!(rule_ids(&doc), rule_ids(&json(&native_out)));
    eprintln!("sbom and image (mounted archive): {:.1?}", t.elapsed());
    eprintln!("container image test: {:.1?}", started.elapsed());
}
