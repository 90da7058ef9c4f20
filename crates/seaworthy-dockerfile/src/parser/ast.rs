//! The Dockerfile syntax tree. Every node keeps its source range.

use super::lexer::Heredoc;
use super::source::{SourceMap, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

impl Keyword {
    pub fn parse(word: &str) -> Option<Keyword> {
        use Keyword::*;
        Some(match word.to_ascii_uppercase().as_str() {
            "FROM" => From,
            "RUN" => Run,
            "CMD" => Cmd,
            "LABEL" => Label,
            "MAINTAINER" => Maintainer,
            "EXPOSE" => Expose,
            "ENV" => Env,
            "ADD" => Add,
            "COPY" => Copy,
            "ENTRYPOINT" => Entrypoint,
            "VOLUME" => Volume,
            "USER" => User,
            "WORKDIR" => Workdir,
            "ARG" => Arg,
            "ONBUILD" => Onbuild,
            "STOPSIGNAL" => Stopsignal,
            "HEALTHCHECK" => Healthcheck,
            "SHELL" => Shell,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        use Keyword::*;
        match self {
            From => "FROM",
            Run => "RUN",
            Cmd => "CMD",
            Label => "LABEL",
            Maintainer => "MAINTAINER",
            Expose => "EXPOSE",
            Env => "ENV",
            Add => "ADD",
            Copy => "COPY",
            Entrypoint => "ENTRYPOINT",
            Volume => "VOLUME",
            User => "USER",
            Workdir => "WORKDIR",
            Arg => "ARG",
            Onbuild => "ONBUILD",
            Stopsignal => "STOPSIGNAL",
            Healthcheck => "HEALTHCHECK",
            Shell => "SHELL",
        }
    }
}

/// A word as written (quotes kept in `raw`) with its value after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub raw: String,
    pub value: String,
    pub range: TextRange,
}

/// `--name=value` or `--name` before the arguments of FROM, RUN, COPY, ADD, HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub range: TextRange,
}

/// Exec form (`["a", "b"]`) or shell form (`a b`) of RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Exec { args: Vec<String>, range: TextRange },
    Shell(ShellText),
}

impl Command {
    pub fn range(&self) -> TextRange {
        match self {
            Command::Exec { range, .. } => *range,
            Command::Shell(s) => s.range,
        }
    }

    pub fn is_shell_form(&self) -> bool {
        matches!(self, Command::Shell(_))
    }
}

/// Shell-form text with the map from its offsets to the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellText {
    pub text: String,
    /// Offset of `text` in the logical line; the instruction's map resolves it.
    pub offset: usize,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    /// After quote removal, before expansion.
    pub value: String,
    pub raw_value: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    pub default: Option<String>,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    pub image: Word,
    pub alias: Option<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyArgs {
    pub sources: Vec<Word>,
    pub dest: Word,
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    None,
    Cmd(Command),
}

#[derive(Debug, Clone)]
pub enum Kind {
    From(From),
    Run(Command),
    Cmd(Command),
    Entrypoint(Command),
    Shell(Vec<String>),
    Env { pairs: Vec<KeyValue>, legacy: bool },
    Label(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Expose(Vec<Word>),
    Volume(Vec<Word>),
    User(Word),
    Workdir(Word),
    Stopsignal(Word),
    Copy(CopyArgs),
    Add(CopyArgs),
    Healthcheck(Healthcheck),
    Maintainer(String),
    Onbuild(Box<Instruction>),
}

#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (case kept).
    pub keyword_text: String,
    pub keyword_range: TextRange,
    /// From the keyword to the end of the last line (heredocs included).
    pub range: TextRange,
    /// 1-based line of the keyword.
    pub line: u32,
    /// Logical text: keyword and arguments, continuations removed.
    pub text: String,
    pub map: SourceMap,
    /// Offset of the arguments (after the flags) in `text`.
    pub args_offset: usize,
    pub flags: Vec<Flag>,
    pub heredocs: Vec<Heredoc>,
    pub kind: Kind,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn flag_value(&self, name: &str) -> Option<&str> {
        self.flag(name).and_then(|f| f.value.as_deref())
    }

    /// The arguments after the keyword and the flags, as written (continuations removed).
    pub fn args(&self) -> &str {
        self.text.get(self.args_offset..).unwrap_or("").trim()
    }

    /// Source range of `text[start..end]`.
    pub fn range_of(&self, start: usize, end: usize) -> TextRange {
        self.map.range(start, end)
    }
}
