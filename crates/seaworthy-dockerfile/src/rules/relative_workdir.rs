use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags a relative WORKDIR when no absolute WORKDIR came before it in the stage (or the
    /// stages it is built on).
    ///
    /// Variables are expanded first; a value that depends on an unknown variable (`$HOME`, set by
    /// the base image) stays quiet. Windows paths (`C:\app`, `\app`) are absolute. A relative
    /// WORKDIR after an absolute one is well defined (it is resolved against it) and stays quiet,
    /// as in BuildKit's WorkdirRelativePath check; hadolint DL3000 reports every relative one.
    ///
    /// ## Why
    /// A relative WORKDIR is resolved against the working directory of the base image, which the
    /// Dockerfile does not show and which can change with any base image update: files land in,
    /// and commands run from, a directory nobody chose.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM node:22
    /// WORKDIR app
    /// # good
    /// FROM node:22
    /// WORKDIR /app
    /// ```
    RelativeWorkdir {
        id: "SW-DF-075",
        name: "relative-workdir",
        title: "Relative WORKDIR",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Use an absolute path in WORKDIR.",
        refs: [
            Hadolint("DL3000"),
            Trivy("DS-0009"),
            BuildKit("WorkdirRelativePath"),
        ],
        fire: [
            "FROM node:22\nWORKDIR app\n",
            "FROM node:22 AS base\nENV APP_DIR=srv/app\nFROM base\nworkdir ${APP_DIR}\n",
            "FROM alpine:3.20 AS build\nWORKDIR /src\nFROM alpine:3.20\nWORKDIR \"src/app\"\n",
        ],
        quiet: [
            "FROM node:22\nWORKDIR /app\nWORKDIR build\n",
            "FROM node:22\nWORKDIR $HOME/app\n",
            "FROM node:22\nENV APP=/srv/app\nWORKDIR ${APP}\n",
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\nWORKDIR \\temp\n",
            "FROM node:22 AS base\nWORKDIR /srv\nFROM base\nWORKDIR app\n",
        ],
    }
}

fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 2
            && b.first().is_some_and(u8::is_ascii_alphabetic)
            && b.get(1) == Some(&b':'))
}

impl Check for RelativeWorkdir {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &cx.model.stages;
        // Whether a stage, and whether any stage it builds on, has a WORKDIR: one pass in
        // stage order (a parent comes before its child), not a walk up the chain per stage.
        let has_workdir: Vec<bool> = (0..stages.len())
            .map(|s| {
                cx.model
                    .stage_instructions(cx.df, s)
                    .any(|(_, ins)| matches!(&ins.kind, Kind::Workdir(_)))
            })
            .collect();
        let mut inherited: Vec<bool> = Vec::with_capacity(stages.len());
        for (s, stage) in stages.iter().enumerate() {
            let from_parent = match stage.base {
                Base::Stage(p) if p < s => has_workdir[p] || inherited[p],
                _ => false,
            };
            inherited.push(from_parent);
        }
        for (s, &from_parent) in inherited.iter().enumerate() {
            // An absolute WORKDIR in a parent stage carries over.
            let mut set = from_parent;
            for (i, ins) in cx.model.stage_instructions(cx.df, s) {
                let Kind::Workdir(word) = &ins.kind else {
                    continue;
                };
                let expanded = cx.model.expand_full(cx.df, i, &word.raw);
                let value = expanded.value.trim();
                if is_absolute(value) {
                    set = true;
                    continue;
                }
                if set || !expanded.unresolved.is_empty() || value.is_empty() {
                    continue;
                }
                let shown = if word.raw.contains('$') {
                    format!("`{}` (= `{value}`)", word.raw)
                } else {
                    format!("`{value}`")
                };
                out.push(cx.hit_at(
                    i,
                    word.range,
                    format!(
                        "WORKDIR {shown} is relative and no absolute WORKDIR precedes it; it depends on the base image's working directory"
                    ),
                ));
            }
        }
    }
}
