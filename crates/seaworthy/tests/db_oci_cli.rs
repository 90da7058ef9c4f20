//! `seaworthy db push` and `db pull` against a real registry (Debian's `docker-registry` on
//! 127.0.0.1 behind Basic auth): the pulled database has the pushed one's advisories; a second
//! pull of the same blob downloads nothing; a tampered blob is refused (exit 2) and the old
//! database stays as it was.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;
#[path = "../../seaworthy-oci/tests/support/registry_util.rs"]
mod registry_util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use registry_util::Registry;

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");
const USER: &str = "seaworthy";
const PASS: &str = "s3cret";

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata")
        .join(rel)
}

/// Runs seaworthy in `home` without the caller's `SEAWORTHY_*` variables; with the registry
/// password when `password` is given.
fn run(args: &[&str], home: &Path, password: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "DOCKER_CONFIG" {
            cmd.env_remove(k);
        }
    }
    if let Some(p) = password {
        cmd.env("SEAWORTHY_REGISTRY_PASSWORD", p);
    }
    cmd.env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .current_dir(home);
    cmd.output().expect("run seaworthy")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

/// A database built from a feed excerpt at `db`.
fn build_db(home: &Path, db: &Path, feed: &str) {
    ok(&run(
        &[
            "db",
            "import",
            testdata(feed).to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home,
        None,
    ));
}

fn status(home: &Path, db: Option<&Path>) -> serde_json::Value {
    let mut args = vec!["db", "status", "--format", "json"];
    if let Some(db) = db {
        args.extend(["--db", db.to_str().unwrap()]);
    }
    serde_json::from_str(&ok(&run(&args, home, None))).unwrap()
}

/// Pushes a database of the Debian CVE list excerpt to `REGISTRY/seaworthy/db:v3`; returns the
/// reference and the blob digest.
fn push(registry: &Registry, home: &Path) -> (String, String) {
    let db = home.join("built.db");
    build_db(home, &db, "debian/excerpts/CVE.list");
    let target = format!("{}/seaworthy/db:v3", registry.addr);
    let out = run(
        &[
            "db",
            "push",
            &target,
            "--db",
            db.to_str().unwrap(),
            "--insecure-registry",
            &registry.addr,
            "--username",
            USER,
        ],
        home,
        Some(PASS),
    );
    let stdout = ok(&out);
    assert!(stdout.contains("Pushed"), "{stdout}");
    let blob = stdout
        .split("blob ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("blob digest in the output")
        .to_string();
    assert!(blob.starts_with("sha256:"), "{stdout}");
    (target, blob)
}

fn pull_args<'a>(target: &'a str, addr: &'a str) -> Vec<&'a str> {
    vec![
        "db",
        "pull",
        target,
        "--insecure-registry",
        addr,
        "--username",
        USER,
    ]
}

#[test]
fn db_push_then_pull_installs_the_database_and_a_second_pull_downloads_nothing() {
    let Some(registry) = Registry::start_with_auth(USER, PASS) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (target, blob) = push(&registry, home);
    let pushed = status(home, Some(&home.join("built.db")));
    assert!(pushed["advisories"].as_u64().unwrap() > 0, "{pushed}");

    // Without credentials: refused as bad input, nothing installed.
    let out = run(
        &["db", "pull", &target, "--insecure-registry", &registry.addr],
        home,
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("authentication required"),
        "{}",
        text(&out.stderr)
    );

    // Into the empty cache directory (the default database path).
    let default_db = home.join("cache/seaworthy/vuln.db");
    assert!(!default_db.exists());
    let stdout = ok(&run(&pull_args(&target, &registry.addr), home, Some(PASS)));
    assert!(
        stdout.contains("Pulled") && stdout.contains(&blob),
        "{stdout}"
    );
    let pulled = status(home, None);
    assert_eq!(pulled["advisories"], pushed["advisories"]);
    assert_eq!(pulled["built"], pushed["built"]);
    assert_eq!(pulled["sources"].as_array().map(Vec::len), Some(1));
    let installed = std::fs::read(&default_db).unwrap();

    // The blob in the registry's storage is broken from here on: a pull that downloaded it
    // would fail, so success proves nothing was downloaded.
    let stored = registry.blob_data_path(&blob);
    let mut bytes = std::fs::read(&stored).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&stored, &bytes).unwrap();
    let out = run(&pull_args(&target, &registry.addr), home, Some(PASS));
    let stdout = ok(&out);
    assert!(stdout.contains("up to date"), "{stdout}");
    assert!(
        text(&out.stderr).contains("nothing downloaded"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&default_db).unwrap(), installed);
}

#[test]
fn db_pull_refuses_a_tampered_blob_and_keeps_the_old_database() {
    let Some(registry) = Registry::start_with_auth(USER, PASS) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let (target, blob) = push(&registry, home);

    // The local database: another one (Alpine advisories).
    let local = home.join("local/vuln.db");
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    build_db(home, &local, "alpine/v3.9-main-excerpt.json");
    let before = std::fs::read(&local).unwrap();

    let stored = registry.blob_data_path(&blob);
    let mut bytes = std::fs::read(&stored).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&stored, &bytes).unwrap();

    let mut args = pull_args(&target, &registry.addr);
    args.extend(["--db", local.to_str().unwrap()]);
    let out = run(&args, home, Some(PASS));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("digest mismatch"), "{stderr}");
    assert!(stderr.contains("unchanged"), "{stderr}");
    assert_eq!(std::fs::read(&local).unwrap(), before);
    // No temporary files or record left behind.
    let left: Vec<_> = std::fs::read_dir(local.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("vuln.db")]);
}

#[test]
fn db_pull_of_an_image_is_not_a_database() {
    let Some(registry) = Registry::start_with_auth(USER, PASS) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pusher = registry_util::Pusher::new(&registry, Some((USER, PASS)));
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = pusher.blob("app", config);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[]}}"#,
        config.len()
    );
    pusher.manifest(
        "app",
        "1",
        "application/vnd.oci.image.manifest.v1+json",
        manifest.as_bytes(),
    );
    let target = format!("{}/app:1", registry.addr);
    let out = run(&pull_args(&target, &registry.addr), home, Some(PASS));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a seaworthy database"), "{stderr}");
    assert!(!home.join("cache/seaworthy/vuln.db").exists());
}
