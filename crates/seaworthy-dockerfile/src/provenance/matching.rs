//! Does a recorded history entry agree with a Dockerfile instruction? The keyword must be the
//! same, and where the builders keep comparable text (RUN command, COPY/ADD destination, ENV,
//! LABEL and ARG names, WORKDIR, USER, EXPOSE ports) that text must agree too.

use super::recorded::{Recorded, collapse};
use crate::model::Model;
use crate::parser::{Command, Dockerfile, Instruction, Kind};

/// `shells`: see [`shell_flags`].
pub fn matches(
    rec: &Recorded,
    df: &Dockerfile,
    model: &Model,
    at: usize,
    shells: &[String],
) -> bool {
    let Some(ins) = df.instructions.get(at) else {
        return false;
    };
    if rec.keyword != ins.keyword {
        return false;
    }
    let expand = |raw: &str| model.expand(df, at, raw);
    let args = rec.args.as_str();
    match &ins.kind {
        Kind::Run(command) => run_matches(args, shells, ins, command, &expand),
        Kind::Copy(c) | Kind::Add(c) => {
            let candidates = [c.dest.value.clone(), expand(&c.dest.raw)];
            candidates.iter().any(|d| dest_matches(args, d))
        }
        Kind::Env { pairs, .. } => keys_match(args, pairs.iter().map(|p| p.key.as_str())),
        Kind::Label(pairs) => keys_match(args, pairs.iter().map(|p| p.key.as_str())),
        Kind::Arg(decls) => keys_match(args, decls.iter().map(|d| d.name.as_str())),
        Kind::Workdir(w) => [w.value.clone(), expand(&w.raw)]
            .iter()
            .any(|p| workdir_matches(args, p)),
        Kind::User(u) => args == u.value || args == expand(&u.raw),
        Kind::Expose(ports) => ports.iter().all(|p| {
            let port = expand(&p.raw);
            let number = port.split('/').next().unwrap_or("");
            let number = number.rsplit(':').next().unwrap_or("");
            let first = number.split('-').next().unwrap_or("");
            !first.is_empty() && contains_word_start(args, first)
        }),
        // CMD, ENTRYPOINT, SHELL, VOLUME, HEALTHCHECK, STOPSIGNAL, MAINTAINER, ONBUILD: the
        // builders print these with Go formatting; the keyword is what we compare.
        _ => true,
    }
}

/// The recorded command line ends with the instruction's command: after the shell's
/// command flag for the shell form, after nothing or a `|N K=V` prefix for the exec form.
fn run_matches(
    args: &str,
    shells: &[String],
    ins: &Instruction,
    command: &Command,
    expand: &dyn Fn(&str) -> String,
) -> bool {
    match command {
        Command::Exec { args: argv, .. } => {
            let tail = collapse(&argv.join(" "));
            !tail.is_empty()
                && args.strip_suffix(tail.as_str()).is_some_and(|before| {
                    before.is_empty() || (before.starts_with('|') && before.ends_with(' '))
                })
        }
        Command::Shell(shell) => {
            let mut tails = vec![collapse(&shell.text), collapse(&expand(&shell.text))];
            for heredoc in &ins.heredocs {
                // BuildKit runs a lone heredoc's body, or a shebang script from /dev/pipes/.
                tails.push(collapse(&heredoc.body));
                tails.push(heredoc.delimiter.clone());
                if args.ends_with(&format!("/dev/pipes/{}", heredoc.delimiter)) {
                    return true;
                }
            }
            tails.iter().filter(|t| !t.is_empty()).any(|tail| {
                args.strip_suffix(tail.as_str()).is_some_and(|before| {
                    let before = before.trim_end();
                    shells.iter().any(|f| before.ends_with(f.as_str()))
                })
            })
        }
    }
}

/// The last word of every shell the build can use (`sh -c`, `cmd /S /C`, `powershell
/// -Command`, and what SHELL instructions set).
pub fn shell_flags(df: &Dockerfile) -> Vec<String> {
    let mut flags: Vec<String> = ["-c", "/C", "/c", "-Command", "-command"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for ins in &df.instructions {
        if let Kind::Shell(words) = &ins.kind
            && let Some(last) = words.last()
        {
            flags.push(collapse(last));
        }
    }
    flags
}

fn ends_with_word(text: &str, tail: &str) -> bool {
    text == tail
        || text
            .strip_suffix(tail)
            .is_some_and(|before| before.ends_with(' '))
}

fn contains_word_start(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        i == 0
            || text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| !c.is_ascii_alphanumeric())
    })
}

/// Classic: `file:<sha> in /dest`; BuildKit: `[--chown=…] src… /dest`.
fn dest_matches(args: &str, dest: &str) -> bool {
    let dest = collapse(dest);
    if dest.is_empty() {
        return false;
    }
    let trim = |s: &str| -> String {
        let t = s.trim_end_matches('/');
        if t.is_empty() { "/".into() } else { t.into() }
    };
    if let Some((_, classic_dest)) = args.rsplit_once(" in ")
        && trim(classic_dest) == trim(&dest)
    {
        return true;
    }
    ends_with_word(args, &dest)
        || args
            .strip_suffix('/')
            .is_some_and(|a| ends_with_word(a, dest.trim_end_matches('/')))
}

/// `K=v K2=v2` (or bare names for ARG without a value), in the instruction's order.
fn keys_match<'a>(args: &str, keys: impl Iterator<Item = &'a str>) -> bool {
    let mut rest = args;
    let mut any = false;
    for key in keys {
        any = true;
        let Some(at) = find_key(rest, key) else {
            return false;
        };
        rest = &rest[at + key.len()..];
    }
    any
}

/// Position of `key` at a word start, followed by `=`, a space or the end.
fn find_key(text: &str, key: &str) -> Option<usize> {
    text.match_indices(key).map(|(i, _)| i).find(|&i| {
        let before_ok = i == 0 || text[..i].ends_with(' ');
        let after = text[i + key.len()..].chars().next();
        before_ok && matches!(after, None | Some('=') | Some(' '))
    })
}

/// Classic keeps the path as written (expanded); BuildKit makes it absolute.
fn workdir_matches(args: &str, path: &str) -> bool {
    let want = path.trim();
    if want.is_empty() {
        return false;
    }
    let norm = |s: &str| -> String {
        let t = s.trim_end_matches('/');
        if t.is_empty() { "/".into() } else { t.into() }
    };
    let got = norm(args);
    let want_norm = norm(want);
    if got == want_norm {
        return true;
    }
    if !want.starts_with('/') {
        let relative = norm(want.trim_start_matches("./"));
        return got.ends_with(&format!("/{relative}")) || relative == ".";
    }
    false
}
