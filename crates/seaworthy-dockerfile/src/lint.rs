//! Runs the rules over one Dockerfile and turns hits into findings, honouring inline pragmas
//! (`# seaworthy ignore=…`, `# hadolint ignore=…`, and their `global` forms) and the config.

use std::collections::HashMap;

use seaworthy_core::{Finding, Location, Suppression};

use crate::config::Config;
use crate::context::{Context, Hit};
use crate::model::Model;
use crate::parser::{Dockerfile, ParseError};
use crate::rules::{self, DockerfileRule};
use crate::shellcheck::{self, Scripts};

/// How to lint: the build the file is assessed for, and the area's config.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub build_args: HashMap<String, String>,
    pub target: Option<String>,
    pub config: Config,
    /// Also gather the RUN scripts for ShellCheck ([`lint_file`], [`crate::shellcheck`]).
    pub shellcheck: bool,
}

/// The findings of the rules on one file and, when asked for, its RUN scripts for ShellCheck.
#[derive(Debug)]
pub struct Linted {
    pub findings: Vec<Finding>,
    pub scripts: Option<Scripts>,
}

/// Parses and lints `bytes` read from `path`; a file whose variable expansions hit the
/// expansion budget is refused like a file that does not parse.
pub fn lint_bytes(
    path: &str,
    bytes: &[u8],
    opts: &LintOptions,
) -> Result<Vec<Finding>, ParseError> {
    lint_file(path, bytes, opts).map(|l| l.findings)
}

/// [`lint_bytes`], plus the RUN scripts ShellCheck is to check when `opts.shellcheck` is set:
/// give them, from every file of a run, to [`shellcheck::ShellCheck::check`] at once.
pub fn lint_file(path: &str, bytes: &[u8], opts: &LintOptions) -> Result<Linted, ParseError> {
    let df = Dockerfile::parse(bytes)?;
    let model = Model::new(&df, &opts.build_args, opts.target.as_deref());
    let (findings, scripts) = lint_model(path, &df, &model, opts);
    match model.budget_hit() {
        Some(hit) => Err(ParseError::new(None, format!("refused: {hit}"))),
        None => Ok(Linted { findings, scripts }),
    }
}

/// [`lint`], or why the file is refused (it hit the expansion budget, see
/// [`crate::parser::words::MAX_EXPANSION_BYTES`]).
pub fn lint_checked(
    path: &str,
    df: &Dockerfile,
    opts: &LintOptions,
) -> Result<Vec<Finding>, ParseError> {
    let model = Model::new(df, &opts.build_args, opts.target.as_deref());
    let (findings, _) = lint_model(path, df, &model, opts);
    match model.budget_hit() {
        Some(hit) => Err(ParseError::new(None, format!("refused: {hit}"))),
        None => Ok(findings),
    }
}

/// The findings of every enabled rule (expansions past the budget are cut short; see
/// [`lint_checked`]).
pub fn lint(path: &str, df: &Dockerfile, opts: &LintOptions) -> Vec<Finding> {
    let model = Model::new(df, &opts.build_args, opts.target.as_deref());
    lint_model(path, df, &model, opts).0
}

fn lint_model(
    path: &str,
    df: &Dockerfile,
    model: &Model,
    opts: &LintOptions,
) -> (Vec<Finding>, Option<Scripts>) {
    if model.budget_hit().is_some() {
        // Refused by the caller; the rules would only see values cut short.
        return (Vec::new(), None);
    }
    let cx = Context::new(df, model, &opts.config);
    let pragmas = Pragmas::collect(df);
    let mut findings = Vec::new();
    for rule in rules::REGISTRY.iter() {
        let meta = rule.meta();
        if opts.config.disabled.contains(meta.id) {
            continue;
        }
        let mut hits = Vec::new();
        rule.check(&cx, &mut hits);
        hits.sort_by_key(|h| (h.range, h.message.clone()));
        hits.dedup();
        for hit in hits {
            findings.push(finding(path, df, rule, &opts.config, &pragmas, hit));
        }
    }
    let scripts = opts
        .shellcheck
        .then(|| shellcheck::Scripts::gather(path, &cx, pragmas));
    (findings, scripts)
}

fn finding(
    path: &str,
    df: &Dockerfile,
    rule: &dyn DockerfileRule,
    config: &Config,
    pragmas: &Pragmas,
    hit: Hit,
) -> Finding {
    let meta = rule.meta();
    let severity = config
        .severity
        .get(meta.id)
        .copied()
        .unwrap_or(meta.severity);
    Finding {
        rule_id: meta.id.to_string(),
        severity,
        title: meta.title.to_string(),
        message: crate::redact::redact(&hit.message),
        location: Location::File {
            path: path.to_string(),
            span: df.span(hit.range),
        },
        evidence: hit.evidence.as_deref().map(crate::redact::redact),
        remediation: meta.remediation.to_string(),
        references: meta.references(),
        suppressed: pragmas.suppression(df, hit.instr, meta.id),
        origin: None,
    }
}

/// One ignore pragma: the ids it names (ours, after the hadolint crosswalk; ShellCheck codes
/// as they are) and where it stands.
#[derive(Debug)]
struct Pragma {
    ids: Vec<String>,
    line: u32,
    kind: &'static str,
}

#[derive(Debug, Default)]
pub(crate) struct Pragmas {
    global: Vec<Pragma>,
    /// Pragmas by the line they stand on; they apply to the next instruction.
    local: Vec<Pragma>,
}

impl Pragmas {
    pub(crate) fn collect(df: &Dockerfile) -> Pragmas {
        let mut p = Pragmas::default();
        for c in &df.comments {
            let mut words = c.text.split_whitespace();
            let (tool, mut next) = (words.next(), words.next());
            let global = next == Some("global");
            if global {
                next = words.next();
            }
            let Some(list) = next.and_then(|w| w.strip_prefix("ignore=")) else {
                continue;
            };
            let mut ids = Vec::new();
            let kind = match tool {
                Some("seaworthy") => {
                    ids.extend(
                        list.split(',')
                            .map(|s| s.trim().to_ascii_uppercase())
                            .filter(|s| !s.is_empty()),
                    );
                    if global { "global" } else { "inline" }
                }
                Some("hadolint") => {
                    for code in list.split(',') {
                        ids.extend(shellcheck::code(code.trim()));
                        ids.extend(
                            rules::from_hadolint(code.trim())
                                .into_iter()
                                .map(str::to_string),
                        );
                    }
                    "hadolint-pragma"
                }
                _ => continue,
            };
            let pragma = Pragma {
                ids,
                line: c.line,
                kind,
            };
            if global {
                p.global.push(pragma);
            } else {
                p.local.push(pragma);
            }
        }
        p
    }

    fn suppression(&self, df: &Dockerfile, instr: usize, id: &str) -> Option<Suppression> {
        let (line, prev_line) = Pragmas::lines_of(df, instr)?;
        self.suppression_at(line, prev_line, id)
    }

    /// The line of instruction `instr` and the last line of the one before (0 for the first):
    /// the pragmas between them apply to it.
    pub(crate) fn lines_of(df: &Dockerfile, instr: usize) -> Option<(u32, u32)> {
        let line = df.instructions.get(instr)?.line;
        let prev_line = instr
            .checked_sub(1)
            .and_then(|j| df.instructions.get(j))
            .map_or(0, |ins| df.span(ins.range).end.line);
        Some((line, prev_line))
    }

    /// Whether `id` is silenced for the instruction at `line` (see [`Pragmas::lines_of`]).
    pub(crate) fn suppression_at(
        &self,
        line: u32,
        prev_line: u32,
        id: &str,
    ) -> Option<Suppression> {
        let found = |p: &Pragma| p.ids.iter().any(|i| i == id || i == "*" || i == "ALL");
        if let Some(p) = self.global.iter().find(|p| found(p)) {
            return Some(Suppression::at(p.kind, format!("line {}", p.line)));
        }
        self.local
            .iter()
            .find(|p| p.line < line && p.line >= prev_line && found(p))
            .map(|p| Suppression::at(p.kind, format!("line {}", p.line)))
    }
}
