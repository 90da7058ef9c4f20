//! ShellCheck on RUN (issue 19 item 15): the real `shellcheck` program (Debian's package, which
//! scripts/test installs) on the RUN scripts of a fixture, each comment at its Dockerfile line
//! and column; and the bounds on a `shellcheck` that hangs, floods or refuses its options.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use seaworthy_core::{Finding, Location, Position, Severity};
use seaworthy_dockerfile::shellcheck::{Checked, ShellCheck};
use seaworthy_dockerfile::{Config, LintOptions, lint_file};

const FIXTURE: &str = include_str!("../testdata/shellcheck/Dockerfile");

fn shellcheck() -> Option<ShellCheck> {
    let found = ShellCheck::find();
    if found.is_none() {
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

fn check_with(sc: &ShellCheck, text: &str, config: Config) -> Checked {
    let opts = LintOptions {
        config,
        shellcheck: true,
        ..LintOptions::default()
    };
    let linted = lint_file("Dockerfile", text.as_bytes(), &opts)
        .unwrap_or_else(|e| panic!("fixture does not parse: {e}"));
    let scripts = linted.scripts.expect("scripts gathered");
    sc.check(&[&scripts], &opts.config)
}

fn start(f: &Finding) -> Position {
    match &f.location {
        Location::File { span, .. } => span.start,
        other => panic!("not a file location: {other:?}"),
    }
}

/// `line:column id` of each SC finding, `(suppressed)` when a pragma silenced it.
fn positions(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let s = start(f);
            let quiet = if f.suppressed.is_some() {
                " (suppressed)"
            } else {
                ""
            };
            format!("{}:{} {}{quiet}", s.line, s.column, f.rule_id)
        })
        .collect()
}

#[test]
fn comments_land_on_the_dockerfile_line_and_column() {
    let Some(sc) = shellcheck() else { return };
    let checked = check_with(&sc, FIXTURE, Config::default());
    assert_eq!(checked.notes, Vec::<String>::new());
    let found = positions(&checked.findings[0]);
    assert_eq!(
        found,
        [
            // A RUN line, a continuation line (the comment line between is dropped, as BuildKit
            // does), a lower-case name no ARG or ENV declares. Declared names are not flagged
            // (as in hadolint: ShellCheck knows their value is one word).
            "4:10 SC2086",
            "6:13 SC2086",
            "8:25 SC2154",
            // `# hadolint ignore=SC2086` and `# seaworthy ignore=SC2086` above the RUN.
            "10:10 SC2086 (suppressed)",
            "12:10 SC2086 (suppressed)",
            // The exec-form RUN of line 13 is no script. A heredoc body:
            "15:6 SC2086",
            // `[[` is not POSIX sh; under SHELL bash it is fine.
            "17:5 SC3010",
            "19:29 SC2086",
            // The child stage inherits bash, not the parent's ARG.
            "22:30 SC2154",
            // A new stage is back to /bin/sh; the PowerShell stage is not checked at all.
            "25:5 SC3010",
        ],
        "{:#?}",
        checked.findings[0]
    );
    let f = &checked.findings[0][0];
    assert_eq!(f.severity, Severity::Low, "info is low, as hadolint's info");
    assert_eq!(
        f.title,
        "Double quote to prevent globbing and word splitting."
    );
    assert_eq!(f.evidence.as_deref(), Some("$FOO"));
    assert_eq!(
        f.remediation,
        "ShellCheck's fix: `$FOO` → `\"$FOO\"`. SC2086 explained: \
         https://www.shellcheck.net/wiki/SC2086"
    );
    assert!(f.message.contains("checked as sh"), "{}", f.message);
    let bash = checked.findings[0]
        .iter()
        .find(|f| start(f).line == 19)
        .expect("line 19");
    assert!(bash.message.contains("checked as bash"), "{}", bash.message);
    let hadolint = checked.findings[0][3]
        .suppressed
        .as_ref()
        .map(|s| s.kind.as_str());
    assert_eq!(hadolint, Some("hadolint-pragma"));
}

#[test]
fn config_disables_and_overrides_shellcheck_codes() {
    let Some(sc) = shellcheck() else { return };
    let mut config = Config::default();
    config.disabled.insert("SC2086".into());
    config.severity.insert("SC3010".into(), Severity::High);
    let checked = check_with(&sc, FIXTURE, config);
    let found = positions(&checked.findings[0]);
    assert_eq!(
        found,
        ["8:25 SC2154", "17:5 SC3010", "22:30 SC2154", "25:5 SC3010"]
    );
    assert!(
        checked.findings[0]
            .iter()
            .filter(|f| f.rule_id == "SC3010")
            .all(|f| f.severity == Severity::High)
    );
}

#[test]
fn a_script_seen_twice_is_checked_once_and_reported_for_each_file() {
    let Some(sc) = shellcheck() else { return };
    let opts = LintOptions {
        shellcheck: true,
        ..LintOptions::default()
    };
    let a = lint_file("a/Dockerfile", b"FROM alpine\nRUN echo $A\n", &opts).unwrap();
    let b = lint_file("b/Dockerfile", b"FROM alpine\n\n\nRUN echo $A\n", &opts).unwrap();
    let (a, b) = (a.scripts.unwrap(), b.scripts.unwrap());
    assert_eq!(a.texts().collect::<Vec<_>>(), b.texts().collect::<Vec<_>>());
    let checked = sc.check(&[&a, &b], &opts.config);
    assert_eq!(positions(&checked.findings[0]), ["2:10 SC2086"]);
    assert_eq!(positions(&checked.findings[1]), ["4:10 SC2086"]);
    assert_eq!(
        checked.findings[1][0].location.path(),
        "b/Dockerfile",
        "each file's own path"
    );
}

/// ONBUILD RUN triggers are checked as hadolint checks them: the script starts after
/// `ONBUILD RUN `, in the stage's SHELL; pragmas apply; exec form is no script.
#[test]
fn onbuild_run_scripts_are_checked_at_their_line_and_column() {
    let Some(sc) = shellcheck() else { return };
    let text = "FROM alpine:3.20\n\
                ONBUILD RUN echo $1\n\
                ONBUILD RUN [\"echo\", \"$1\"]\n\
                # hadolint ignore=SC2086\n\
                ONBUILD RUN echo $1\n\
                onbuild  run --network=none echo \\\n  \"$1\" $2\n\
                ONBUILD RUN <<EOF\necho $1\nEOF\n\
                SHELL [\"/bin/bash\", \"-c\"]\n\
                ONBUILD RUN [[ -n \"$1\" ]] && echo $1\n\
                RUN echo $1\n";
    let checked = check_with(&sc, text, Config::default());
    assert_eq!(checked.notes, Vec::<String>::new());
    assert_eq!(
        positions(&checked.findings[0]),
        [
            "2:18 SC2086",
            "5:18 SC2086 (suppressed)",
            "7:8 SC2086",
            "9:6 SC2086",
            "12:35 SC2086",
            "13:10 SC2086",
        ],
        "{:#?}",
        checked.findings[0]
    );
    let bash = checked.findings[0]
        .iter()
        .find(|f| start(f).line == 12)
        .expect("line 12");
    assert!(bash.message.contains("checked as bash"), "{}", bash.message);
    // The rules do not see the triggers (they run in another build); only ShellCheck does.
    let opts = LintOptions::default();
    let linted = lint_file("Dockerfile", b"FROM alpine\nONBUILD RUN echo $1\n", &opts).unwrap();
    assert!(linted.scripts.is_none());
}

/// A stand-in `shellcheck`: a shell script in a directory of its own. `install` writes it, so
/// no process of this test binary (whose other tests fork) ever holds it open for writing, which
/// would make running it fail with "text file busy".
fn fake(dir: &Path, body: &str) -> PathBuf {
    let source = dir.join("shellcheck.txt");
    std::fs::write(&source, format!("#!/bin/sh\n{body}\n")).unwrap();
    let path = dir.join("shellcheck");
    let installed = std::process::Command::new("install")
        .args(["-m", "755"])
        .arg(&source)
        .arg(&path)
        .status()
        .unwrap();
    assert!(installed.success());
    path
}

/// Five RUN scripts, all different.
const FIVE: &str = "FROM alpine\nRUN echo $A\nRUN echo $B\nRUN echo $C\nRUN echo $D\nRUN echo $E\n";

#[test]
fn a_hanging_shellcheck_is_killed_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let sc =
        ShellCheck::at(fake(dir.path(), "exec sleep 60")).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let checked = check_with(&sc, FIVE, Config::default());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(checked.findings[0].is_empty());
    assert_eq!(checked.notes.len(), 5, "{:#?}", checked.notes);
    assert!(
        checked.notes.iter().all(|n| n.starts_with("Dockerfile:")
            && (n.contains("timed out after 0.3 s") || n.contains("was not run"))),
        "{:#?}",
        checked.notes
    );
}

#[test]
fn a_flooding_shellcheck_is_cut_off_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let sc = ShellCheck::at(fake(dir.path(), "exec yes"));
    let checked = check_with(&sc, FIVE, Config::default());
    assert!(checked.findings[0].is_empty());
    assert_eq!(checked.notes.len(), 5, "{:#?}", checked.notes);
    assert!(
        checked.notes[0].contains("more than 32 MiB of output"),
        "{:#?}",
        checked.notes
    );
}

#[test]
fn a_shellcheck_refusing_its_options_is_one_note() {
    let dir = tempfile::tempdir().unwrap();
    let sc = ShellCheck::at(fake(
        dir.path(),
        "echo 'unrecognized option --norc' >&2; exit 4",
    ));
    let checked = check_with(&sc, FIVE, Config::default());
    assert_eq!(
        checked.notes,
        [
            "shellcheck refused its options (exit 4: unrecognized option --norc); seaworthy needs \
          ShellCheck 0.8 or later: SC checks skipped"
        ]
    );
}

#[test]
fn shellcheck_is_found_on_path_only_when_there() {
    let dir = tempfile::tempdir().unwrap();
    assert!(ShellCheck::find_in(dir.path().as_os_str()).is_none());
    let program = fake(dir.path(), "exit 0");
    let found = ShellCheck::find_in(dir.path().as_os_str()).map(|s| s.program().to_path_buf());
    assert_eq!(found, Some(program));
}

#[test]
fn results_are_reused_from_the_cache_for_the_same_program_and_options() {
    let Some(sc) = shellcheck() else { return };
    let cache = tempfile::tempdir().unwrap();
    let sc = sc.with_cache(cache.path().join("seaworthy"));
    let first = check_with(&sc, FIXTURE, Config::default());
    let file = cache.path().join("seaworthy/shellcheck-cache.json");
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(
        stored.contains("Double quote to prevent globbing"),
        "{stored}"
    );
    // A hit is what the file says: change it, and the next run reports the change.
    std::fs::write(
        &file,
        stored.replace("Double quote to prevent globbing", "From the cache"),
    )
    .unwrap();
    let second = check_with(&sc, FIXTURE, Config::default());
    assert_eq!(
        positions(&second.findings[0]),
        positions(&first.findings[0])
    );
    assert!(second.findings[0][0].title.starts_with("From the cache"));
    // Other options (an exclusion) start the cache afresh.
    let mut config = Config::default();
    config.disabled.insert("SC3010".into());
    let third = check_with(&sc, FIXTURE, config);
    assert!(third.findings[0][0].title.starts_with("Double quote"));
    assert_eq!(third.notes, Vec::<String>::new());
}
