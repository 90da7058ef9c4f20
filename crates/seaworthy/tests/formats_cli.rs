//! Report formats through the binary: the format a `--output` file name implies, the formats
//! each command writes, and the `SEAWORTHY_*` variables of every option.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

#[path = "support/bookworm_py.rs"]
mod bookworm_py;
#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn run_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("CI", "true")
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap()
}

fn run(args: &[&str], dir: &Path) -> Output {
    run_env(args, dir, &[])
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// A repository with one Dockerfile (medium findings) named by seaworthy.toml.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\nEXPOSE 22\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\n",
    )
    .unwrap();
    dir
}

#[test]
fn output_file_names_its_format_or_the_run_is_refused() {
    let dir = repo();
    let p = dir.path();
    // Inferred from the extension.
    for (file, check) in [
        ("out.sarif", "\"runs\""),
        ("out.json", "\"findings\""),
        ("out.junit.xml", "<testsuites"),
        ("report.txt", "SW-DF-"),
    ] {
        let out = run(&["dockerfile", "Dockerfile", "-o", file], p);
        assert!(code(&out) <= 1, "{file}: {}", stderr(&out));
        let text = read(p, file);
        assert!(text.contains(check), "{file}: {text}");
    }
    let sarif: serde_json::Value = serde_json::from_str(&read(p, "out.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // A format the command does not write: exit 2, nothing written.
    let out = run(&["dockerfile", "Dockerfile", "-o", "out.html"], p);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("html"), "{}", stderr(&out));
    assert!(!p.join("out.html").exists());
    // --format and a file named for another format: exit 2, nothing written.
    let out = run(
        &["dockerfile", "Dockerfile", "-f", "json", "-o", "x.sarif"],
        p,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!p.join("x.sarif").exists());
    let out = run_env(
        &["dockerfile", "Dockerfile", "-o", "y.sarif"],
        p,
        &[("SEAWORTHY_FORMAT", "table")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A JSON format may go to a plain .json file.
    let out = run(
        &["dockerfile", "Dockerfile", "-f", "sarif", "-o", "s.json"],
        p,
    );
    assert!(code(&out) <= 1, "{}", stderr(&out));
    assert!(read(p, "s.json").contains("\"runs\""));
    // sbom, image, vex and host check the name before any work.
    for args in [
        &["sbom", "missing.tar", "-o", "x.sarif"][..],
        &["image", "missing.tar", "-o", "x.spdx.json"],
        &["vex", "missing.tar", "-o", "x.sarif"],
        &["host", "-o", "x.cdx.json"],
    ] {
        let out = run(args, p);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--output"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // assess: a plain FILE takes the format of its name.
    let out = run(&["assess", "-o", "a.sarif", "-o", "a.html"], p);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    assert!(read(p, "a.sarif").contains("\"runs\""));
    assert!(read(p, "a.html").contains("<html"));
    assert!(out.stdout.is_empty());
    let out = run(&["assess", "-f", "json", "-o", "b.sarif"], p);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!p.join("b.sarif").exists());
}

#[test]
fn skip_color_and_progress_variables_take_effect() {
    let dir = repo();
    let p = dir.path();
    let out = run_env(&["assess"], p, &[("SEAWORTHY_SKIP", "dockerfile")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing to assess"),
        "{}",
        stderr(&out)
    );
    let out = run_env(
        &["dockerfile", "Dockerfile"],
        p,
        &[("SEAWORTHY_COLOR", "always")],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    // In CI, progress is one line per area step; SEAWORTHY_PROGRESS=never silences it.
    let out = run(&["assess"], p);
    assert!(
        stderr(&out).contains("dockerfile: started"),
        "{}",
        stderr(&out)
    );
    let out = run_env(&["assess"], p, &[("SEAWORTHY_PROGRESS", "never")]);
    assert!(!stderr(&out).contains("started"), "{}", stderr(&out));
}

#[test]
fn quiet_keeps_errors_only() {
    let dir = repo();
    let p = dir.path();
    // In CI the areas' steps are lines on stderr; quiet leaves them out, the report unchanged.
    let loud = run(&["assess", "-f", "json"], p);
    assert!(stderr(&loud).contains("started"), "{}", stderr(&loud));
    for args in [
        &["-q", "assess", "-f", "json"][..],
        &["assess", "--quiet", "-f", "json"],
    ] {
        let out = run(args, p);
        assert_eq!(code(&out), code(&loud), "{}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
        let (a, b): (serde_json::Value, serde_json::Value) = (
            serde_json::from_slice(&out.stdout).unwrap(),
            serde_json::from_slice(&loud.stdout).unwrap(),
        );
        assert_eq!(a["summary"], b["summary"]);
    }
    let out = run_env(&["assess", "-f", "json"], p, &[("SEAWORTHY_QUIET", "true")]);
    assert_eq!(stderr(&out), "");
    // What was done is a note too.
    let out = run(&["man", "--dir", "man1"], p);
    assert!(!stderr(&out).is_empty());
    let out = run(&["man", "-q", "--dir", "man1"], p);
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "");
    // Errors still go out.
    let out = run(&["dockerfile", "-q", "missing/Dockerfile"], p);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("error"), "{}", stderr(&out));
}

/// An OCI layout (bookworm's dpkg status, and `py` 1.11.0 in a second layer) and a database of
/// real advisories for both: the image runs as root (SW-IMG-001, high) and has two
/// vulnerabilities (nothing rates them: `unknown`).
fn image_and_db(dir: &Path) -> (String, String) {
    (bookworm_py::image(dir), bookworm_py::import(dir))
}

#[test]
fn image_writes_junit_and_github() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let (img, db) = image_and_db(p);
    let out = run(&["image", &img, "--db", &db, "-f", "junit"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(xml.contains("<testsuite name=\"image\""), "{xml}");
    assert!(xml.contains("CVE-2022-42969 in py 1.11.0"), "{xml}");
    assert!(xml.contains("CVE-2026-27171"), "{xml}");
    // The root user gates (high), the medium vulnerabilities pass.
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert!(xml.contains("SW-IMG-001"), "{xml}");

    // The same from the variable, and into a file named for it.
    let out = run_env(
        &["image", &img, "--db", &db, "-o", "image.junit.xml"],
        p,
        &[("SEAWORTHY_FORMAT", "junit")],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(read(p, "image.junit.xml").contains("<testsuite name=\"image\""));

    let out = run(&["image", &img, "--db", &db, "-f", "github"], p);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("::error ") && l.contains("SW-IMG-001")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("::warning ") && l.contains("CVE-2022-42969")),
        "{log}"
    );
}

#[test]
fn a_format_from_the_environment_is_named_in_its_error() {
    let dir = repo();
    let p = dir.path();
    let out = run_env(
        &["image", "missing.tar"],
        p,
        &[("SEAWORTHY_FORMAT", "html")],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SEAWORTHY_FORMAT"),
        "{}",
        stderr(&out)
    );
    // Typed on the command line, the flag is the culprit.
    let out = run(&["image", "missing.tar", "-f", "html"], p);
    assert_eq!(code(&out), 2);
    assert!(
        !stderr(&out).contains("SEAWORTHY_FORMAT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dockerfile_markdown_and_assess_github() {
    let dir = repo();
    let p = dir.path();
    std::fs::write(
        p.join("Dockerfile.evil"),
        "FROM ubuntu:latest\nEXPOSE 22\nLABEL x=\"<script>|@here\"\nUSER root\n",
    )
    .unwrap();
    let out = run(
        &[
            "dockerfile",
            "Dockerfile",
            "Dockerfile.evil",
            "-f",
            "markdown",
        ],
        p,
    );
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(md.starts_with("## seaworthy: "), "{md}");
    assert!(md.contains("| Severity | Rule |"), "{md}");
    assert!(md.contains("SW-DF-"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    let out = run(&["dockerfile", "Dockerfile", "-o", "lint.md"], p);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    assert!(read(p, "lint.md").starts_with("## seaworthy: "));

    let out = run(&["assess", "-f", "github"], p);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!log.is_empty());
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    assert!(log.contains("file=Dockerfile,line="), "{log}");
}

#[test]
fn host_writes_github() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("root/etc")).unwrap();
    let root = p.join("root");
    let args = [
        "host",
        "--root",
        root.to_str().unwrap(),
        "--no-daemon",
        "--no-packages",
        "--level",
        "2",
        "-f",
        "github",
    ];
    let out = run(&args, p);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    assert!(!log.contains("::error"), "report only: {log}");
}

/// Issue 19 item 6: every SARIF the commands write uploads to GitHub code scanning: each result
/// has a repository-relative physical location, a fingerprint and a rule with help. `assess`
/// points image results without a Dockerfile line at the `seaworthy.toml` line naming the image
/// and host results at the line that enabled the host area.
#[test]
fn every_sarif_meets_github_upload_rules() {
    use seaworthy_report::sarif_upload::github_upload_problems;
    let dir = repo();
    let p = dir.path();
    let (img, db) = image_and_db(p);
    std::fs::create_dir_all(p.join("root/etc/docker")).unwrap();
    std::fs::write(p.join("root/etc/docker/daemon.json"), "{\"icc\": true}\n").unwrap();
    std::fs::write(
        p.join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.25\n    privileged: true\n    ports: [\"22:22\"]\n",
    )
    .unwrap();
    std::fs::write(
        p.join("seaworthy.toml"),
        format!(
            "[dockerfile]\npaths = [\"Dockerfile\"]\n\n[image]\ntargets = [\n  \"{img}\",\n]\n\n[host]\nenabled = true\nroot = \"root\"\ndaemon = false\npackages = false\n"
        ),
    )
    .unwrap();
    let root = p.join("root");
    let commands: Vec<Vec<&str>> = vec![
        vec!["dockerfile", "Dockerfile"],
        vec!["compose", "compose.yaml"],
        vec![
            "run",
            "--",
            "docker",
            "run",
            "--privileged",
            "-p",
            "22:22",
            "nginx:1.25",
        ],
        vec!["image", &img, "--db", &db],
        vec![
            "host",
            "--root",
            root.to_str().unwrap(),
            "--no-daemon",
            "--no-packages",
        ],
        vec!["assess", "--db", &db],
    ];
    for command in commands {
        let mut args = vec![command[0], "-f", "sarif"];
        args.extend(&command[1..]);
        let out = run(&args, p);
        assert!(code(&out) <= 1, "{command:?}: {}", stderr(&out));
        let log: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{command:?}: {e}"));
        let results: usize = log["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["results"].as_array().map_or(0, Vec::len))
            .sum();
        assert!(results > 0, "{command:?} reports something");
        let problems = github_upload_problems(&log);
        assert!(problems.is_empty(), "{command:?}: {problems:#?}");
        if command[0] == "assess" {
            let runs = log["runs"].as_array().unwrap();
            let area = |name: &str| {
                runs.iter()
                    .find(|r| r["properties"]["area"] == name)
                    .unwrap_or_else(|| panic!("no {name} run"))
            };
            // SW-IMG-001 (root user) has no Dockerfile line: the config line naming the image.
            let root_user = area("image")["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["ruleId"] == "SW-IMG-001")
                .expect("the root-user finding");
            let at = &root_user["locations"][0]["physicalLocation"];
            assert_eq!(at["artifactLocation"]["uri"], "seaworthy.toml");
            assert_eq!(at["region"]["startLine"], 6);
            let host = &area("host")["results"][0]["locations"][0]["physicalLocation"];
            assert_eq!(host["artifactLocation"]["uri"], "seaworthy.toml");
            assert_eq!(host["region"]["startLine"], 10, "the `enabled = true` line");
        }
    }
}

/// Issue 19 item 9: variables a CI job sets for every command neither break a command they do
/// not apply to (`SEAWORTHY_TARGET` without `--dockerfile`, `SEAWORTHY_FAIL_ON_NEW` without a
/// baseline) nor need `true`: `1`, `yes` and `on` are understood.
#[test]
fn job_wide_variables_are_understood_and_never_break_a_command() {
    let dir = repo();
    let p = dir.path();
    let (img, _db) = image_and_db(p);
    let env = [
        ("SEAWORTHY_QUIET", "1"),
        ("SEAWORTHY_TARGET", "runtime"),
        ("SEAWORTHY_BUILD_ARGS", "V=1"),
        ("SEAWORTHY_IGNORE_BASE", "yes"),
        ("SEAWORTHY_FAIL_ON_NEW", "on"),
        ("SEAWORTHY_SCANNERS", "config"),
    ];
    let out = run_env(&["image", &img, "-f", "json"], p, &env);
    assert_eq!(code(&out), 1, "the root user gates: {}", stderr(&out));
    assert!(stderr(&out).is_empty(), "quiet: {}", stderr(&out));
    let out = run_env(&["image", &img, "-f", "json"], p, &env[1..]);
    assert!(
        stderr(&out).contains("no effect without --dockerfile"),
        "{}",
        stderr(&out)
    );
    // --fail-on-new without a baseline: every item still gates (a note says why nothing changed).
    let out = run_env(&["assess", "--fail-on", "low"], p, &env[1..]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--fail-on-new has no effect without --baseline"),
        "{}",
        stderr(&out)
    );
    let out = run_env(
        &["dockerfile", "Dockerfile"],
        p,
        &[("SEAWORTHY_QUIET", "maybe")],
    );
    assert_eq!(code(&out), 2, "a value that is no boolean is a usage error");
    assert!(stderr(&out).contains("SEAWORTHY_QUIET"), "{}", stderr(&out));
}
