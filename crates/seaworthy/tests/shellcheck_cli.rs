//! ShellCheck for hadolint users (issue 19 item 15), end to end: SC findings in the report at
//! the Dockerfile line and column, silenced by `# hadolint ignore=`, `.hadolint.yaml` and
//! seaworthy.toml; `explain SC2086`; one note when `shellcheck` is not on PATH.
#![allow(clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

const DOCKERFILE: &str = "FROM debian:12
RUN echo $FOO
RUN apt-get update \\
    && echo $FOO
# hadolint ignore=SC2086
RUN echo $FOO
RUN [[ -n \"$FOO\" ]]
";

/// Runs seaworthy in `dir` with a clean environment, `PATH` as given (or as inherited).
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    // ShellCheck's results are kept between runs: here in the project, not the user's cache.
    cmd.env("XDG_CACHE_HOME", dir.join(".cache"));
    cmd.envs(env.iter().copied());
    cmd.stdin(Stdio::null()).output().expect("run seaworthy")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// `line:column id` of the SC findings, `(suppressed)` when something silenced them.
fn sc_findings(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"].as_str().is_some_and(|id| id.starts_with("SC")))
        .map(|f| {
            let start = &f["location"]["span"]["start"];
            let quiet = if f["suppressed"].is_null() {
                ""
            } else {
                " (suppressed)"
            };
            format!(
                "{}:{} {}{quiet}",
                start["line"],
                start["column"],
                f["rule_id"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn shellcheck_installed() -> bool {
    let found = Command::new("shellcheck")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let required = std::env::var_os("SEAWORTHY_REQUIRE_DOCKER").is_some_and(|v| v == "1")
            || std::env::var_os("CI").is_some();
        assert!(
            !required,
            "shellcheck is required here (scripts/test installs it: apt-get install shellcheck)"
        );
        eprintln!("skipping: shellcheck not installed (apt-get install shellcheck)");
    }
    found
}

const LINT: &[&str] = &["dockerfile", "-f", "json", "--fail-on", "none"];

#[test]
fn sc_findings_are_reported_and_silenced_as_hadolint_users_expect() {
    if !shellcheck_installed() {
        return;
    }
    let dir = project(&[("Dockerfile", DOCKERFILE), ("Dockerfile.two", DOCKERFILE)]);
    let o = run_in(dir.path(), LINT, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("shellcheck"), "{}", stderr(&o));
    let report = json(&o);
    let expected = [
        "2:10 SC2086",
        "4:13 SC2086",
        "6:10 SC2086 (suppressed)",
        "7:5 SC3010",
    ];
    // Both files (one batch of processes for the run), each finding at its own path.
    let all = sc_findings(&report);
    assert_eq!(all.len(), 2 * expected.len(), "{all:#?}");
    for f in report["findings"].as_array().into_iter().flatten() {
        if f["rule_id"] == "SC2086" && f["location"]["span"]["start"]["line"] == 2 {
            assert_eq!(f["severity"], "low");
            assert_eq!(f["references"][0], "shellcheck:SC2086");
            assert!(
                f["remediation"]
                    .as_str()
                    .is_some_and(|r| r.contains("https://www.shellcheck.net/wiki/SC2086")),
                "{f}"
            );
        }
    }
    let one = run_in(dir.path(), &[LINT, &["Dockerfile"]].concat(), &[]);
    assert_eq!(sc_findings(&json(&one)), expected);
    // Kept between runs; the same findings without the cache.
    assert!(
        dir.path()
            .join(".cache/seaworthy/shellcheck-cache.json")
            .is_file()
    );
    let fresh = run_in(
        dir.path(),
        &[LINT, &["--no-shellcheck-cache", "Dockerfile"]].concat(),
        &[],
    );
    assert_eq!(json(&fresh)["findings"], json(&one)["findings"]);

    // .hadolint.yaml `ignored`, and its `override` levels.
    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored: [SC2086]\noverride:\n  error: [SC3010]\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &[LINT, &["Dockerfile"]].concat(), &[]);
    let report = json(&o);
    assert_eq!(sc_findings(&report), ["7:5 SC3010"]);
    let sc3010 = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule_id"] == "SC3010");
    assert_eq!(
        sc3010.map(|f| &f["severity"]),
        Some(&"high".into()),
        "{report}"
    );
    // seaworthy.toml: `[rules] disable`, the ShellCheck code as it is.
    std::fs::remove_file(dir.path().join(".hadolint.yaml")).expect("rm");
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[rules]\ndisable = [\"SC3010\", \"sc2086\"]\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &[LINT, &["Dockerfile"]].concat(), &[]);
    assert_eq!(sc_findings(&json(&o)), Vec::<String>::new());
}

#[test]
fn shellcheck_can_be_turned_off() {
    if !shellcheck_installed() {
        return;
    }
    let dir = project(&[("Dockerfile", DOCKERFILE)]);
    let o = run_in(dir.path(), &[LINT, &["--no-shellcheck"]].concat(), &[]);
    assert_eq!(sc_findings(&json(&o)), Vec::<String>::new());
    let o = run_in(dir.path(), LINT, &[("SEAWORTHY_NO_SHELLCHECK", "true")]);
    assert_eq!(sc_findings(&json(&o)), Vec::<String>::new());
    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\nshellcheck = false\n",
    )
    .expect("write");
    let o = run_in(dir.path(), LINT, &[]);
    assert_eq!(sc_findings(&json(&o)), Vec::<String>::new());
    assert_eq!(stderr(&o), "", "turned off, nothing to note");
}

#[test]
fn without_shellcheck_on_path_the_run_notes_it_once() {
    let dir = project(&[("Dockerfile", DOCKERFILE), ("Dockerfile.two", DOCKERFILE)]);
    let empty = tempfile::tempdir().expect("tempdir");
    let path = empty.path().to_str().expect("utf-8 path");
    let o = run_in(dir.path(), LINT, &[("PATH", path)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(sc_findings(&json(&o)), Vec::<String>::new());
    let notes: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.contains("shellcheck"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        notes,
        [
            "seaworthy: note: shellcheck not found: SC checks skipped (install the shellcheck \
          package, or --no-shellcheck)"
        ]
    );
    // The DL rules ran as ever.
    assert!(
        json(&o)["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    // Quiet, or turned off: no note.
    let o = run_in(
        dir.path(),
        &["-q", LINT[0], LINT[1], LINT[2]],
        &[("PATH", path)],
    );
    assert_eq!(stderr(&o), "");
    let o = run_in(
        dir.path(),
        &[LINT, &["--no-shellcheck"]].concat(),
        &[("PATH", path)],
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn explain_knows_shellcheck_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run_in(dir.path(), &["explain", "SC2086"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("SC2086 (shellcheck): "), "{text}");
    assert!(
        text.contains("https://www.shellcheck.net/wiki/SC2086"),
        "{text}"
    );
    assert!(text.contains("# hadolint ignore=SC2086"), "{text}");
    let o = run_in(dir.path(), &["explain", "SC20x"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

/// Waivers, and `assess`'s `[dockerfile] enable`/`disable` globs, take SC codes.
#[test]
fn waivers_and_assess_selection_take_sc_codes() {
    if !shellcheck_installed() {
        return;
    }
    let dir = project(&[
        ("Dockerfile", DOCKERFILE),
        (
            "seaworthy.toml",
            "[[waiver]]\nid = \"SC2086\"\nreason = \"splitting wanted\"\nexpires = 2099-01-01\n",
        ),
    ]);
    let o = run_in(
        dir.path(),
        &["dockerfile", "-f", "json", "--fail-on", "info"],
        &[],
    );
    let report = json(&o);
    let how: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule_id"].as_str().is_some_and(|id| id.starts_with("SC")))
        .map(|f| {
            format!(
                "{} {}",
                f["rule_id"].as_str().unwrap_or(""),
                f["suppressed"]["kind"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        how,
        [
            "SC2086 waiver",
            "SC2086 waiver",
            "SC2086 hadolint-pragma",
            "SC3010 -"
        ],
        "{}",
        stderr(&o)
    );

    std::fs::write(
        dir.path().join("seaworthy.toml"),
        "[dockerfile]\npaths = [\"Dockerfile\"]\nenable = [\"SC*\"]\ndisable = [\"SC3010\"]\n",
    )
    .expect("write");
    let o = run_in(
        dir.path(),
        &["assess", "--skip", "image,container,host", "-f", "json"],
        &[],
    );
    let report = json(&o);
    let ids: std::collections::BTreeSet<&str> = report["areas"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["area"] == "dockerfile")
        .flat_map(|a| a["items"].as_array().into_iter().flatten())
        .filter_map(|i| i["rule_id"].as_str())
        .collect();
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["SC2086"],
        "{}",
        stderr(&o)
    );
}
