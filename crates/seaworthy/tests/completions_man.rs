//! Shell completions and man pages come from the clap definition: a real bash completes the
//! commands and options, and groff renders every page with the options the binary takes.
#![allow(clippy::expect_used)]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn seaworthy(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run seaworthy")
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

/// Asks bash's completion function what `words` (the last one being typed) complete to.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("seaworthy.bash");
    std::fs::write(&path, script).expect("write script");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let probe = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         _seaworthy seaworthy '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words.len() - 1,
        words.join(" "),
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_their_options() {
    let script = stdout(&seaworthy(&["completions", "bash"]));
    assert_eq!(bash_complete(&script, &["seaworthy", "as"]), ["assess"]);
    let image = bash_complete(&script, &["seaworthy", "image", "--fail-on-k"]);
    assert_eq!(image, ["--fail-on-kev"]);
    let mut image = bash_complete(&script, &["seaworthy", "image", "--fail"]);
    image.sort();
    assert_eq!(image, ["--fail-on", "--fail-on-epss", "--fail-on-kev"]);
    let db = bash_complete(&script, &["seaworthy", "db", "up"]);
    assert_eq!(db, ["update"]);
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&seaworthy(&["completions", shell]));
        for command in [
            "assess",
            "dockerfile",
            "image",
            "container",
            "host",
            "completions",
        ] {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
    }
    let bad = seaworthy(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_pages_for_every_command_render_with_groff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = seaworthy(&["man", "--dir", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "seaworthy.1",
        "seaworthy-assess.1",
        "seaworthy-image.1",
        "seaworthy-db-update.1",
        "seaworthy-completions.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page} missing");
    }
    let rendered = Command::new("groff")
        .args(["-man", "-Tascii", "-P-cbou"])
        .arg(dir.path().join("seaworthy-image.1"))
        .output()
        .expect("run groff");
    assert!(rendered.status.success());
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("--fail-on"), "{text}");
    assert!(text.contains("--ignore-unfixed"), "{text}");

    let main_page = stdout(&seaworthy(&["man"]));
    assert!(
        main_page.starts_with(".ie") || main_page.contains(".TH seaworthy 1"),
        "{main_page}"
    );
}
