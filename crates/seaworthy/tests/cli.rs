//! The binary end to end: inputs, config discovery, pragmas, formats and exit codes.
#![allow(clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

/// Runs seaworthy in `dir` with a clean environment (no SEAWORTHY_* or NO_COLOR leaking in).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn seaworthy");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["rule_id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

const APT_NO_YES: &str = "FROM debian:12\nRUN apt-get update && apt-get install curl\n";

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", APT_NO_YES);
    // SW-DF-011 is medium: passes at the default threshold (high), fails at medium.
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "critical"],
        None,
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(rule_ids(&json(&o)).contains(&"SW-DF-011".to_string()));
    let o = run_in(
        dir.path(),
        &["dockerfile", "--fail-on", "medium", "-f", "json"],
        None,
    );
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["passed"], false);
    let o = Command::new(BIN)
        .args(["dockerfile", "-f", "json"])
        .current_dir(dir.path())
        .env("SEAWORTHY_FAIL_ON", "low")
        .output()
        .expect("run");
    assert_eq!(code(&o), 1, "SEAWORTHY_FAIL_ON is honoured");
}

#[test]
fn bad_inputs_exit_2_while_the_rest_is_linted() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.Dockerfile", APT_NO_YES);
    write(
        dir.path(),
        "bad.Dockerfile",
        "FROM debian:12\nBOGUS instruction\n",
    );
    std::fs::write(dir.path().join("bin.Dockerfile"), b"FROM a\n\x00\x01").expect("write");
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", ".", "missing.Dockerfile"],
        None,
    );
    assert_eq!(code(&o), 2);
    let report = json(&o);
    assert!(rule_ids(&report).contains(&"SW-DF-011".to_string()));
    let errors: Vec<String> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {} {}",
                e["path"].as_str().unwrap_or(""),
                e["line"],
                e["message"]
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("bad.Dockerfile 2 ") && e.contains("BOGUS")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("bin.Dockerfile") && e.contains("binary"))
    );
    assert!(errors.iter().any(|e| e.starts_with("missing.Dockerfile")));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("bad.Dockerfile:2:1: unknown instruction `BOGUS`"),
        "{stderr}"
    );
}

#[test]
fn stdin_and_directory_discovery() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run_in(
        dir.path(),
        &["dockerfile", "-", "-f", "json"],
        Some(APT_NO_YES),
    );
    let report = json(&o);
    assert_eq!(report["inputs"][0], "<stdin>");
    assert!(rule_ids(&report).contains(&"SW-DF-011".to_string()));

    write(dir.path(), "svc/Dockerfile", "FROM alpine:3.20\n");
    write(dir.path(), "svc/Dockerfile.dev", "FROM alpine:3.20\n");
    write(dir.path(), "svc/api.Dockerfile", "FROM alpine:3.20\n");
    write(dir.path(), "svc/Containerfile", "FROM alpine:3.20\n");
    write(dir.path(), "svc/notes.txt", "FROM alpine:3.20\n");
    let o = run_in(dir.path(), &["dockerfile", "-f", "json"], None);
    let report = json(&o);
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        inputs,
        vec![
            "svc/Containerfile",
            "svc/Dockerfile",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile"
        ]
    );
}

#[test]
fn config_is_found_upward_and_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "seaworthy.toml",
        "fail-on = \"medium\"\n[dockerfile]\ntrusted-registries = [\"docker.io\"]\n[rules]\ndisable = [\"SW-DF-070\"]\nseverity = { \"apt-get-missing-yes\" = \"critical\" }\n",
    );
    write(
        dir.path(),
        "sub/Dockerfile",
        "FROM quay.io/org/base:1\nMAINTAINER me\nRUN apt-get install x\n",
    );
    let o = run_in(&dir.path().join("sub"), &["dockerfile", "-f", "json"], None);
    assert_eq!(code(&o), 1);
    let report = json(&o);
    let ids = rule_ids(&report);
    assert!(
        ids.contains(&"SW-DF-001".to_string()),
        "trusted registries apply: {ids:?}"
    );
    assert!(
        !ids.contains(&"SW-DF-070".to_string()),
        "disabled rule does not run"
    );
    let apt = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule_id"] == "SW-DF-011")
        .cloned()
        .unwrap_or_default();
    assert_eq!(apt["severity"], "critical");
    assert_eq!(report["fail_on"], "medium");
}

#[test]
fn config_errors_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\n");
    write(
        dir.path(),
        "seaworthy.toml",
        "[dockerfile]\ntrusted-registrys = []\n",
    );
    let o = run_in(dir.path(), &["dockerfile"], None);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("seaworthy.toml"));
    write(
        dir.path(),
        "seaworthy.toml",
        "[rules]\ndisable = [\"SW-DF-999\"]\n",
    );
    let o = run_in(dir.path(), &["dockerfile"], None);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule `SW-DF-999`"));
    let o = run_in(dir.path(), &["dockerfile", "--format", "xml"], None);
    assert_eq!(code(&o), 2);
}

#[test]
fn hadolint_pragmas_and_config_are_honoured() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\n# hadolint ignore=DL3014\nRUN apt-get install x\nRUN apt-get install y\nMAINTAINER me\n",
    );
    write(
        dir.path(),
        ".hadolint.yaml",
        "ignored:\n  - DL4000\ntrustedRegistries:\n  - quay.io\n",
    );
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "critical"],
        None,
    );
    let report = json(&o);
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let apt: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == "SW-DF-011")
        .collect();
    assert_eq!(apt.len(), 2);
    assert_eq!(apt[0]["suppressed"]["kind"], "hadolint-pragma");
    assert!(apt[1]["suppressed"].is_null());
    assert!(
        !rule_ids(&report).contains(&"SW-DF-070".to_string()),
        "DL4000 ignored"
    );
    assert!(
        rule_ids(&report).contains(&"SW-DF-001".to_string()),
        "debian not in trustedRegistries"
    );
    assert_eq!(report["summary"]["suppressed"], 1);

    let o = run_in(
        dir.path(),
        &[
            "dockerfile",
            "-f",
            "json",
            "--no-hadolint-config",
            "--fail-on",
            "critical",
        ],
        None,
    );
    assert!(rule_ids(&json(&o)).contains(&"SW-DF-070".to_string()));
}

#[test]
fn seaworthy_pragmas_inline_and_global() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "# seaworthy global ignore=SW-DF-070\nFROM debian:12\nMAINTAINER me\n# seaworthy ignore=SW-DF-011\nRUN apt-get install x\n",
    );
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "low"],
        None,
    );
    let report = json(&o);
    assert_eq!(report["summary"]["suppressed"], 2, "{}", stdout(&o));
    let kinds: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"] == "SW-DF-011" || f["rule_id"] == "SW-DF-070")
        .filter_map(|f| f["suppressed"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["global", "inline"]);
}

#[test]
fn build_args_and_target_decide_what_is_judged() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "seaworthy.toml",
        "[dockerfile]\ntrusted-registries = [\"docker.io\"]\n",
    );
    write(
        dir.path(),
        "Dockerfile",
        "ARG BASE=alpine:3.20\nFROM ${BASE}\n",
    );
    let o = run_in(dir.path(), &["dockerfile", "-f", "json"], None);
    assert!(!rule_ids(&json(&o)).contains(&"SW-DF-001".to_string()));
    let o = run_in(
        dir.path(),
        &[
            "dockerfile",
            "-f",
            "json",
            "--build-arg",
            "BASE=evil.example/x:1",
        ],
        None,
    );
    assert!(rule_ids(&json(&o)).contains(&"SW-DF-001".to_string()));
}

#[test]
fn output_file_and_no_color() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", APT_NO_YES);
    let o = run_in(
        dir.path(),
        &["dockerfile", "-o", "report.json", "-f", "json"],
        None,
    );
    assert!(o.stdout.is_empty());
    let text = std::fs::read_to_string(dir.path().join("report.json")).expect("report written");
    assert!(text.contains("SW-DF-011"));
    let o = Command::new(BIN)
        .args(["dockerfile", "--color", "always"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(
        !o.stdout.contains(&0x1b),
        "NO_COLOR wins over --color always"
    );
    let o = run_in(dir.path(), &["dockerfile"], None);
    assert!(
        !o.stdout.contains(&0x1b),
        "no color when stdout is not a terminal"
    );
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run_in(dir.path(), &["rules", "-f", "json"], None);
    assert_eq!(code(&o), 0);
    assert!(json(&o).as_array().is_some_and(|a| a.len() >= 4));
    for query in ["SW-DF-011", "sw-df-011", "apt-get-missing-yes", "DL3014"] {
        let o = run_in(dir.path(), &["explain", query], None);
        assert_eq!(code(&o), 0, "{query}");
        let text = stdout(&o);
        assert!(
            text.starts_with("SW-DF-011 (apt-get-missing-yes)"),
            "{text}"
        );
        assert!(text.contains("## Why") && text.contains("hadolint DL3014"));
    }
    let o = run_in(dir.path(), &["explain", "NOPE-1"], None);
    assert_eq!(code(&o), 2);
}

#[test]
fn rules_reference_in_docs_is_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run_in(dir.path(), &["rules", "--format", "markdown"], None);
    assert_eq!(code(&o), 0);
    let generated = stdout(&o);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/rules.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p seaworthy --test cli rules_reference`"
    );
}

#[test]
fn secrets_are_masked_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nRUN mysql -uroot -pSuperSecret123 -e 'select 1'\n\
         RUN git clone https://user:glpat-abcdefghij1234567890@gitlab.com/x/y.git\n\
         RUN curl -u admin:s3cr3tP4ss https://x.example/i.sh | sh\n\
         ENV GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
    );
    for format in ["table", "json", "sarif", "junit", "github"] {
        let o = run_in(dir.path(), &["dockerfile", "-f", format], None);
        let out = stdout(&o);
        assert!(out.contains("SW-DF-"), "{format}: {out}");
        for secret in [
            "SuperSecret123",
            "glpat-abcdefghij1234567890",
            "s3cr3tP4ss",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            assert!(!out.contains(secret), "{format} shows {secret}:\n{out}");
        }
    }
}

#[test]
fn waivers_by_rule_or_hadolint_id_with_expiry() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", APT_NO_YES);
    write(
        dir.path(),
        "seaworthy.toml",
        "[[waiver]]\nid = \"DL3015\"\nreason = \"recommends are wanted here\"\nexpires = 2099-01-01\n\n\
         [[waiver]]\nid = \"SW-DF-011\"\npath = \"Dockerfile\"\nreason = \"interactive build\"\nexpires = 2099-01-01\n",
    );
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "low"],
        None,
    );
    let report = json(&o);
    let waived: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppressed"]["kind"] == "waiver")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["suppressed"]["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        waived.contains(&("SW-DF-011".into(), "interactive build".into())),
        "{waived:?}"
    );
    assert!(
        waived
            .iter()
            .any(|(_, r)| r == "recommends are wanted here"),
        "waived through its hadolint id: {waived:?}"
    );

    // The same waiver, expired: the finding counts again. Below the threshold the expired
    // waiver is a warning naming itself (issue 19 item 3)...
    write(
        dir.path(),
        "seaworthy.toml",
        "[[waiver]]\nid = \"SW-DF-011\"\nreason = \"interactive build\"\nexpires = 2021-06-30\n",
    );
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "critical"],
        None,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 0, "{err}");
    assert_eq!(json(&o)["passed"], true);
    assert!(
        err.contains("warning: waiver for SW-DF-011 at seaworthy.toml:1 expired on 2021-06-30")
            && err.contains("does not fail the run")
            && !err.contains("policy failed"),
        "{err}"
    );
    // ... and where the finding gates without it, it fails the run, saying which waiver.
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "info"],
        None,
    );
    assert_eq!(code(&o), 1);
    assert_eq!(json(&o)["passed"], false);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "policy failed: waiver for SW-DF-011 at seaworthy.toml:1 expired on 2021-06-30"
        ),
        "{err}"
    );
}

/// Issue 19 item 1: `--fail-on none` (and `SEAWORTHY_FAIL_ON=none`) reports only on every
/// command, and `seaworthy dockerfile` honours `[dockerfile] mode = "report"`.
#[test]
fn fail_on_none_and_report_mode_report_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Dockerfile",
        "FROM ubuntu:latest\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
    );
    let o = run_in(dir.path(), &["dockerfile", "-f", "json"], None);
    assert_eq!(code(&o), 1, "the secret gates at the default threshold");

    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "none"],
        None,
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let report = json(&o);
    assert_eq!(report["passed"], true);
    assert_eq!(report["report_only"], true);
    assert!(
        !rule_ids(&report).is_empty(),
        "the findings are still reported"
    );
    let o = run_in(dir.path(), &["dockerfile", "--fail-on", "none"], None);
    assert!(
        stdout(&o).contains("PASSED (report only)"),
        "{}",
        stdout(&o)
    );
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "junit", "--fail-on", "none"],
        None,
    );
    assert_eq!(code(&o), 0);
    assert!(!stdout(&o).contains("<failure"), "{}", stdout(&o));

    // The variable, on every command that gates.
    let with_env = |args: &[&str]| {
        let mut cmd = Command::new(BIN);
        for (k, _) in std::env::vars() {
            if k.starts_with("SEAWORTHY_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .current_dir(dir.path())
            .env("SEAWORTHY_FAIL_ON", "none")
            .env("HOME", dir.path())
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .stdin(Stdio::null())
            .output()
            .expect("run")
    };
    for args in [
        &["dockerfile"][..],
        &["compose"],
        &["run", "--", "docker", "run", "--privileged", "nginx"],
        &["assess"],
    ] {
        let o = with_env(args);
        assert_eq!(
            code(&o),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for args in [
        &["compose", "--fail-on", "none"][..],
        &[
            "run",
            "--fail-on",
            "none",
            "--",
            "docker",
            "run",
            "--privileged",
            "nginx",
        ],
        &["assess", "--fail-on", "none"],
    ] {
        let o = run_in(dir.path(), args, None);
        assert_eq!(
            code(&o),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = run_in(
        dir.path(),
        &["assess", "-f", "json", "--fail-on", "none"],
        None,
    );
    let report = json(&o);
    for area in report["areas"].as_array().expect("areas") {
        assert_eq!(area["mode"], "report", "{area:#}");
    }
    // Parsed the same on the commands that need a daemon or a database.
    for cmd in ["image", "container", "host"] {
        let bad: &[&str] = if cmd == "image" {
            &[cmd, "--fail-on", "nope", "x"]
        } else {
            &[cmd, "--fail-on", "nope"]
        };
        let o = run_in(dir.path(), bad, None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("none"), "{cmd}: {err}");
        let o = run_in(dir.path(), &[cmd, "--fail-on", "none", "--help"], None);
        assert_eq!(code(&o), 0, "{cmd}");
    }

    // `[dockerfile] mode = "report"`: the standalone command reports only, unless the command
    // line asks for a threshold.
    write(
        dir.path(),
        "seaworthy.toml",
        "[dockerfile]\nmode = \"report\"\n",
    );
    let o = run_in(dir.path(), &["dockerfile", "-f", "json"], None);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["report_only"], true);
    let o = run_in(dir.path(), &["dockerfile", "--fail-on", "high"], None);
    assert_eq!(code(&o), 1);
}
