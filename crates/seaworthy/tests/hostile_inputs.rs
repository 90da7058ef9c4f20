//! Hostile inputs end to end (issue 17): an OCI layout whose files link to a host file, FIFOs
//! where a file is read (layout files, a compose `.env`, a Dockerfile, a database), hostile
//! database files, skipped feed records, and the numbering of layers. Every input is built here;
//! every run has a time bound, so a regression to a blocking read fails instead of hanging.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image_util::{Blob, Layer, oci_layout, sha256};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");
const LIMIT: Duration = Duration::from_secs(5);

/// A "host file" of distinctive content and size, outside every input.
const SECRET_LEN: usize = 4099;
const SECRET_MARK: &str = "c2VjcmV0LWhvc3Q";
/// Text planted in a hostile database: never in any output.
const DB_MARK: &str = "HOSTILE_DB_MARK_51c2";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs seaworthy in `home` and kills it when it takes longer than [`LIMIT`] (failing the test).
fn run(home: &Path, args: &[&str]) -> Run {
    let out_path = home.join(".stdout");
    let err_path = home.join(".stderr");
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run seaworthy");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("seaworthy {args:?} did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn vulndb_testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata")
        .join(rel)
}

/// A database from the Debian CVE list excerpt, at `home/vuln.db`.
fn import_db(home: &Path) -> PathBuf {
    let db = home.join("vuln.db");
    let cve = vulndb_testdata("debian/excerpts/CVE.list");
    let out = run(
        home,
        &[
            "db",
            "import",
            cve.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    db
}

fn host_secret(dir: &Path) -> (PathBuf, Vec<u8>) {
    let mut data = format!("root:{SECRET_MARK}:19000:0:99999:7:::\n").into_bytes();
    data.resize(SECRET_LEN, b'#');
    let path = dir.join("host-shadow");
    std::fs::write(&path, &data).unwrap();
    (path, data)
}

/// Nothing of the host file in the output: content, hash, size or its path.
fn assert_reveals_nothing(out: &Run, host: &Path, data: &[u8]) {
    let all = out.all();
    let hash = sha256(data);
    let hex = hash.trim_start_matches("sha256:");
    assert!(!all.contains(&hex[..16]), "hash of the host file:\n{all}");
    assert!(
        !all.contains(SECRET_MARK),
        "content of the host file:\n{all}"
    );
    assert!(
        !all.contains(&SECRET_LEN.to_string()),
        "size of the host file:\n{all}"
    );
    assert!(
        !all.contains("host-shadow") && !all.contains(&*host.to_string_lossy()),
        "path of the link target:\n{all}"
    );
}

/// A one-layer layout; returns its dir and the paths of its config and layer blobs.
fn layout(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let layout = dir.join("oci");
    let layer = Layer::new().file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let json = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let index = json(&layout.join("index.json"));
    let manifest = json(&blob(index["manifests"][0]["digest"].as_str().unwrap()));
    let config = blob(manifest["config"]["digest"].as_str().unwrap());
    let layer = blob(manifest["layers"][0]["digest"].as_str().unwrap());
    (layout, config, layer)
}

#[test]
fn oci_layout_links_to_a_host_file_are_refused_revealing_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = import_db(home.path());
    for which in ["config", "layer", "index.json", "oci-layout"] {
        let dir = tempfile::tempdir().unwrap();
        let (host, data) = host_secret(dir.path());
        let (layout, config, layer) = layout(dir.path());
        let path = match which {
            "config" => config,
            "layer" => layer,
            name => layout.join(name),
        };
        std::fs::remove_file(&path).unwrap();
        symlink(&host, &path).unwrap();
        let reference = format!("oci-dir:{}", layout.display());
        for args in [
            vec!["sbom", reference.as_str(), "-f", "json"],
            vec!["image", reference.as_str(), "--db", db.to_str().unwrap()],
        ] {
            let out = run(home.path(), &args);
            assert_eq!(out.code, 2, "{which} {args:?}: {}", out.all());
            assert!(
                out.stderr.contains("symbolic link"),
                "{which}: says why: {}",
                out.stderr
            );
            assert_reveals_nothing(&out, &host, &data);
        }
    }
}

#[test]
fn fifos_are_refused_without_blocking() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();

    // OCI layout: index.json, oci-layout and the config blob as FIFOs.
    for which in ["index.json", "oci-layout", "config"] {
        let sub = tempfile::tempdir_in(dir).unwrap();
        let (layout, config, _) = layout(sub.path());
        let path = if which == "config" {
            config
        } else {
            layout.join(which)
        };
        mkfifo(&path);
        let out = run(dir, &["sbom", &format!("oci-dir:{}", layout.display())]);
        assert_eq!(out.code, 2, "{which}: {}", out.all());
        assert!(out.stderr.contains("FIFO"), "{which}: {}", out.stderr);
    }

    // An archive that is a FIFO.
    let archive = dir.join("image.tar");
    mkfifo(&archive);
    let out = run(
        dir,
        &["sbom", &format!("docker-archive:{}", archive.display())],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("image.tar") && out.stderr.contains("FIFO"));

    // A `.env` FIFO next to a compose file.
    let project = dir.join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:${TAG}\n",
    )
    .unwrap();
    mkfifo(&project.join(".env"));
    let compose = project.join("compose.yaml");
    let out = run(dir, &["compose", compose.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.all().contains(".env") && out.all().contains("FIFO"),
        "names the .env: {}",
        out.all()
    );

    // A FIFO given as the Dockerfile.
    let dockerfile = dir.join("Dockerfile");
    mkfifo(&dockerfile);
    let out = run(dir, &["dockerfile", "Dockerfile"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.all().contains("Dockerfile") && out.all().contains("FIFO"),
        "{}",
        out.all()
    );

    // A FIFO as the database.
    let db = dir.join("fifo.db");
    mkfifo(&db);
    let out = run(dir, &["db", "status", "--db", db.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("fifo.db"), "{}", out.stderr);
}

/// A copy of `good` changed by `sql`.
fn hostile_db(good: &Path, path: &Path, sql: &str) {
    std::fs::copy(good, path).unwrap();
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn hostile_database_files_are_refused_and_leave_the_database_alone() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let db = import_db(dir);
    let installed = std::fs::read(&db).unwrap();
    let (layout, _, _) = layout(dir);
    let image = format!("oci-dir:{}", layout.display());
    let big = DB_MARK.repeat((1 << 20) / DB_MARK.len());
    let cases = [
        (
            "views.db",
            format!(
                "DROP TABLE meta; DROP TABLE sources;
                 CREATE VIEW meta AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
                   SELECT 'schema_version' AS key, '2' AS value FROM c UNION ALL SELECT '{DB_MARK}', '';
                 CREATE VIEW sources AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
                   SELECT 'n' AS name, 'l' AS location, 'u' AS updated, x AS advisories, 0 AS skipped
                   FROM c;"
            ),
            "schema",
        ),
        (
            "big-view.db",
            format!("CREATE VIEW v AS SELECT '{big}' AS x;"),
            "size limit",
        ),
        (
            "trigger.db",
            format!("CREATE TRIGGER t AFTER INSERT ON ids BEGIN SELECT '{DB_MARK}'; END;"),
            "unexpected trigger",
        ),
        (
            "version.db",
            format!(
                "UPDATE meta SET value = '{DB_MARK}' || char(27) || '[31m' \
                 WHERE key = 'schema_version';"
            ),
            "schema version",
        ),
    ];
    for (name, sql, needle) in cases {
        let hostile = dir.join(name);
        hostile_db(&db, &hostile, &sql);
        let h = hostile.to_str().unwrap();
        for args in [
            vec!["db", "import", h, "--db", db.to_str().unwrap()],
            vec!["db", "status", "--db", h],
            vec!["db", "search", "CVE-2024-1", "--db", h],
            vec!["image", &image, "--db", h],
        ] {
            let out = run(dir, &args);
            assert_eq!(out.code, 2, "{name} {args:?}: {}", out.all());
            assert!(out.stderr.contains(name), "names the file: {}", out.stderr);
            assert!(out.stderr.contains(needle), "{name}: {}", out.stderr);
            assert!(
                !out.all().contains(DB_MARK),
                "quotes the file: {}",
                out.all()
            );
            assert!(!out.all().contains('\x1b'), "{}", out.all());
        }
        assert_eq!(
            std::fs::read(&db).unwrap(),
            installed,
            "{name}: database changed"
        );
    }
    // The database left in place still works.
    let out = run(dir, &["db", "status", "--db", db.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn skipped_feed_records_are_counted_on_stderr_and_in_db_status() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    // A Debian tracker file with one good package and one that is not an object.
    let feed = dir.join("tracker.json");
    std::fs::write(
        &feed,
        r#"{"zlib": {"CVE-2022-37434": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-1", "urgency": "not yet assigned"}}}}, "broken": 7}"#,
    )
    .unwrap();
    let db = dir.join("vuln.db");
    let out = run(
        dir,
        &[
            "db",
            "import",
            feed.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "skipped records keep exit 0: {}", out.all());
    assert!(
        out.stderr
            .contains("warning: 1 advisories could not be read and were skipped"),
        "{}",
        out.stderr
    );
    let out = run(dir, &["db", "status", "--db", db.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("Skipped         1 advisories"),
        "{}",
        out.stdout
    );
    let out = run(
        dir,
        &[
            "db",
            "status",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let status: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["skipped"], 1, "{status:#}");
}

/// Layers are numbered from 0 (the lowest) everywhere: JSON, tables and error messages.
#[test]
fn layers_are_numbered_from_0_on_stdout_and_stderr() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let base = Layer::new().file("etc/os-release", b"ID=debian\n");
    let evil = Layer::new().raw_file(b"../../etc/cron.d/x", b"* * * * * root true\n");
    let layout = dir.join("oci");
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::gzip(evil.tar())],
        "latest",
    );
    let out = run(dir, &["sbom", &format!("oci-dir:{}", layout.display())]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("layer 1 (") && !out.stderr.contains("layer 2"),
        "the second layer is layer 1: {}",
        out.stderr
    );
}

/// A dpkg database whose openssl stanza lost its Version: openssl is reported as skipped in
/// every format and on stderr (exit 0), and `--strict` makes that exit 2 (issue 17 item 4).
#[test]
fn skipped_records_are_reported_everywhere_and_fail_under_strict() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let status = "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\
                  Source: zlib\n\nPackage: openssl\nStatus: install ok installed\n\
                  Architecture: amd64\n";
    let layer = Layer::new()
        .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", status.as_bytes());
    let layout = dir.join("oci");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    let image = format!("oci-dir:{}", layout.display());
    let note = "/var/lib/dpkg/status (layer 0): dpkg: skipped line 6: installed package \
                openssl has no Version";

    let out = run(dir, &["sbom", &image, "-f", "json"]);
    assert_eq!(out.code, 0, "a warning, not an error: {}", out.all());
    assert!(
        out.stderr.contains(&format!("seaworthy: warning: {note}")),
        "{}",
        out.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["skipped"][0]["path"], "/var/lib/dpkg/status", "{doc:#}");
    assert_eq!(doc["packages"].as_array().map(Vec::len), Some(1));

    let out = run(dir, &["sbom", &image]);
    assert!(
        out.stdout.contains("1 package, 1 part skipped"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("skipped: /var/lib/dpkg/status (layer 0, dpkg): line 6:"),
        "{}",
        out.stdout
    );

    let out = run(dir, &["sbom", &image, "--strict"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains(&format!("seaworthy: error: {note}")),
        "{}",
        out.stderr
    );

    let db = import_db(dir);
    let db = db.to_str().unwrap();
    // The image runs as root (a high finding): gate on critical so only skips could fail it.
    let image_run = |extra: &[&str]| {
        let mut args = vec!["image", image.as_str(), "--db", db, "--fail-on", "critical"];
        args.extend_from_slice(extra);
        run(dir, &args)
    };
    let out = image_run(&["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["parts_skipped"], 1, "{doc:#}");
    assert_eq!(doc["skipped"][0]["cataloger"], "dpkg", "{doc:#}");
    let out = image_run(&["-f", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "warning", "{sarif:#}");
    let out = image_run(&[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("Incomplete inventory: 0 files not read, 1 part of a file skipped"),
        "{}",
        out.stdout
    );
    let out = image_run(&["--strict"]);
    assert_eq!(out.code, 2, "{}", out.all());
}

/// A usage error that quotes an argument (clap's "invalid value") escapes its control
/// characters: a forged workflow command or ESC sequence in an argument stays inert.
#[test]
fn usage_errors_escape_the_arguments_they_quote() {
    let home = tempfile::tempdir().unwrap();
    let evil = "x\u{1b}[31m\n::error file=a::forged\u{7}";
    let out = run(home.path(), &["dockerfile", "--format", evil, "Dockerfile"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("invalid value"), "{}", out.stderr);
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{7}'),
        "{:?}",
        out.stderr
    );
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("::error")),
        "{:?}",
        out.stderr
    );
}
