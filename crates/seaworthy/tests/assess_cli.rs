//! `seaworthy assess` and `seaworthy init` without a daemon: a repository of Dockerfiles and a
//! compose file, per-area rule selection and severity overrides, report mode, `--output`
//! parsing, `--skip`, baselines (assessments only), and bad input (exit 2).
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn run(args: &[&str], dir: &Path) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("CI", "true")
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn items<'a>(report: &'a Value, area: &str) -> Vec<&'a Value> {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["area"] == area)
        .flat_map(|a| a["items"].as_array().unwrap())
        .collect()
}

/// A repository: a Dockerfile on `ubuntu:latest` exposing SSH (medium findings only), a compose
/// file with a privileged service (critical).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("Dockerfile"),
        "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\nEXPOSE 22\n",
    )
    .unwrap();
    std::fs::write(
        p.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
    )
    .unwrap();
    dir
}

#[test]
fn init_writes_a_config_that_assess_runs() {
    let dir = repo();
    let out = run(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("seaworthy.toml")).unwrap();
    assert!(
        text.contains("paths = [\"Dockerfile\"]") && text.contains("compose = [\"compose.yaml\"]")
    );
    let again = run(&["init"], dir.path());
    assert_eq!(
        again.status.code(),
        Some(2),
        "does not overwrite: {}",
        stderr(&again)
    );
    // The starter names an image that is not built here: skip that area.
    let out = run(&["assess", "--skip", "image", "-f", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let areas: Vec<&str> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(areas, ["dockerfile", "container"]);
    assert!(
        items(&report, "dockerfile")
            .iter()
            .any(|i| i["rule_id"] == "SW-DF-002")
    );
    assert!(
        items(&report, "container")
            .iter()
            .any(|i| i["rule_id"] == "SW-CTR-5.5")
    );
    let err = stderr(&out);
    assert!(err.contains("seaworthy: dockerfile: done:"), "{err}");
}

#[test]
fn selection_overrides_report_mode_and_every_output() {
    let dir = repo();
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\ndisable = [\"DL3008\"]\n\
         severity = { \"SW-DF-0[05]?\" = \"high\" }\n\n\
         [container]\ncompose = [\"compose.yaml\"]\nmode = \"report\"\n",
    )
    .unwrap();
    let out = run(
        &[
            "assess",
            "-f",
            "json",
            "-o",
            "sarif=out.sarif",
            "-o",
            "junit=out.xml",
            "-o",
            "markdown=out.md",
            "-o",
            "html=out.html",
            "-o",
            "table=out.txt",
        ],
        dir.path(),
    );
    let report = json(&out);
    let df = items(&report, "dockerfile");
    assert!(
        df.iter().all(|i| i["rule_id"] != "SW-DF-019"),
        "disabled by its hadolint id"
    );
    // SW-DF-002 (latest tag) and SW-DF-050 (SSH port) raised to high by one glob: they gate.
    for id in ["SW-DF-002", "SW-DF-050"] {
        let item = df.iter().find(|i| i["rule_id"] == id).unwrap();
        assert_eq!(
            (&item["severity"], &item["gating"]),
            (&Value::from("high"), &Value::from(true))
        );
    }
    assert_eq!(report["areas"][0]["status"], "fail");
    // The report-mode area shows its critical finding without gating.
    let container = &report["areas"][1];
    assert_eq!(container["status"], "warn", "{container:#}");
    assert!(
        items(&report, "container")
            .iter()
            .all(|i| i["gating"] == false)
    );
    assert_eq!(out.status.code(), Some(1), "{}\n{report:#}", stderr(&out));
    assert_eq!(report["summary"]["gating"], 2);
    for f in ["out.sarif", "out.xml", "out.md", "out.html", "out.txt"] {
        let len = std::fs::metadata(dir.path().join(f)).unwrap().len();
        assert!(len > 100, "{f}: {len} bytes");
    }
    assert!(
        std::fs::read_to_string(dir.path().join("out.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn a_baseline_marks_new_items_and_gates_on_them_only() {
    let dir = repo();
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\n",
    )
    .unwrap();
    let first = run(&["assess", "-f", "json", "-o", "base.json"], dir.path());
    assert_eq!(
        first.status.code(),
        Some(0),
        "medium findings only: {}",
        stderr(&first)
    );
    // A line moves and a new problem appears.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# base\nFROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\nEXPOSE 22\n\
         ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    .unwrap();
    let second = run(
        &[
            "assess",
            "--baseline",
            "base.json",
            "--fail-on-new",
            "-f",
            "json",
        ],
        dir.path(),
    );
    let report = json(&second);
    let new: Vec<&Value> = items(&report, "dockerfile")
        .into_iter()
        .filter(|i| i["change"] == "new")
        .collect();
    assert!(
        !new.is_empty()
            && new
                .iter()
                .all(|i| i["evidence"].as_str().unwrap_or("").contains("AWS")
                    || i["message"].as_str().unwrap_or("").contains("AWS")),
        "{new:#?}"
    );
    assert_eq!(report["baseline"]["new"], new.len());
    assert_eq!(second.status.code(), Some(1), "the new secret gates");
    // Without the secret and the EXPOSE: nothing new, one resolved.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# base\nFROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n",
    )
    .unwrap();
    let third = run(
        &[
            "assess",
            "--baseline",
            "base.json",
            "--fail-on-new",
            "-f",
            "json",
        ],
        dir.path(),
    );
    let report = json(&third);
    assert_eq!(third.status.code(), Some(0), "{report:#}");
    assert_eq!(report["baseline"]["new"], 0);
    let resolved = report["baseline"]["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "EXPOSE 22 is gone: {resolved:#?}");
    assert_eq!(resolved[0]["rule_id"], "SW-DF-050");
}

#[test]
fn bad_input_is_exit_2_with_the_reason() {
    let dir = repo();
    let cases: &[(&[&str], &str, &str)] = &[
        (&["assess", "-o", "pdf=x.pdf"], "", "unknown format `pdf`"),
        (
            &["assess", "--baseline", "missing.json"],
            "",
            "baseline missing.json",
        ),
        (
            &["assess", "--skip", "dockerfile,container"],
            "",
            "nothing to assess",
        ),
        (
            &["assess"],
            "[dockerfile]\npaths = [\"Dockerfile\"]\nmodee = \"gate\"\n",
            "modee",
        ),
        (
            &["assess"],
            "[dockerfile]\npaths = [\"Dockerfile\"]\nenable = [\"SW-[DF\"]\n",
            "SW-[DF",
        ),
        (
            &["assess"],
            "[dockerfile]\npaths = [\"nope/Dockerfile\"]\n",
            "nope/Dockerfile",
        ),
    ];
    for (args, config, expected) in cases {
        let cfg = dir.path().join("seaworthy.toml");
        if config.is_empty() {
            let _ = std::fs::remove_file(&cfg);
        } else {
            std::fs::write(&cfg, config).unwrap();
        }
        let out = run(args, dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?}: expected `{expected}` in {err}"
        );
    }
    std::fs::write(dir.path().join("junk.json"), "{not json").unwrap();
    let out = run(&["assess", "--baseline", "junk.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("junk.json"), "{}", stderr(&out));
}

/// Issue 19 item 4: a baseline that is not an assessment report (`{}`, a list, another command's
/// report, another schema major version) is exit 2 naming the file, never an empty baseline.
#[test]
fn a_baseline_that_is_not_an_assessment_is_refused() {
    let dir = repo();
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\n",
    )
    .unwrap();
    let lint = run(&["dockerfile", "-f", "json", "-o", "lint.json"], dir.path());
    assert_eq!(lint.status.code(), Some(0), "{}", stderr(&lint));
    let good = run(&["assess", "-f", "json", "-o", "good.json"], dir.path());
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let mut future: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("good.json")).unwrap()).unwrap();
    future["schema_version"] = "2.0.0".into();
    std::fs::write(dir.path().join("future.json"), future.to_string()).unwrap();
    std::fs::write(dir.path().join("empty.json"), "{}").unwrap();
    std::fs::write(dir.path().join("list.json"), "[1,2]").unwrap();
    std::fs::write(
        dir.path().join("kind.json"),
        r#"{"kind":"SECRET-KIND","schema_version":"1.0.0","areas":[]}"#,
    )
    .unwrap();
    for (file, why) in [
        ("empty.json", "not an assessment report"),
        ("list.json", "not an assessment report"),
        ("lint.json", "not an assessment report"),
        ("kind.json", "not an assessment report"),
        ("future.json", "schema_version"),
    ] {
        let out = run(&["assess", "--baseline", file], dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(&format!("baseline {file}:")) && err.contains(why),
            "{file}: {err}"
        );
        assert!(
            !err.contains("SECRET-KIND"),
            "the contents are not quoted: {err}"
        );
    }
    let out = run(&["assess", "--baseline", "good.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn areas(report: &Value) -> Vec<String> {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 19 item 5: without seaworthy.toml, `assess --image REF` (what the CI templates run)
/// assesses the image and the working directory's Dockerfiles and compose file; a directory
/// without Dockerfiles is then no error.
#[test]
fn image_without_a_config_adds_to_the_default_inputs() {
    let dir = repo();
    // The image cannot be read here (no database, no archive): its area is an error, exit 2,
    // and the report still holds every area.
    let out = run(
        &["assess", "--image", "oci-dir:missing", "-f", "json"],
        dir.path(),
    );
    let report = json(&out);
    assert_eq!(
        areas(&report),
        ["dockerfile", "image", "container"],
        "{}",
        stderr(&out)
    );
    assert!(!items(&report, "dockerfile").is_empty());
    assert!(!items(&report, "container").is_empty());

    let empty = tempfile::tempdir().unwrap();
    let out = run(
        &["assess", "--image", "oci-dir:missing", "-f", "json"],
        empty.path(),
    );
    let report = json(&out);
    assert_eq!(areas(&report), ["image"], "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("no Dockerfile found"),
        "{}",
        stderr(&out)
    );
}

/// Issue 19 item 3: an expired waiver fails the run only when the item it covered would gate
/// without it; otherwise it is an expired-waiver warning with its file:line.
#[test]
fn an_expired_waiver_fails_only_over_an_item_that_gates() {
    let dir = repo();
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\n\n[[waiver]]\nid = \"SW-DF-050\"\n\
         reason = \"ssh for the debug image\"\nexpires = 2021-06-30\n",
    )
    .unwrap();
    // EXPOSE 22 is medium: below the default threshold (high).
    let out = run(&["assess", "-f", "json"], dir.path());
    let report = json(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(report["passed"], true);
    assert!(report["waivers"]["expired"].as_array().unwrap().is_empty());
    assert_eq!(
        report["waivers"]["expired_warnings"][0]["source"],
        "seaworthy.toml:4"
    );
    assert!(
        err.contains("warning: waiver for SW-DF-050 at seaworthy.toml:4 expired on 2021-06-30"),
        "{err}"
    );
    // Gated at medium, the item gates: the expired waiver fails the run.
    let out = run(&["assess", "-f", "json", "--fail-on", "medium"], dir.path());
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        report["waivers"]["expired"][0]["source"],
        "seaworthy.toml:4"
    );
    assert!(report["waivers"].get("expired_warnings").is_none());
    assert!(
        stderr(&out).contains("policy failed: waiver for SW-DF-050 at seaworthy.toml:4"),
        "{}",
        stderr(&out)
    );
}
