//! The report format of a run when `--output FILE` names one by its extension: `-o out.sarif`
//! without `--format` writes SARIF; a `--format` that contradicts the file's name, or an
//! extension whose format the command cannot write, is a usage error (exit 2). One format is
//! never written under another's name.

use std::path::Path;

use clap::ArgMatches;
use clap::ValueEnum;
use clap::parser::ValueSource;

use crate::cli::{Cli, Command};

/// The format a file name stands for: `.sarif`, `.cdx.json`, `.spdx.json`, `.vex.json`,
/// `.json`, `.xml` (and `.junit.xml`), `.html`, `.md`. Other names say nothing.
pub fn by_extension(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let ends = |s: &str| name.len() > s.len() && name.ends_with(s);
    Some(if ends(".cdx.json") || ends(".cyclonedx.json") {
        "cyclonedx"
    } else if ends(".spdx.json") {
        "spdx"
    } else if ends(".vex.json") || ends(".openvex.json") {
        "openvex"
    } else if ends(".sarif") || ends(".sarif.json") {
        "sarif"
    } else if ends(".json") {
        "json"
    } else if ends(".xml") {
        "junit"
    } else if ends(".html") || ends(".htm") {
        "html"
    } else if ends(".md") || ends(".markdown") {
        "markdown"
    } else {
        return None;
    })
}

/// Formats whose output is a JSON document: any of them may go to a plain `.json` file.
fn is_json(format: &str) -> bool {
    matches!(format, "json" | "sarif" | "cyclonedx" | "spdx" | "openvex")
}

/// Settles `format` against `output`: inferred from the extension when `--format` (or its
/// variable) was not given, checked against it when it was.
pub fn settle<F: ValueEnum>(
    command: &str,
    format: &mut F,
    given: bool,
    output: Option<&Path>,
) -> Result<(), String> {
    let Some(path) = output else {
        return Ok(());
    };
    let Some(named) = by_extension(path) else {
        return Ok(());
    };
    let current = name_of(format);
    if given {
        if current == named || (named == "json" && is_json(&current)) {
            return Ok(());
        }
        return Err(format!(
            "--output {}: the file name says {named}, --format says {current}; name the file \
             for its format or change --format",
            path.display()
        ));
    }
    match F::from_str(named, true) {
        Ok(f) => {
            *format = f;
            Ok(())
        }
        Err(_) => Err(format!(
            "--output {}: `seaworthy {command}` cannot write {named} (its formats: {}); pass \
             --format or name the file for one of them",
            path.display(),
            F::value_variants()
                .iter()
                .map(name_of)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn name_of<F: ValueEnum>(f: &F) -> String {
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Whether `--format` of the subcommand came from the command line or its variable.
fn given(matches: &ArgMatches) -> bool {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    let has_format = m.try_get_raw("format").is_ok_and(|v| v.is_some());
    has_format
        && matches!(
            m.value_source("format"),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
}

/// Every command's `--format` settled against its `--output`.
pub fn settle_all(cli: &mut Cli, matches: &ArgMatches) -> Result<(), String> {
    let given = given(matches);
    match &mut cli.command {
        Command::Dockerfile(a) => settle(
            "dockerfile",
            &mut a.output.format,
            given,
            a.output.output.as_deref(),
        ),
        Command::Compose(a) => settle(
            "compose",
            &mut a.output.format,
            given,
            a.output.output.as_deref(),
        ),
        Command::Run(a) => settle(
            "run",
            &mut a.output.format,
            given,
            a.output.output.as_deref(),
        ),
        Command::Container(a) => settle(
            "container",
            &mut a.output.format,
            given,
            a.output.output.as_deref(),
        ),
        Command::Sbom(a) => settle("sbom", &mut a.format, given, a.output.as_deref()),
        Command::Image(a) => settle("image", &mut a.format, given, a.output.as_deref()),
        // `vex` always writes OpenVEX: only the file name is checked.
        Command::Vex(a) => {
            a.format = crate::cli::VulnFormat::Openvex;
            settle("vex", &mut a.format, true, a.output.as_deref())
        }
        Command::Host(a) => settle("host", &mut a.format, given, a.output.as_deref()),
        Command::Assess(a) => {
            a.format_given = given;
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        let f = |s: &str| by_extension(Path::new(s));
        assert_eq!(f("out.sarif"), Some("sarif"));
        assert_eq!(f("dir/x.CDX.json"), Some("cyclonedx"));
        assert_eq!(f("x.spdx.json"), Some("spdx"));
        assert_eq!(f("app.vex.json"), Some("openvex"));
        assert_eq!(f("r.json"), Some("json"));
        assert_eq!(f("junit.xml"), Some("junit"));
        assert_eq!(f("r.junit.xml"), Some("junit"));
        assert_eq!(f("r.html"), Some("html"));
        assert_eq!(f("r.md"), Some("markdown"));
        assert_eq!(f("report.txt"), None);
        assert_eq!(f(".json"), None);
        assert_eq!(f("report"), None);
    }
}

/// For a usage error about a value that came from a `SEAWORTHY_*` variable rather than the
/// command line, the variable's name (`SEAWORTHY_FORMAT=junit seaworthy image …`): clap's
/// message names only the flag, which the user never typed.
pub fn variable_behind(e: &clap::Error, argv: &[String]) -> Option<String> {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue};
    let value = match e.get(ContextKind::InvalidValue)? {
        ContextValue::String(v) => v.clone(),
        _ => return None,
    };
    let shown = match e.get(ContextKind::InvalidArg)? {
        ContextValue::String(a) => a.clone(),
        _ => return None,
    };
    let long = shown
        .split_whitespace()
        .next()?
        .strip_prefix("--")?
        .to_string();
    let mut cmd = Cli::command();
    cmd.build();
    let mut stack = vec![&cmd];
    while let Some(c) = stack.pop() {
        stack.extend(c.get_subcommands());
        for arg in c.get_arguments() {
            if arg.get_long() != Some(long.as_str()) {
                continue;
            }
            let Some(var) = arg.get_env().map(|v| v.to_string_lossy().into_owned()) else {
                continue;
            };
            let Ok(set) = std::env::var(&var) else {
                continue;
            };
            let typed = argv.iter().any(|a| {
                a == &format!("--{long}")
                    || a.starts_with(&format!("--{long}="))
                    || arg
                        .get_short()
                        .is_some_and(|s| a.starts_with(&format!("-{s}")) && !a.starts_with("--"))
            });
            if !typed && (set == value || set.split(',').any(|p| p.trim() == value)) {
                return Some(var);
            }
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::expect_used)] // tests may panic
mod readme {
    use clap::CommandFactory;

    use crate::cli::Cli;

    const FORMATS: [&str; 10] = [
        "table",
        "json",
        "sarif",
        "junit",
        "github",
        "markdown",
        "html",
        "cyclonedx",
        "spdx",
        "openvex",
    ];

    /// The formats `--format` of `path` (`["db", "status"]`) accepts.
    fn accepted(cmd: &clap::Command, path: &[&str]) -> Vec<String> {
        let mut c = cmd;
        for name in path {
            c = c
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("no command {path:?}"));
        }
        let arg = c
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .unwrap_or_else(|| panic!("{path:?} has no --format"));
        arg.get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect()
    }

    /// README's command × format table says what each command's `--format` accepts.
    #[test]
    fn readme_format_table_matches_the_cli() {
        let readme = include_str!("../../../README.md");
        let header = format!("| command | {} |", FORMATS.join(" | "));
        let start = readme.find(&header).expect("README has the format table");
        let mut cmd = Cli::command();
        cmd.build();
        let mut rows = 0;
        for line in readme[start..].lines().skip(2) {
            if !line.starts_with("| `") {
                break;
            }
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let listed: Vec<String> = FORMATS
                .iter()
                .zip(&cells[1..])
                .filter(|(_, c)| **c == "✓")
                .map(|(f, _)| f.to_string())
                .collect();
            for name in cells[0].split(", ") {
                let path: Vec<&str> = name.trim_matches('`').split(' ').collect();
                let mut accepted = accepted(&cmd, &path);
                // `vex` is `image --format openvex`: it writes nothing else.
                if path == ["vex"] {
                    accepted = vec!["openvex".to_string()];
                }
                accepted.sort();
                let mut want = listed.clone();
                want.sort();
                assert_eq!(accepted, want, "README row for {name}");
                rows += 1;
            }
        }
        assert!(rows >= 11, "{rows} rows");
    }
}
