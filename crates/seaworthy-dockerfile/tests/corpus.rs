//! Real Dockerfiles (testdata/corpus, origin in its SOURCES.md): our parser agrees with
//! parse-dockerfile (an independent BuildKit-compatible parser) on every instruction, and the
//! full lint result of each file is snapshotted.

use std::path::{Path, PathBuf};

use seaworthy_dockerfile::{Config, Dockerfile, LintOptions, lint};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    files
}

fn oracle_keywords(text: &str) -> Vec<String> {
    use parse_dockerfile::Instruction as I;
    let df = parse_dockerfile::parse(text).unwrap_or_else(|e| panic!("oracle failed: {e}"));
    df.instructions
        .iter()
        .map(|i| {
            match i {
                I::Add(_) => "ADD",
                I::Arg(_) => "ARG",
                I::Cmd(_) => "CMD",
                I::Copy(_) => "COPY",
                I::Entrypoint(_) => "ENTRYPOINT",
                I::Env(_) => "ENV",
                I::Expose(_) => "EXPOSE",
                I::From(_) => "FROM",
                I::Healthcheck(_) => "HEALTHCHECK",
                I::Label(_) => "LABEL",
                I::Maintainer(_) => "MAINTAINER",
                I::Onbuild(_) => "ONBUILD",
                I::Run(_) => "RUN",
                I::Shell(_) => "SHELL",
                I::Stopsignal(_) => "STOPSIGNAL",
                I::User(_) => "USER",
                I::Volume(_) => "VOLUME",
                I::Workdir(_) => "WORKDIR",
                _ => "?",
            }
            .to_string()
        })
        .collect()
}

#[test]
fn parser_agrees_with_an_independent_parser() {
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let ours = Dockerfile::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let keywords: Vec<String> = ours
            .instructions
            .iter()
            .map(|i| i.keyword.as_str().to_string())
            .collect();
        assert_eq!(keywords, oracle_keywords(&text), "{}", path.display());
    }
}

#[test]
fn lint_results_of_real_files() {
    let opts = LintOptions {
        config: Config {
            trusted_registries: vec!["docker.io".into(), "mcr.microsoft.com".into()],
            ..Config::default()
        },
        ..LintOptions::default()
    };
    for path in fixtures() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let bytes = std::fs::read(&path).unwrap_or_default();
        let df = Dockerfile::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut findings = lint(&name, &df, &opts);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let lines: Vec<String> = findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}: {}{}",
                    f.location.display(),
                    f.severity,
                    f.rule_id,
                    f.message,
                    if f.suppressed.is_some() {
                        " (suppressed)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        insta::assert_snapshot!(name.clone(), lines.join("\n"));
    }
}
