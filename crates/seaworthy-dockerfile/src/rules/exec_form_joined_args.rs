use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::{Command, Healthcheck, Kind};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags exec-form RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD whose first element holds a
    /// program *and* its arguments: `CMD ["npm start"]`.
    ///
    /// Only clear cases are reported: the first word is a well-known program (`npm`, `python`,
    /// `sh`, …), the second word is an option (`-c`, `--port`), or the first word is a path
    /// followed by a plain argument. Program names that really contain spaces
    /// (`["Plex Media Server"]`, `C:\Program Files\…`) stay quiet. A CMD is skipped when the
    /// stage sets an ENTRYPOINT, because CMD is then a list of arguments.
    ///
    /// ## Why
    /// Exec form does not split words: Docker looks for a program literally named `npm start`
    /// and the container (or the build step) fails with "executable file not found".
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// CMD ["npm start"]
    /// ENTRYPOINT ["/bin/sh -c", "exec nginx"]
    /// # good
    /// CMD ["npm", "start"]
    /// ENTRYPOINT ["/bin/sh", "-c", "exec nginx"]
    /// ```
    ExecFormJoinedArgs {
        id: "SW-DF-091",
        name: "exec-form-joined-args",
        title: "Exec form with program and arguments in one element",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Give every argument its own JSON array element: [\"npm\", \"start\"].",
        refs: [],
        fire: [
            "FROM node:22\nCMD [\"npm start\"]\n",
            "FROM nginx:1.27\nentrypoint [\"/bin/sh -c\", \"exec nginx\"]\n",
            "FROM python:3.13\nRUN [\"/usr/local/bin/pip install\", \"flask\"]\nHEALTHCHECK CMD [\"curl -f http://localhost/\"]\n",
        ],
        quiet: [
            "FROM node:22\nCMD [\"npm\", \"start\"]\n",
            "FROM ubuntu:24.04\nCMD [\"Plex Media Server\"]\n",
            "FROM node:22\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"npm start\"]\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD [\"C:\\\\Program Files\\\\App\\\\app.exe\"]\n",
        ],
    }
}

const PROGRAMS: &[&str] = &[
    "sh",
    "bash",
    "ash",
    "dash",
    "zsh",
    "python",
    "python2",
    "python3",
    "pip",
    "pip3",
    "node",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "java",
    "ruby",
    "perl",
    "php",
    "go",
    "dotnet",
    "deno",
    "bun",
    "bundle",
    "rails",
    "gunicorn",
    "uvicorn",
    "flask",
    "nginx",
    "httpd",
    "supervisord",
    "tini",
    "dumb-init",
    "gosu",
    "su-exec",
    "exec",
    "env",
    "echo",
    "sleep",
    "tail",
    "curl",
    "wget",
    "make",
    "cargo",
    "mvn",
    "gradle",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
    "apt-get",
    "apk",
    "yum",
    "dnf",
];

/// The element `args[0]` when it clearly packs a program and its arguments.
fn joined(first: &str) -> bool {
    let mut words = first.split_whitespace();
    let (Some(program), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    if program.contains('\\') || first.contains(":\\") {
        return false;
    }
    let base = program.rsplit('/').next().unwrap_or(program);
    second.starts_with('-')
        || PROGRAMS.contains(&base)
        || ((program.starts_with('/') || program.starts_with("./")) && !second.contains('/'))
}

/// Whether stage `stage` or a stage it is built on sets an ENTRYPOINT.
fn has_entrypoint(cx: &Context<'_>, mut stage: usize) -> bool {
    for _ in 0..=cx.model.stages.len() {
        if cx
            .model
            .stage_instructions(cx.df, stage)
            .any(|(_, ins)| matches!(ins.kind, Kind::Entrypoint(_)))
        {
            return true;
        }
        match cx.model.stages.get(stage).map(|s| &s.base) {
            Some(Base::Stage(p)) if *p < stage => stage = *p,
            _ => return false,
        }
    }
    false
}

impl Check for ExecFormJoinedArgs {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let (cmd, keyword) = match &ins.kind {
                Kind::Run(c) => (c, "RUN"),
                Kind::Entrypoint(c) => (c, "ENTRYPOINT"),
                Kind::Healthcheck(Healthcheck::Cmd(c)) => (c, "HEALTHCHECK CMD"),
                Kind::Cmd(c) => {
                    let stage = cx.model.stage_of.get(i).copied().flatten();
                    if stage.is_some_and(|s| has_entrypoint(cx, s)) {
                        continue;
                    }
                    (c, "CMD")
                }
                _ => continue,
            };
            let Command::Exec { args, range } = cmd else {
                continue;
            };
            let Some(first) = args.first() else { continue };
            if !joined(first) {
                continue;
            }
            let mut split: Vec<String> = first
                .split_whitespace()
                .map(|w| format!("\"{w}\""))
                .collect();
            if args.len() > 1 {
                split.push("…".to_string());
            }
            out.push(cx.hit_at(
                i,
                *range,
                format!(
                    "{keyword} runs a program literally named `{first}`: exec form does not split words; write [{}]",
                    split.join(", ")
                ),
            ));
        }
    }
}
