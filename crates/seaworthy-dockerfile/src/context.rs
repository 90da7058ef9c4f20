//! What a rule sees: the parsed file, the stage model, RUN scripts already analysed, the config.

use crate::config::Config;
use crate::model::Model;
use crate::parser::{Command, Dockerfile, Instruction, Kind, SourceMap, TextRange};
use crate::shell::{Script, ShellCommand};

/// A RUN instruction's script (heredocs included) and how its offsets map to the source.
#[derive(Debug)]
pub struct RunScript {
    /// Index of the RUN instruction.
    pub instr: usize,
    pub text: String,
    pub script: Script,
    /// The SHELL in effect (from this stage or a parent), `None` for the default `/bin/sh -c`.
    pub shell: Option<Vec<String>>,
    map: SourceMap,
    /// Exec-form RUN: the script is rebuilt from the JSON array, so every position is the array.
    exec_range: Option<TextRange>,
}

impl RunScript {
    /// Source range of a command of this script.
    pub fn range(&self, cmd: &ShellCommand) -> TextRange {
        self.range_of(cmd.start, cmd.end)
    }

    /// Source range of `text[start..end]`.
    pub fn range_of(&self, start: usize, end: usize) -> TextRange {
        match self.exec_range {
            Some(r) => r,
            None => self.map.range(start, end),
        }
    }

    /// An exec-form RUN (`RUN ["a", "b"]`): no shell runs it, `text` is rebuilt from the array.
    pub fn is_exec_form(&self) -> bool {
        self.exec_range.is_some()
    }

    /// The map from offsets of `text` to the source.
    pub(crate) fn map(&self) -> &SourceMap {
        &self.map
    }
}

/// One problem a rule reports; the engine adds the rule's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Instruction the hit belongs to (pragmas above it apply).
    pub instr: usize,
    pub range: TextRange,
    pub message: String,
    pub evidence: Option<String>,
}

pub struct Context<'a> {
    pub df: &'a Dockerfile,
    pub model: &'a Model,
    pub config: &'a Config,
    pub runs: Vec<RunScript>,
    /// The scripts of `ONBUILD RUN` triggers (`instr` is the ONBUILD): they run in the builds
    /// of images FROM this one, not in this build, so the rules leave them; ShellCheck checks
    /// them, in the stage's SHELL, as hadolint does.
    pub onbuild_runs: Vec<RunScript>,
    /// The target stage and the stages it builds on, nearest first (computed once).
    shipped: Vec<usize>,
    /// For each stage, whether it is in `shipped`.
    is_shipped: Vec<bool>,
}

impl<'a> Context<'a> {
    pub fn new(df: &'a Dockerfile, model: &'a Model, config: &'a Config) -> Self {
        let shells = Shells::new(df, model);
        let mut runs = Vec::new();
        let mut onbuild_runs = Vec::new();
        for (i, ins) in df.instructions.iter().enumerate() {
            match &ins.kind {
                Kind::Run(cmd) => runs.extend(run_script(df, model, &shells, i, ins, cmd)),
                Kind::Onbuild(trigger) => {
                    if let Kind::Run(cmd) = &trigger.kind {
                        onbuild_runs.extend(run_script(df, model, &shells, i, ins, cmd));
                    }
                }
                _ => {}
            }
        }
        let shipped = model.target_chain();
        let mut is_shipped = vec![false; model.stages.len()];
        for &s in &shipped {
            if let Some(slot) = is_shipped.get_mut(s) {
                *slot = true;
            }
        }
        Context {
            df,
            model,
            config,
            runs,
            onbuild_runs,
            shipped,
            is_shipped,
        }
    }

    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> {
        self.df.instructions.iter().enumerate()
    }

    pub fn instruction(&self, i: usize) -> &'a Instruction {
        &self.df.instructions[i]
    }

    /// A hit covering instruction `i` from its keyword to the end of its first line.
    pub fn hit(&self, i: usize, message: impl Into<String>) -> Hit {
        let ins = self.instruction(i);
        Hit {
            instr: i,
            range: self.first_line(ins),
            message: message.into(),
            evidence: None,
        }
    }

    /// A hit at `range` inside instruction `i`, with the text there as evidence.
    pub fn hit_at(&self, i: usize, range: TextRange, message: impl Into<String>) -> Hit {
        Hit {
            instr: i,
            range,
            message: message.into(),
            evidence: Some(clip(self.df.slice(range))),
        }
    }

    /// A hit on one command of a RUN script.
    pub fn hit_cmd(&self, run: &RunScript, cmd: &ShellCommand, message: impl Into<String>) -> Hit {
        Hit {
            instr: run.instr,
            range: run.range(cmd),
            message: message.into(),
            evidence: Some(clip(&cmd.display())),
        }
    }

    fn first_line(&self, ins: &Instruction) -> TextRange {
        let start = ins.keyword_range.start;
        let text = self.df.slice(ins.range);
        let end = text.find('\n').map_or(ins.range.end, |n| start + n as u32);
        let end = if self
            .df
            .source
            .as_bytes()
            .get(end.saturating_sub(1) as usize)
            == Some(&b'\r')
        {
            end - 1
        } else {
            end
        };
        TextRange {
            start,
            end: end.max(start),
        }
    }

    /// Variables of `raw` expanded as instruction `i` sees them.
    pub fn expand(&self, i: usize, raw: &str) -> String {
        self.model.expand(self.df, i, raw)
    }

    /// Stages whose content ends up in the image that ships (the target and its parents).
    pub fn shipped_stages(&self) -> &[usize] {
        &self.shipped
    }

    pub fn is_in_target_chain(&self, i: usize) -> bool {
        self.model
            .stage_of
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|s| self.is_shipped.get(s).copied().unwrap_or(false))
    }

    /// Instructions of `kind` from the target stage up its parents (nearest first).
    pub fn last_in_shipped<F: Fn(&Kind) -> bool>(&self, f: F) -> Option<usize> {
        for &s in &self.shipped {
            let stage = &self.model.stages[s];
            if let Some(i) = stage
                .body
                .clone()
                .rev()
                .find(|&i| f(&self.df.instructions[i].kind))
            {
                return Some(i);
            }
        }
        None
    }

    /// Commands of all RUN scripts, with their script.
    pub fn commands(&self) -> impl Iterator<Item = (&RunScript, &ShellCommand)> {
        self.runs
            .iter()
            .flat_map(|r| r.script.commands.iter().map(move |c| (r, c)))
    }
}

/// Shortens evidence to something a report line can show.
pub fn clip(s: &str) -> String {
    const MAX: usize = 160;
    let s = s.trim();
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX).collect();
    out.push('…');
    out
}

/// Where the SHELL instructions are: every one in order, and for each stage the last one it
/// inherits from the stages it builds on. Computed once, so a file with thousands of RUNs (or
/// of stages) is not walked again for each of them.
struct Shells {
    all: Vec<usize>,
    inherited: Vec<Option<usize>>,
}

impl Shells {
    fn new(df: &Dockerfile, model: &Model) -> Shells {
        let all: Vec<usize> = df
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, ins)| matches!(ins.kind, Kind::Shell(_)))
            .map(|(i, _)| i)
            .collect();
        let mut shells = Shells {
            all,
            inherited: Vec::with_capacity(model.stages.len()),
        };
        // A parent always comes before its child, so its entry is ready.
        for (s, stage) in model.stages.iter().enumerate() {
            let from_parent = match stage.base {
                crate::model::Base::Stage(parent) if parent < s => model
                    .stages
                    .get(parent)
                    .and_then(|p| shells.last_in(p.body.start, p.body.end))
                    .or_else(|| shells.inherited.get(parent).copied().flatten()),
                _ => None,
            };
            shells.inherited.push(from_parent);
        }
        shells
    }

    /// The last SHELL instruction in `start..end`.
    fn last_in(&self, start: usize, end: usize) -> Option<usize> {
        self.all[..self.all.partition_point(|&j| j < end)]
            .last()
            .copied()
            .filter(|&j| j >= start)
    }
}

/// The shell instruction `i` runs with: the last SHELL before it in its stage, else in the
/// stages it builds on.
fn shell_of<'d>(
    df: &'d Dockerfile,
    model: &Model,
    shells: &Shells,
    i: usize,
) -> Option<&'d [String]> {
    let stage = model.stage_of.get(i).copied().flatten()?;
    let s = model.stages.get(stage)?;
    let j = shells
        .last_in(s.body.start, i.min(s.body.end))
        .or_else(|| shells.inherited.get(stage).copied().flatten())?;
    match &df.instructions.get(j)?.kind {
        Kind::Shell(v) => Some(v),
        _ => None,
    }
}

fn is_posix_shell(shell: &[String]) -> bool {
    let Some(first) = shell.first() else {
        return true;
    };
    let name = first
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(first)
        .to_ascii_lowercase();
    matches!(
        name.as_str(),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "busybox"
    )
}

/// The script of `cmd`, the command of instruction `i` (a RUN, or an ONBUILD whose trigger is
/// a RUN: the trigger shares the ONBUILD's text, offsets and heredocs).
fn run_script(
    df: &Dockerfile,
    model: &Model,
    shells: &Shells,
    i: usize,
    ins: &Instruction,
    cmd: &Command,
) -> Option<RunScript> {
    let shell = shell_of(df, model, shells, i);
    if shell.is_some_and(|s| !is_posix_shell(s)) {
        return None;
    }
    let mut map = SourceMap::default();
    let mut exec_range = None;
    let text = match cmd {
        Command::Exec { args, range } => {
            map.push(0, range.start as usize);
            exec_range = Some(*range);
            args.iter()
                .map(|a| shell_quote(a))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Command::Shell(st) => {
            let bare_heredoc = !ins.heredocs.is_empty() && {
                let mut rest = st.text.clone();
                for h in ins.heredocs.iter().rev() {
                    let (s, e) = (
                        h.marker.0.saturating_sub(st.offset),
                        h.marker.1.saturating_sub(st.offset),
                    );
                    if e <= rest.len() && s <= e {
                        rest.replace_range(s..e, "");
                    }
                }
                rest.trim().is_empty() || is_shell_invocation(&rest)
            };
            if bare_heredoc {
                let doc = &ins.heredocs[0];
                let first_line = doc.body.lines().next().unwrap_or("");
                if first_line.starts_with("#!") && !first_line.contains("sh") {
                    return None;
                }
                map.append(0, &doc.body_map);
                doc.body.clone()
            } else {
                let shifted = ins.map.shifted(st.offset);
                map.append(0, &shifted);
                let mut text = st.text.clone();
                for h in &ins.heredocs {
                    text.push('\n');
                    map.append(text.len(), &h.body_map);
                    text.push_str(&h.body);
                    text.push_str(&h.delimiter);
                }
                text
            }
        }
    };
    let script = Script::parse(&text);
    Some(RunScript {
        instr: i,
        text,
        script,
        shell: shell.map(<[String]>::to_vec),
        map,
        exec_range,
    })
}

/// `bash`, `sh -e`, `/bin/bash -eux`: a shell reading its script from the heredoc.
fn is_shell_invocation(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let name = first.rsplit('/').next().unwrap_or(first);
    matches!(name, "sh" | "bash" | "dash" | "ash")
        && words.all(|w| w.starts_with('-') && w.len() > 1 && !w.contains('c') && w != "--")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
