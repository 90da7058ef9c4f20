//! The build as BuildKit sees it: stages, their bases, build arguments and variable scope.

use std::collections::HashMap;

use crate::image_ref::ImageRef;
use crate::parser::words::{self, Budget, BudgetHit};
use crate::parser::{Dockerfile, Instruction, Kind};

/// What a stage builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// An image from a registry (after build-argument expansion).
    Image {
        reference: String,
        image: ImageRef,
    },
    /// An earlier stage, by index.
    Stage(usize),
    Scratch,
    /// FROM names variables that have no value.
    Unresolved {
        raw: String,
        missing: Vec<String>,
    },
    /// Not a valid image reference.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Lower-cased alias from `AS name`.
    pub name: Option<String>,
    /// Index of the FROM instruction.
    pub from: usize,
    /// Instruction indexes after FROM, up to the next FROM.
    pub body: std::ops::Range<usize>,
    pub base: Base,
    pub platform: Option<String>,
}

/// Stages and scope of a parsed Dockerfile, for one set of build arguments and target.
///
/// Every lookup is indexed (stage names, the instructions defining each variable), so rules
/// that ask about every instruction of a file with 100,000 stages stay linear, and every
/// variable expansion is charged to one [`Budget`] (see [`Model::budget_hit`]).
#[derive(Debug)]
pub struct Model {
    pub stages: Vec<Stage>,
    /// Stage that ships (the `--target`, else the last).
    pub target: usize,
    /// For each instruction, the stage it belongs to (`None` for ARGs before the first FROM).
    pub stage_of: Vec<Option<usize>>,
    /// ARG defaults before the first FROM, with build arguments applied.
    pub global_args: HashMap<String, String>,
    pub build_args: HashMap<String, String>,
    /// `--target` named a stage that does not exist.
    pub unknown_target: Option<String>,
    /// The stages of each (lower-cased) name, ascending.
    names: HashMap<String, Vec<usize>>,
    /// For each variable, the instructions (ascending) whose ENV or ARG defines it.
    defs: HashMap<String, Vec<usize>>,
    /// For each variable, the instructions (ascending) whose ENV defines it.
    env_defs: HashMap<String, Vec<usize>>,
    budget: Budget,
}

impl Model {
    pub fn new(
        df: &Dockerfile,
        build_args: &HashMap<String, String>,
        target: Option<&str>,
    ) -> Model {
        let escape = df.escape();
        // Global ARG defaults are expanded once each, here, within the file's budget (a value
        // doubling on each of 30 lines stops at the longest value allowed).
        let budget = Budget::default();
        // BuildKit defines the platform ARGs for FROM by itself (values of an amd64 Linux build).
        let mut global_args: HashMap<String, String> = PLATFORM_ARGS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut stages: Vec<Stage> = Vec::new();
        let mut names: HashMap<String, Vec<usize>> = HashMap::new();
        let mut defs: HashMap<String, Vec<usize>> = HashMap::new();
        let mut env_defs: HashMap<String, Vec<usize>> = HashMap::new();
        let mut stage_of = Vec::with_capacity(df.instructions.len());
        for (i, ins) in df.instructions.iter().enumerate() {
            match &ins.kind {
                Kind::Env { pairs, .. } => {
                    for p in pairs {
                        add_def(&mut defs, &p.key, i);
                        add_def(&mut env_defs, &p.key, i);
                    }
                }
                Kind::Arg(decls) => {
                    for d in decls {
                        add_def(&mut defs, &d.name, i);
                    }
                }
                _ => {}
            }
            match &ins.kind {
                Kind::Arg(decls) if stages.is_empty() => {
                    for d in decls {
                        let value = build_args.get(&d.name).cloned().or_else(|| {
                            d.default.as_ref().map(|v| {
                                let lookup = |n: &str| global_args.get(n).cloned();
                                words::expand_within(v, escape, &lookup, &budget).value
                            })
                        });
                        if let Some(v) = value {
                            global_args.insert(d.name.clone(), v);
                        }
                    }
                    stage_of.push(None);
                }
                Kind::From(from) => {
                    if let Some(last) = stages.last_mut() {
                        last.body.end = i;
                    }
                    let lookup = |n: &str| global_args.get(n).cloned();
                    let expanded = words::expand_within(&from.image.raw, escape, &lookup, &budget);
                    let base = resolve_base(&expanded, &from.image.raw, &names);
                    let platform = ins.flag_value("platform").map(str::to_string);
                    let name = from.alias.as_ref().map(|a| a.value.to_ascii_lowercase());
                    if let Some(n) = &name {
                        names.entry(n.clone()).or_default().push(stages.len());
                    }
                    stages.push(Stage {
                        index: stages.len(),
                        name,
                        from: i,
                        body: i + 1..df.instructions.len(),
                        base,
                        platform,
                    });
                    stage_of.push(Some(stages.len() - 1));
                }
                _ => stage_of.push(stages.len().checked_sub(1)),
            }
        }
        let mut unknown_target = None;
        let last = stages.len().saturating_sub(1);
        let target = match target {
            Some(t) => match stages
                .iter()
                .position(|s| s.name.as_deref() == Some(&t.to_ascii_lowercase()))
            {
                Some(i) => i,
                None => {
                    unknown_target = Some(t.to_string());
                    last
                }
            },
            None => last,
        };
        Model {
            stages,
            target,
            stage_of,
            global_args,
            build_args: build_args.clone(),
            unknown_target,
            names,
            defs,
            env_defs,
            budget,
        }
    }

    /// The bound of the expansion budget a variable expansion hit, if any: the file is then
    /// refused (see [`words::MAX_EXPANSION_BYTES`]).
    pub fn budget_hit(&self) -> Option<BudgetHit> {
        self.budget.hit(words::MAX_EXPANSION_BYTES)
    }

    /// Expands `raw` with `lookup`, charged to this file's expansion budget.
    pub fn expand_with(
        &self,
        raw: &str,
        escape: char,
        lookup: words::Lookup<'_>,
    ) -> words::Expanded {
        words::expand_within(raw, escape, lookup, &self.budget)
    }

    /// The stages whose `AS` name is `lower` (lower-cased), ascending.
    pub fn stages_named(&self, lower: &str) -> &[usize] {
        self.names.get(lower).map_or(&[], Vec::as_slice)
    }

    /// Stage index named by `reference` (an alias or a number), as `COPY --from` and FROM use it.
    pub fn stage_by_ref(&self, reference: &str, before: usize) -> Option<usize> {
        let lower = reference.to_ascii_lowercase();
        let before = before.min(self.stages.len());
        if let Some(&i) = self.stages_named(&lower).first().filter(|&&i| i < before) {
            return Some(i);
        }
        reference.parse::<usize>().ok().filter(|&n| n < before)
    }

    /// The stage that ships and every stage it builds on, nearest first.
    pub fn target_chain(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut seen = vec![false; self.stages.len()];
        let mut at = Some(self.target);
        while let Some(i) = at {
            if seen.get(i).is_none_or(|&s| s) {
                break;
            }
            seen[i] = true;
            chain.push(i);
            at = match self.stages[i].base {
                Base::Stage(parent) => Some(parent),
                _ => None,
            };
        }
        chain
    }

    /// Value of a variable as instruction `at` sees it (stage ARG and ENV, meta ARGs it re-declares,
    /// ENV inherited from a parent stage).
    pub fn lookup(&self, df: &Dockerfile, at: usize, name: &str) -> Option<String> {
        let stage = self.stage_of.get(at).copied().flatten()?;
        self.lookup_in(df, stage, at, name, 0)
    }

    fn lookup_in(
        &self,
        df: &Dockerfile,
        stage: usize,
        before: usize,
        name: &str,
        depth: usize,
    ) -> Option<String> {
        let s = self.stages.get(stage)?;
        // Each lookup costs: a chain that fans out (`ENV V9=${V8}${V8}`) ends with the budget.
        if !self.budget.charge(words::LOOKUP_COST) {
            return None;
        }
        // The last instruction of this stage before `before` that defines `name`.
        let end = before.min(s.body.end);
        let last_def = self.defs.get(name).and_then(|list| {
            let k = list.partition_point(|&i| i < end);
            k.checked_sub(1)
                .and_then(|k| list.get(k))
                .copied()
                .filter(|&i| i >= s.body.start)
        });
        if let Some(i) = last_def {
            match &df.instructions[i].kind {
                Kind::Env { pairs, .. } => {
                    if let Some(p) = pairs.iter().rev().find(|p| p.key == name) {
                        // `ENV A=$A:x` sees the A defined before this instruction.
                        let lookup = |n: &str| {
                            (depth < MAX_LOOKUP_DEPTH)
                                .then(|| self.lookup_in(df, stage, i, n, depth + 1))
                                .flatten()
                        };
                        return Some(self.expand_with(&p.raw_value, df.escape(), &lookup).value);
                    }
                }
                Kind::Arg(decls) => {
                    if let Some(d) = decls.iter().rev().find(|d| d.name == name) {
                        return self
                            .build_args
                            .get(name)
                            .cloned()
                            .or_else(|| d.default.clone())
                            .or_else(|| self.global_args.get(name).cloned());
                    }
                }
                _ => {}
            }
        }
        match s.base {
            Base::Stage(parent) if parent < stage && depth < MAX_LOOKUP_DEPTH => {
                let end = self.stages[parent].body.end;
                self.lookup_in(df, parent, end, name, depth + 1)
                    .filter(|_| !self.is_arg_only(parent, name))
            }
            _ => None,
        }
    }

    /// Whether instruction `at` sees a variable `name` declared: by an ARG or ENV before it in
    /// its stage, or by an ENV of a stage it builds on. No value is expanded (nothing is charged
    /// to the budget).
    pub fn declares(&self, at: usize, name: &str) -> bool {
        let Some(mut stage) = self.stage_of.get(at).copied().flatten() else {
            return false;
        };
        let Some(s) = self.stages.get(stage) else {
            return false;
        };
        let earlier = self.defs.get(name).is_some_and(|list| {
            let k = list.partition_point(|&i| i < at);
            k.checked_sub(1)
                .and_then(|k| list.get(k))
                .is_some_and(|&i| i >= s.body.start)
        });
        if earlier {
            return true;
        }
        let Some(envs) = self.env_defs.get(name) else {
            return false;
        };
        for _ in 0..MAX_LOOKUP_DEPTH {
            let parent = match self.stages.get(stage).map(|s| &s.base) {
                Some(Base::Stage(p)) if *p < stage => *p,
                _ => return false,
            };
            let body = &self.stages[parent].body;
            let k = envs.partition_point(|&i| i < body.start);
            if envs.get(k).is_some_and(|&i| i < body.end) {
                return true;
            }
            stage = parent;
        }
        false
    }

    /// ARGs do not carry into child stages; ENV does.
    fn is_arg_only(&self, stage: usize, name: &str) -> bool {
        let Some(s) = self.stages.get(stage) else {
            return true;
        };
        let Some(list) = self.env_defs.get(name) else {
            return true;
        };
        let k = list.partition_point(|&i| i < s.body.start);
        list.get(k).is_none_or(|&i| i >= s.body.end)
    }

    /// Expands variables in `raw` as instruction `at` sees them.
    pub fn expand(&self, df: &Dockerfile, at: usize, raw: &str) -> String {
        self.expand_full(df, at, raw).value
    }

    pub fn expand_full(&self, df: &Dockerfile, at: usize, raw: &str) -> words::Expanded {
        let lookup = |n: &str| self.lookup(df, at, n);
        self.expand_with(raw, df.escape(), &lookup)
    }

    /// Instructions of stage `stage` in order, with their indexes.
    pub fn stage_instructions<'a>(
        &self,
        df: &'a Dockerfile,
        stage: usize,
    ) -> impl Iterator<Item = (usize, &'a Instruction)> + 'a {
        let range = self.stages.get(stage).map_or(0..0, |s| s.body.clone());
        range.map(move |i| (i, &df.instructions[i]))
    }
}

/// How many variable references deep a lookup follows (ENV values naming other variables, parent
/// stages) before it gives up.
const MAX_LOOKUP_DEPTH: usize = 16;

/// BuildKit's automatic platform ARGs, with the values of a linux/amd64 build.
pub const PLATFORM_ARGS: &[(&str, &str)] = &[
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
];

/// Records that instruction `i` defines `name` (once per instruction, ascending).
fn add_def(defs: &mut HashMap<String, Vec<usize>>, name: &str, i: usize) {
    let list = defs.entry(name.to_string()).or_default();
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// What a FROM builds on; `names` holds the stages of each name before this one.
fn resolve_base(
    expanded: &words::Expanded,
    raw: &str,
    names: &HashMap<String, Vec<usize>>,
) -> Base {
    if !expanded.unresolved.is_empty() {
        return Base::Unresolved {
            raw: raw.to_string(),
            missing: expanded.unresolved.clone(),
        };
    }
    let value = expanded.value.trim();
    let lower = value.to_ascii_lowercase();
    if let Some(&i) = names.get(&lower).and_then(|v| v.first()) {
        return Base::Stage(i);
    }
    if lower == "scratch" {
        return Base::Scratch;
    }
    match ImageRef::parse(value) {
        Some(image) => Base::Image {
            reference: value.to_string(),
            image,
        },
        None => Base::Invalid(value.to_string()),
    }
}
