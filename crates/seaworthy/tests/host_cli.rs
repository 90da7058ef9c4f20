//! `seaworthy host` against the machine's real daemon (required in CI with
//! `SEAWORTHY_REQUIRE_DOCKER=1`): every CIS id once, facts equal to what `docker info` says,
//! valid JSON and SARIF, report-only by default and gating with --fail-on.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn docker_ready(test: &str) -> bool {
    let answered = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if answered {
        return true;
    }
    if std::env::var("SEAWORTHY_REQUIRE_DOCKER").as_deref() == Ok("1") {
        panic!("{test}: SEAWORTHY_REQUIRE_DOCKER=1 but no Docker daemon answers `docker version`");
    }
    eprintln!("skipping {test}: no Docker daemon (SEAWORTHY_REQUIRE_DOCKER=1 makes this fail)");
    false
}

fn host(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("host")
        .args(args)
        .env_remove("SEAWORTHY_FAIL_ON")
        .env_remove("SEAWORTHY_FORMAT")
        .output()
        .expect("runs")
}

fn json(args: &[&str]) -> Value {
    let out = host(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn docker_json(args: &[&str]) -> Value {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs");
    serde_json::from_slice(&out.stdout).expect("docker prints JSON")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// CIS rows of the host sections: id → (automated, level).
fn cis_rows() -> Vec<(String, bool)> {
    let tsv = std::fs::read_to_string(
        repo().join("crates/seaworthy-host/data/cis-docker-1.6.0-host.tsv"),
    )
    .unwrap();
    tsv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), matches!(f[2], "Automated" | "Scored"))
        })
        .collect()
}

fn by_id(report: &Value) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    for r in report["results"].as_array().unwrap() {
        let id = r["cis_id"].as_str().unwrap().to_string();
        assert!(m.insert(id.clone(), r.clone()).is_none(), "{id} twice");
    }
    m
}

/// The evidence value of `key=` from the daemon (source `GET /info …` or the bridge).
fn daemon_value(r: &Value, key: &str) -> String {
    r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"].as_str().unwrap().starts_with("GET /"))
        .and_then(|e| {
            e["value"]
                .as_str()
                .unwrap()
                .strip_prefix(&format!("{key}="))
                .map(String::from)
        })
        .unwrap_or_else(|| panic!("no daemon evidence for {key}: {r}"))
}

#[test]
fn host_report_against_the_real_daemon() {
    if !docker_ready("host_report_against_the_real_daemon") {
        return;
    }
    let report = json(&["--level", "2", "--format", "json", "--no-packages"]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["passed"], true, "report only without --fail-on");
    let results = by_id(&report);
    for (id, automated) in cis_rows() {
        let r = results
            .get(&id)
            .unwrap_or_else(|| panic!("CIS {id} missing"));
        assert_eq!(r["automated"], automated, "{id}");
        assert_eq!(r["rule_id"], format!("SW-HOST-{id}"));
    }
    let sections_1_to_3 = results
        .keys()
        .filter(|k| matches!(&k[..2], "1." | "2." | "3."))
        .count();
    assert_eq!(
        sections_1_to_3,
        cis_rows()
            .iter()
            .filter(|(k, _)| matches!(&k[..2], "1." | "2." | "3."))
            .count()
    );

    // Facts equal what the daemon says through the docker CLI.
    let info = docker_json(&["info", "--format", "{{json .}}"]);
    let version = results["1.2.2"]["evidence"][0]["value"].as_str().unwrap();
    assert_eq!(version, info["ServerVersion"].as_str().unwrap());
    assert_eq!(
        daemon_value(&results["2.6"], "storage-driver"),
        info["Driver"].as_str().unwrap()
    );
    let live = daemon_value(&results["2.15"], "live-restore");
    assert_eq!(
        live,
        info["LiveRestoreEnabled"].as_bool().unwrap().to_string()
    );
    assert_eq!(
        results["2.15"]["status"],
        if live == "true" { "pass" } else { "warn" }
    );
    let bridge = docker_json(&[
        "network",
        "inspect",
        "bridge",
        "--format",
        "{{json .Options}}",
    ]);
    let icc = bridge["com.docker.network.bridge.enable_icc"]
        .as_str()
        .unwrap_or("true");
    assert_eq!(daemon_value(&results["2.2"], "icc"), icc);
    assert_eq!(
        results["2.2"]["status"],
        if icc == "true" { "warn" } else { "pass" }
    );
    // userland-proxy is not in /info: read daemon.json and dockerd's command line ourselves.
    let proxy = userland_proxy_independently();
    let r = &results["2.16"];
    assert_eq!(r["status"], if proxy { "warn" } else { "pass" }, "{r}");
}

/// daemon.json `userland-proxy`, else `--userland-proxy=…` on dockerd's command line, else true.
fn userland_proxy_independently() -> bool {
    let from_cmdline = Command::new("sh")
        .args([
            "-c",
            "cat /proc/$(pidof dockerd | cut -d' ' -f1)/cmdline | tr '\\0' '\\n'",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if let Some(v) = from_cmdline
        .lines()
        .find_map(|l| l.strip_prefix("--userland-proxy="))
    {
        return v == "true";
    }
    if from_cmdline.lines().any(|l| l == "--userland-proxy") {
        return true;
    }
    std::fs::read_to_string("/etc/docker/daemon.json")
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["userland-proxy"].as_bool())
        .unwrap_or(true)
}

#[test]
fn sarif_is_valid_and_fail_on_gates() {
    if !docker_ready("sarif_is_valid_and_fail_on_gates") {
        return;
    }
    let out = host(&["--format", "sarif", "--no-packages", "--level", "2"]);
    assert_eq!(out.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_path = repo().join("crates/seaworthy-report/testdata/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    for r in results {
        assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
    }
    // Gating: any warning at or above info fails the run.
    let gated = host(&[
        "--format",
        "json",
        "--no-packages",
        "--level",
        "2",
        "--fail-on",
        "info",
    ]);
    let report: Value = serde_json::from_slice(&gated.stdout).unwrap();
    let warns = report["summary"]["warn"].as_u64().unwrap();
    assert_eq!(gated.status.code(), Some(if warns > 0 { 1 } else { 0 }));
    let junit = host(&["--format", "junit", "--no-packages"]);
    assert_eq!(junit.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&junit.stdout).contains("<testsuites"));
}

#[test]
fn unreachable_daemon_still_checks_host_files() {
    let out = Command::new(BIN)
        .args(["host", "--format", "json", "--no-packages"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("daemon not reachable")
    );
    let results = by_id(&report);
    assert_eq!(results["1.2.2"]["status"], "info");
    assert!(
        results["3.5"]["status"] != "info",
        "file checks still decide"
    );
}

#[test]
fn bad_root_is_a_usage_error() {
    let out = host(&[
        "--root",
        "/nonexistent/host",
        "--no-packages",
        "--no-daemon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/host"));
}

#[test]
fn fixture_root_in_container_mode() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("etc/docker")).unwrap();
    std::fs::write(
        root.join("etc/docker/daemon.json"),
        r#"{"icc": false, "log-opts": {"max-size": "1m"}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        "Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    let out = host(&[
        "--root",
        root.to_str().unwrap(),
        "--no-daemon",
        "--format",
        "json",
        "--db",
        "/nonexistent/vuln.db",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = by_id(&report);
    assert_eq!(results["2.2"]["status"], "pass");
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.iter().any(|n| n
            .starts_with("host packages: 1 (debian 12); not matched: no vulnerability database")),
        "{notes:?}"
    );
}

/// The host OS packages are matched like an image's: the real bookworm dpkg status under a
/// fixture root against a database imported from the tracker excerpt.
#[test]
fn host_packages_are_matched_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let vulndb = repo().join("crates/seaworthy-vulndb/testdata");
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(
        vulndb.join("bookworm/status"),
        root.join("var/lib/dpkg/status"),
    )
    .unwrap();
    std::fs::copy(
        vulndb.join("bookworm/os-release"),
        root.join("etc/os-release"),
    )
    .unwrap();
    let db = dir.path().join("vuln.db");
    let out = Command::new(BIN)
        .args(["db", "import"])
        .arg(vulndb.join("debian/excerpts/CVE.list"))
        .arg("--db")
        .arg(&db)
        .env("XDG_CACHE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = |extra: &[&str]| {
        let mut a = vec![
            "--root",
            root.to_str().unwrap(),
            "--no-daemon",
            "--db",
            db.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        host(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "report only by default");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let vulns: Vec<(&str, &str)> = report["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities listed")
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap(),
                m["package"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(vulns.contains(&("CVE-2026-27171", "zlib1g")), "{vulns:?}");
    let table = run(&[]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("CVE-2026-27171") && text.contains("zlib1g"),
        "{text}"
    );
    // With --fail-on the host packages gate like the checks do.
    let gated = run(&["--format", "json", "--fail-on", "medium"]);
    assert_eq!(
        gated.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&gated.stderr)
    );

    // In assess, a host package's vulnerability is located on the host the checks name and at
    // the package database, not at the daemon's socket (issue 19 item 10).
    let project = dir.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("seaworthy.toml"),
        format!(
            "[host]\nenabled = true\ndaemon = false\nroot = {:?}\n",
            root.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["assess", "--format", "json", "--db"])
        .arg(&db)
        .current_dir(&project)
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let host = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == "host")
        .unwrap_or_else(|| panic!("no host area: {report:#}"));
    let zlib = host["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule_id"] == "CVE-2026-27171")
        .unwrap_or_else(|| panic!("no zlib1g item: {host:#}"));
    let location = &zlib["location"];
    assert_eq!(location["host"], "localhost", "{location}");
    assert_eq!(
        location["object"], "/var/lib/dpkg/status zlib1g",
        "{location}"
    );
}
