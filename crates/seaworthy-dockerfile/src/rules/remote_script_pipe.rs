use crate::context::{Context, Hit, RunScript, clip};
use crate::parser::TextRange;
use crate::rules::Check;
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags a script downloaded and executed in one step: `curl … | sh`, `wget -O- … | bash`,
    /// `bash <(curl …)`, `sh -c "$(curl …)"`, and the same with `python`, `perl`, `ruby`, `php`
    /// or `node` reading the program from standard input.
    ///
    /// ## Why
    /// Whatever the server sends runs as root in the build: a compromised or hijacked host, a
    /// truncated download or a changed installer all end up in the image with nothing to notice
    /// it. The build is also not reproducible, since the script can change at any time.
    ///
    /// ## Fix
    /// Download to a file, check it against a pinned checksum or signature, then run it; better,
    /// install a signed package.
    /// ```dockerfile
    /// # bad
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// # good
    /// ARG INSTALL_SHA256=5f4c…
    /// RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh \
    ///  && echo "$INSTALL_SHA256  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// ```
    RemoteScriptPipe {
        id: "SW-DF-030",
        name: "remote-script-piped-to-shell",
        title: "Remote script piped into a shell",
        area: Dockerfile,
        group: "run",
        severity: High,
        remediation: "Download the script to a file, verify a pinned checksum or signature, then run it (or install a signed package).",
        refs: [],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n && curl -fsSL https://get.docker.com | sudo sh -s -- --version 27\n",
            "FROM alpine:3.20\nRUN wget -qO- https://example.com/setup | bash -\n",
            "FROM debian:12\nRUN bash <(curl -sL https://example.com/install.sh)\n",
            "FROM debian:12\nRUN [\"/bin/sh\", \"-c\", \"sh -c \\\"$(curl -fsSL https://example.com/i.sh)\\\"\"]\n",
            "FROM php:8.3-cli\nRUN <<EOF\nset -e\ncurl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin\nEOF\n",
        ],
        quiet: [
            "FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://example.com/i.sh \\\n && echo \"abc  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh\n",
            "FROM debian:12\nRUN curl -fsSL https://example.com/a.tar.gz | tar -xz -C /opt\n",
            "FROM python:3.12\nRUN curl -s https://api.example.com/v | python3 -c 'import json,sys; print(json.load(sys.stdin))'\n",
            "FROM debian:12\nRUN echo 'curl https://x | sh' > /usr/share/doc/howto.txt\n",
            "FROM debian:12\nRUN wget -O- https://example.com/key.asc | gpg --dearmor > /usr/share/keyrings/x.gpg\n",
        ],
    }
}

const DOWNLOADERS: &[&str] = &["curl", "wget"];

/// Source range of `start..end` of a RUN script.
pub(crate) fn script_range(run: &RunScript, start: usize, end: usize) -> TextRange {
    let probe = ShellCommand {
        name: String::new(),
        args: Vec::new(),
        start,
        end,
        pipeline: 0,
        nested: false,
        wrappers: Vec::new(),
        assignments: Vec::new(),
    };
    run.range(&probe)
}

/// Source range from the start of `first` to the end of `last`.
pub(crate) fn span(run: &RunScript, first: &ShellCommand, last: &ShellCommand) -> TextRange {
    let a = run.range(first);
    let b = run.range(last);
    TextRange {
        start: a.start.min(b.start),
        end: b.end.max(a.end),
    }
}

fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Interpreters that run a program read from standard input, and the option that gives the
/// program inline instead.
fn interpreter(name: &str) -> Option<&'static [&'static str]> {
    if is_shell(name) {
        return Some(&[]);
    }
    let python = name
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if python {
        return Some(&["-c", "-m"]);
    }
    match name {
        "perl" | "ruby" => Some(&["-e", "-E"]),
        "php" => Some(&["-r"]),
        "node" | "nodejs" => Some(&["-e", "-p", "--eval", "--print"]),
        "pwsh" => Some(&["-c", "-Command", "-File", "-f"]),
        _ => None,
    }
}

/// Whether a shell was given an inline script with `-c` (alone or in a cluster like `-ec`).
fn shell_has_c(cmd: &ShellCommand) -> bool {
    cmd.args
        .iter()
        .take_while(|a| a.starts_with('-') && *a != "--" && *a != "-")
        .any(|a| !a.starts_with("--") && a.contains('c'))
}

/// Whether an interpreter reads its program from standard input.
fn reads_program_from_stdin(cmd: &ShellCommand) -> bool {
    let Some(inline) = interpreter(&cmd.name) else {
        return false;
    };
    if is_shell(&cmd.name) {
        if cmd.is("busybox") && cmd.subcommand().is_none_or(|s| !is_shell(s)) {
            return false;
        }
        if shell_has_c(cmd) {
            return false;
        }
        if cmd.has_flag(&["-s"]) {
            return true;
        }
        let mut positional = cmd.positional();
        if cmd.is("busybox") {
            positional.next();
        }
        return positional.next().is_none_or(|p| p == "-");
    }
    if inline.iter().any(|f| cmd.args.iter().any(|a| a == f)) {
        return false;
    }
    cmd.positional().next().is_none_or(|p| p == "-")
}

/// The URL (or first operand) a downloader fetches.
fn fetched(cmd: &ShellCommand) -> String {
    cmd.args
        .iter()
        .find(|a| a.contains("://"))
        .map(String::as_str)
        .or_else(|| cmd.positional().find(|p| *p != "-"))
        .unwrap_or("a URL")
        .to_string()
}

/// `curl`/`wget` as the first word of a `$(…)`, `` `…` `` or `<(…)` at `text[at..]`.
fn downloader_at(text: &str, at: usize) -> Option<&'static str> {
    let rest = text.get(at..)?.trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ')' && *c != '`')
        .collect();
    let base = word.rsplit('/').next().unwrap_or(&word);
    DOWNLOADERS.iter().copied().find(|d| *d == base)
}

/// Whether `s` is a command substitution of a downloader (`$(curl …)`, `` `wget -O- …` ``).
/// Substitutions deeper inside a script argument are that script's own commands and are
/// checked there.
fn substitutes_download(s: &str) -> Option<&'static str> {
    let t = s.trim_start();
    let offset = s.len() - t.len();
    if t.starts_with("$(") {
        downloader_at(s, offset + 2)
    } else if t.starts_with('`') {
        downloader_at(s, offset + 1)
    } else {
        None
    }
}

impl RemoteScriptPipe {
    fn pipes(&self, run: &RunScript, out: &mut Vec<Hit>) {
        for pipeline in &run.script.pipelines {
            let cmds: Vec<&ShellCommand> = pipeline
                .iter()
                .filter_map(|&i| run.script.commands.get(i))
                .collect();
            let Some(d) = cmds.iter().position(|c| c.is_any(DOWNLOADERS)) else {
                continue;
            };
            let Some(s) = cmds
                .iter()
                .skip(d + 1)
                .position(|c| reads_program_from_stdin(c))
                .map(|p| p + d + 1)
            else {
                continue;
            };
            let (Some(dl), Some(sh)) = (cmds.get(d), cmds.get(s)) else {
                continue;
            };
            let shown = cmds
                .get(d..=s)
                .unwrap_or_default()
                .iter()
                .map(|c| c.display())
                .collect::<Vec<_>>()
                .join(" | ");
            out.push(Hit {
                instr: run.instr,
                range: span(run, dl, sh),
                message: format!(
                    "`{}` output from `{}` is piped into `{}`, which runs it unverified",
                    dl.name,
                    fetched(dl),
                    sh.name
                ),
                evidence: Some(clip(&shown)),
            });
        }
    }

    /// `bash <(curl …)`, `source <(wget -O- …)`.
    fn process_substitutions(&self, run: &RunScript, out: &mut Vec<Hit>) {
        let text = run.text.as_str();
        let bytes = text.as_bytes();
        let mut quote: Option<u8> = None;
        let mut segment_start = 0usize;
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(b'"'), b'\\') => i += 1,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'\\') => i += 1,
                (None, b';' | b'&' | b'|' | b'\n' | b'(' | b')' | b'{' | b'}')
                    if !(b == b'(' && i > 0 && bytes.get(i - 1) == Some(&b'<')) =>
                {
                    segment_start = i + 1;
                }
                (None, b'<') if bytes.get(i + 1) == Some(&b'(') => {
                    if let Some(dl) = downloader_at(text, i + 2) {
                        let head = text.get(segment_start..i).unwrap_or_default();
                        let mut words = head.split_whitespace().filter(|w| {
                            !matches!(*w, "sudo" | "exec" | "command") && !w.contains('=')
                        });
                        let runner = words
                            .next()
                            .map(|w| w.rsplit('/').next().unwrap_or(w).to_string());
                        if let Some(runner) =
                            runner.filter(|r| is_shell(r) || r == "source" || r == ".")
                        {
                            let lead = head.len() - head.trim_start().len();
                            let start = segment_start + lead;
                            let end = text
                                .get(i..)
                                .and_then(|t| t.find(')'))
                                .map_or(text.len(), |p| i + p + 1);
                            out.push(Hit {
                                instr: run.instr,
                                range: script_range(run, start, end),
                                message: format!(
                                    "`{runner}` runs the output of `{dl}` through a process \
                                     substitution, unverified"
                                ),
                                evidence: Some(clip(text.get(start..end).unwrap_or_default())),
                            });
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// `sh -c "$(curl …)"`, `eval "$(wget -O- …)"`, `python3 -c "$(curl …)"`.
    fn substitutions(&self, cx: &Context<'_>, run: &RunScript, out: &mut Vec<Hit>) {
        for cmd in &run.script.commands {
            let runs_inline = cmd.is("eval")
                || (is_shell(&cmd.name) && shell_has_c(cmd))
                || interpreter(&cmd.name)
                    .is_some_and(|flags| flags.iter().any(|f| cmd.args.iter().any(|a| a == f)));
            if !runs_inline {
                continue;
            }
            if let Some(dl) = cmd.args.iter().find_map(|a| substitutes_download(a)) {
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "`{}` runs code fetched by `{dl}` in a command substitution, unverified",
                        cmd.name
                    ),
                ));
            }
        }
    }
}

impl Check for RemoteScriptPipe {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            self.pipes(run, out);
            self.process_substitutions(run, out);
            self.substitutions(cx, run, out);
        }
    }
}
