//! `seaworthy compose` and `seaworthy run` end to end: inputs, formats, locations, exit codes.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.output().expect("run seaworthy")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// (rule id, location display) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let loc = &f["location"];
            let at = match loc["kind"].as_str() {
                Some("file") => format!(
                    "{}:{}",
                    loc["path"].as_str().unwrap(),
                    loc["span"]["start"]["line"]
                ),
                _ => format!(
                    "{} {}",
                    loc["container"].as_str().unwrap(),
                    loc["field"].as_str().unwrap_or("-")
                ),
            };
            (f["rule_id"].as_str().unwrap().to_string(), at)
        })
        .collect()
}

const BAD: &str = "services:
  web:
    image: nginx:1.27
    privileged: true
    ports:
      - \"80:80\"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
";

const HARDENED: &str = "services:
  api:
    image: api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    user: \"1000\"
    read_only: true
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
    mem_limit: 256m
    cpus: 0.5
    pids_limit: 100
    ports: [\"127.0.0.1:8080:8080\"]
    healthcheck:
      test: [\"CMD\", \"/api\", \"health\"]
";

#[test]
fn compose_default_file_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("docker-compose.yml"), BAD).unwrap();
    let o = run_in(dir.path(), &["compose", "-f", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report = json(&o);
    let found = findings(&report);
    for want in [
        ("SW-CTR-5.5", "docker-compose.yml:4"),
        ("SW-CTR-5.8", "docker-compose.yml:6"),
        ("SW-CTR-5.14", "docker-compose.yml:6"),
        ("SW-CTR-5.32", "docker-compose.yml:8"),
        ("SW-CTR-5.11", "docker-compose.yml:2"),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} missing in {found:?}"
        );
    }
    let socket = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "SW-CTR-5.32")
        .unwrap();
    assert_eq!(socket["severity"], "critical");
    assert!(socket["remediation"].as_str().unwrap().contains("volumes"));
    assert!(socket["evidence"].as_str().unwrap().contains("line 8"));

    // Only low/medium findings: passes at the default threshold, fails at --fail-on low.
    std::fs::write(dir.path().join("docker-compose.yml"), HARDENED).unwrap();
    let o = run_in(dir.path(), &["compose", "-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(findings(&json(&o)).is_empty(), "{}", stdout(&o));

    // A writable root filesystem is medium: passes at the default threshold, fails at medium.
    let medium = HARDENED.replace("read_only: true", "read_only: false");
    std::fs::write(dir.path().join("docker-compose.yml"), medium).unwrap();
    let o = run_in(dir.path(), &["compose", "-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(
        findings(&json(&o)),
        [(
            "SW-CTR-5.13".to_string(),
            "docker-compose.yml:5".to_string()
        )]
    );
    let o = run_in(
        dir.path(),
        &["compose", "-f", "json", "--fail-on", "medium"],
    );
    assert_eq!(code(&o), 1);
}

#[test]
fn compose_formats_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stack.yaml"), BAD).unwrap();
    for format in ["table", "sarif", "junit", "github"] {
        let o = run_in(
            dir.path(),
            &["compose", "stack.yaml", "--color", "never", "-f", format],
        );
        assert_eq!(code(&o), 1, "{format}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("SW-CTR-5.5"),
            "{format}: {}",
            stdout(&o)
        );
    }
    let o = run_in(
        dir.path(),
        &["compose", "stack.yaml", "-f", "table", "--color", "never"],
    );
    assert!(stdout(&o).contains("stack.yaml:4"), "{}", stdout(&o));

    let empty = tempfile::tempdir().unwrap();
    let o = run_in(empty.path(), &["compose"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no compose file found"),
        "{}",
        stderr(&o)
    );

    std::fs::write(
        dir.path().join("broken.yaml"),
        "services:\n  web:\n    image: x\n    privileged: perhaps\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["compose", "broken.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("broken.yaml:4:"), "{}", stderr(&o));
}

#[test]
fn docker_run_findings_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &[
            "run",
            "-f",
            "json",
            "--",
            "docker",
            "run",
            "-d",
            "--privileged",
            "-v",
            "/:/host",
            "--net=host",
            "alpine",
            "sh",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let found = findings(&json(&o));
    for want in [
        ("SW-CTR-5.5", "docker run --privileged"),
        ("SW-CTR-5.6", "docker run -v"),
        ("SW-CTR-5.10", "docker run --net"),
        ("SW-CTR-5.11", "docker run --memory"),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} missing in {found:?}"
        );
    }

    // Without the `docker run` prefix; a hardened command line passes.
    let o = run_in(
        dir.path(),
        &[
            "run",
            "-f",
            "json",
            "--",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "-m",
            "256m",
            "--cpus",
            "1",
            "--pids-limit",
            "100",
            "-u",
            "1000",
            "alpine",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(findings(&json(&o)).is_empty(), "{}", stdout(&o));
}

/// An AWS access key id the secret patterns know (not the documentation example, which is
/// skipped) and a password: never printed in full, in any format (issue 19 item 14).
const AWS_KEY: &str = "AKIAZ7QWERTYUIOPASDF";
const PASSWORD: &str = "hunter2-prod-Pa55";
const FORMATS: &[&str] = &["table", "json", "sarif", "junit", "github", "markdown"];

fn assert_masked(what: &str, o: &Output) {
    for secret in [AWS_KEY, PASSWORD] {
        assert!(
            !stdout(o).contains(secret) && !stderr(o).contains(secret),
            "{what}: {secret} shown in\n{}{}",
            stdout(o),
            stderr(o)
        );
    }
}

#[test]
fn compose_env_secrets_are_found_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!(
            "services:\n  app:\n    image: app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n    user: root\n    environment:\n      AWS_ACCESS_KEY_ID: {AWS_KEY}\n      DB_HOST: db\n      API_TOKEN: ${{API_TOKEN}}\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD={PASSWORD}\n"
        ),
    )
    .unwrap();
    for format in FORMATS {
        let o = run_in(dir.path(), &["compose", "-f", format, "--color", "never"]);
        assert_eq!(code(&o), 1, "{format}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("SW-CTR-SECRET-001"),
            "{format}: {}",
            stdout(&o)
        );
        assert_masked(&format!("compose -f {format}"), &o);
    }
    let o = run_in(dir.path(), &["compose", "-f", "json"]);
    let found = findings(&json(&o));
    for want in [
        ("SW-CTR-SECRET-001", "compose.yaml:6"),
        ("SW-CTR-SECRET-001", "compose.yaml:12"),
        ("SW-CTR-USER-001", "compose.yaml:4"),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} missing in {found:?}"
        );
    }
    // `db` sets no user: its image decides, which a compose file does not show.
    assert_eq!(
        found.iter().filter(|f| f.0 == "SW-CTR-USER-001").count(),
        1,
        "{found:?}"
    );
    let report = json(&o);
    let aws = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["span"]["start"]["line"] == 6)
        .unwrap();
    assert_eq!(aws["severity"], "critical");
    assert_eq!(
        aws["evidence"],
        "services.app.environment.AWS_ACCESS_KEY_ID: AKIA**** (compose.yaml line 6)"
    );
    // Secret findings get no code frame; another finding's frame of a line with a secret on it
    // (flow style) shows the value masked, columns kept.
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!("services:\n  app: {{image: app, privileged: true, environment: {{DB_PASSWORD: {PASSWORD}}}}}\n"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["compose", "--color", "never"]);
    assert!(
        stdout(&o).contains("SW-CTR-5.5")
            && stdout(&o).contains("environment: {DB_PASSWORD: hunt*************}}"),
        "{}",
        stdout(&o)
    );
    assert_masked("compose flow style", &o);
}

#[test]
fn docker_run_env_secrets_and_root_are_found_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let aws = format!("AWS_ACCESS_KEY_ID={AWS_KEY}");
    let password = format!("--env=DB_PASSWORD={PASSWORD}");
    let line = [
        "docker",
        "run",
        "-u",
        "0",
        "-e",
        &aws,
        &password,
        "-e",
        "API_TOKEN",
        "alpine",
    ];
    for format in FORMATS {
        let mut args = vec!["run", "-f", format, "--color", "never", "--"];
        args.extend(line);
        let o = run_in(dir.path(), &args);
        assert_eq!(code(&o), 1, "{format}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("SW-CTR-SECRET-001") && stdout(&o).contains("SW-CTR-USER-001"),
            "{format}: {}",
            stdout(&o)
        );
        assert_masked(&format!("run -f {format}"), &o);
    }
    let mut args = vec!["run", "-f", "json", "--"];
    args.extend(line);
    let report = json(&run_in(dir.path(), &args));
    let secret = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "SW-CTR-SECRET-001")
        .unwrap();
    assert_eq!(
        secret["evidence"],
        "-e AWS_ACCESS_KEY_ID=AKIA**** (command line argument 5); \
         --env DB_PASSWORD=hunt**** (command line argument 7)"
    );
    let found = findings(&report);
    assert!(
        found.contains(&("SW-CTR-USER-001".to_string(), "docker run -u".to_string())),
        "{found:?}"
    );
    // `--user 1000` and values from the caller's environment: neither finding.
    let o = run_in(
        dir.path(),
        &[
            "run",
            "-f",
            "json",
            "--",
            "docker",
            "run",
            "--user",
            "1000",
            "-e",
            "DB_PASSWORD",
            "alpine",
        ],
    );
    let found = findings(&json(&o));
    assert!(
        found
            .iter()
            .all(|f| f.0 != "SW-CTR-USER-001" && f.0 != "SW-CTR-SECRET-001"),
        "{found:?}"
    );
}

#[test]
fn docker_run_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &["run", "--", "docker", "run", "--bogus-flag", "alpine"],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--bogus-flag"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["run", "--", "docker", "run", "--privileged"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("image"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["run"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn container_rules_are_listed_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["rules", "-f", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ctr = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("SW-CTR-5."))
        .count();
    assert_eq!(
        ctr, 32,
        "one rule per CIS section 5 check (drift rules are SW-CTR-DRIFT-…)"
    );
    let o = run_in(dir.path(), &["explain", "SW-CTR-5.32"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Docker socket"), "{}", stdout(&o));
    // The rules beyond CIS section 5 are listed and explained too.
    for (id, text) in [
        ("SW-CTR-USER-001", "Container runs as root"),
        ("SW-CTR-SECRET-001", "Secret in the container environment"),
    ] {
        assert!(
            rules.as_array().unwrap().iter().any(|r| r["id"] == id),
            "{id} not listed"
        );
        let o = run_in(dir.path(), &["explain", id]);
        assert_eq!(code(&o), 0, "{id}: {}", stderr(&o));
        assert!(stdout(&o).contains(text), "{}", stdout(&o));
    }
}
