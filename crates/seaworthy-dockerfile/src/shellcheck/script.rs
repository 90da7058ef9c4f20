//! A RUN's script as ShellCheck reads it: a shebang naming the dialect, a line declaring the
//! ENV and ARG names the script uses and the RUN can see, then the script as the shell gets it.

use std::collections::BTreeSet;

use crate::context::{Context, RunScript};
use crate::lint::Pragmas;
use crate::parser::SourceMap;

/// Most RUN scripts of one file given to ShellCheck.
const MAX_SCRIPTS_PER_FILE: usize = 4096;
/// Most bytes of scripts of one file given to ShellCheck.
const MAX_BYTES_PER_FILE: usize = 16 * 1024 * 1024;
/// Lines before the script: the shebang and the declarations.
pub const HEADER_LINES: u32 = 2;

/// The shell languages ShellCheck knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sh,
    Bash,
    Dash,
    Ksh,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sh => "sh",
            Dialect::Bash => "bash",
            Dialect::Dash => "dash",
            Dialect::Ksh => "ksh",
        }
    }

    /// The dialect of a shell program (`/bin/bash`, `busybox`); `None` for shells ShellCheck
    /// cannot read (zsh, PowerShell, cmd, …). ash and busybox are checked as dash, as ShellCheck
    /// itself does.
    pub fn of_program(program: &str) -> Option<Dialect> {
        let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
        let name = name
            .strip_suffix(".exe")
            .unwrap_or(name)
            .to_ascii_lowercase();
        Some(match name.as_str() {
            "sh" => Dialect::Sh,
            "bash" => Dialect::Bash,
            "dash" | "ash" | "busybox" => Dialect::Dash,
            "ksh" | "mksh" | "ksh93" | "pdksh" => Dialect::Ksh,
            _ => return None,
        })
    }

    /// The dialect a `#!` line names (`#!/bin/bash -e`, `#!/usr/bin/env bash`).
    fn of_shebang(line: &str) -> Option<Dialect> {
        let mut words = line.strip_prefix("#!")?.split_whitespace();
        let first = words.next()?;
        if first.rsplit('/').next() == Some("env") {
            return words
                .find(|w| !w.starts_with('-'))
                .and_then(Dialect::of_program);
        }
        Dialect::of_program(first)
    }
}

/// One RUN as ShellCheck is to check it.
#[derive(Debug)]
pub struct RunCheck {
    /// 1-based line of the RUN and the last line of the instruction before it (for pragmas).
    pub line: u32,
    pub prev_line: u32,
    pub dialect: Dialect,
    /// What ShellCheck reads: [`HEADER_LINES`] lines, then the script from `body_at`.
    pub text: String,
    pub body_at: usize,
    /// Maps offsets of the script (`text[body_at..]`) to the source.
    pub map: SourceMap,
}

/// The RUN (and ONBUILD RUN) scripts of a file ShellCheck can read, in file order, and notes on
/// those left out for size.
pub fn gather(path: &str, cx: &Context<'_>) -> (Vec<RunCheck>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut bytes = 0;
    let mut runs: Vec<&RunScript> = cx.runs.iter().chain(&cx.onbuild_runs).collect();
    runs.sort_by_key(|r| r.instr);
    for run in runs {
        if run.is_exec_form() {
            continue;
        }
        let Some(check) = run_check(cx, run) else {
            continue;
        };
        bytes += check.text.len();
        if out.len() >= MAX_SCRIPTS_PER_FILE || bytes > MAX_BYTES_PER_FILE {
            notes.push(format!(
                "{path}:{}: more RUN scripts than ShellCheck is given from one file ({} scripts \
                 or {} MiB): the SC checks of this RUN and those after it are skipped",
                check.line,
                MAX_SCRIPTS_PER_FILE,
                MAX_BYTES_PER_FILE / (1024 * 1024)
            ));
            break;
        }
        out.push(check);
    }
    (out, notes)
}

fn run_check(cx: &Context<'_>, run: &RunScript) -> Option<RunCheck> {
    let body = run.text.as_str();
    // A heredoc script with its own `#!` line runs with that interpreter.
    let dialect = if body.starts_with("#!") {
        Dialect::of_shebang(body.lines().next().unwrap_or(""))?
    } else {
        match run.shell.as_deref().and_then(<[String]>::first) {
            Some(program) => Dialect::of_program(program)?,
            None => Dialect::Sh,
        }
    };
    let (line, prev_line) = Pragmas::lines_of(cx.df, run.instr)?;
    let declared: Vec<&str> = referenced_names(body)
        .into_iter()
        .filter(|name| PROXY_ARGS.contains(name) || cx.model.declares(run.instr, name))
        .collect();
    let mut text = format!("#!/bin/{}\n", dialect.as_str());
    if !declared.is_empty() {
        text.push_str("export");
        for name in &declared {
            text.push(' ');
            text.push_str(name);
            text.push_str("=1");
        }
    }
    text.push('\n');
    let body_at = text.len();
    match body.strip_prefix("#!") {
        // The shebang is ours now; the script's own stays a comment of the same length.
        Some(rest) => {
            text.push_str("# ");
            text.push_str(rest);
        }
        None => text.push_str(body),
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Some(RunCheck {
        line,
        prev_line,
        dialect,
        text,
        body_at,
        map: run.map().clone(),
    })
}

/// BuildKit's predefined build arguments: a RUN sees them without an ARG.
const PROXY_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Names after `$` or `${` (and `${#`, `${!`) in `script`, sorted, each once. Quotes are not
/// followed: a name too many only declares a variable ShellCheck would not have asked about.
fn referenced_names(script: &str) -> BTreeSet<&str> {
    let bytes = script.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let mut start = i + 1;
        if bytes.get(start) == Some(&b'{') {
            start += 1;
            if matches!(bytes.get(start), Some(b'#' | b'!')) {
                start += 1;
            }
        }
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
            && !(end == start && bytes[end].is_ascii_digit())
        {
            end += 1;
        }
        if end > start {
            names.insert(&script[start..end]);
        }
        i = end.max(i + 1);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_of_programs_and_shebangs() {
        assert_eq!(Dialect::of_program("/bin/bash"), Some(Dialect::Bash));
        assert_eq!(Dialect::of_program("busybox"), Some(Dialect::Dash));
        assert_eq!(Dialect::of_program("/bin/ash"), Some(Dialect::Dash));
        assert_eq!(Dialect::of_program("mksh"), Some(Dialect::Ksh));
        for none in ["zsh", "powershell", "pwsh", "cmd", "cmd.exe", "python3"] {
            assert_eq!(Dialect::of_program(none), None, "{none}");
        }
        assert_eq!(
            Dialect::of_shebang("#!/usr/bin/env bash"),
            Some(Dialect::Bash)
        );
        assert_eq!(Dialect::of_shebang("#!/bin/sh -e"), Some(Dialect::Sh));
        assert_eq!(Dialect::of_shebang("#!/usr/bin/env -S python3"), None);
    }

    #[test]
    fn referenced_names_follow_dollar_forms() {
        let names: Vec<&str> =
            referenced_names("echo $a ${b} ${#c} ${!d} $1 $@ $$ ${e:-x} $f_1$g $ ")
                .into_iter()
                .collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f_1", "g"]);
    }
}
