//! Provenance: which Dockerfile instruction wrote each entry of an image's history.
//!
//! The shipped stage and the stages it builds on (`FROM earlier-stage`) list, in order, the
//! instructions that wrote the last history entries; everything older comes from the base
//! image. [`map_history`] walks both lists backwards and checks every pairing (keyword and,
//! where builders keep it, text); at the first entry that disagrees it stops and leaves the
//! older entries [`Origin::Unknown`] rather than guess.

mod fix_hint;
mod matching;
pub mod recorded;

use serde::Serialize;

use crate::model::{Base, Model};
use crate::parser::{Dockerfile, Kind};

pub use fix_hint::fix_hint;

/// One entry of the image config's `history`, oldest first (as the config lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryStep<'a> {
    pub created_by: Option<&'a str>,
    /// Metadata only: the entry has no layer in `rootfs.diff_ids`.
    pub empty_layer: bool,
}

/// Where a history entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// An instruction of the Dockerfile.
    Instruction {
        /// 1-based line of the keyword.
        line: u32,
        /// 1-based last line (continuations and heredocs included).
        end_line: u32,
        /// The keyword (`RUN`, `COPY`, …).
        instruction: String,
        /// Index of the stage in the Dockerfile (0-based) and its `AS` name.
        stage: usize,
        stage_name: Option<String>,
        /// Index into `Dockerfile::instructions`.
        index: usize,
    },
    /// The base image named by the FROM of the first stage of the shipped chain.
    Base {
        /// The image as FROM names it, build arguments expanded.
        from: String,
        /// 1-based line of that FROM.
        line: u32,
    },
    Unknown,
}

/// The first pairing that failed: the instruction expected at a history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// 1-based line of the instruction that found no matching entry.
    pub line: u32,
    pub instruction: String,
    /// The history entry it was compared with (`None`: the history ran out).
    pub history_index: Option<usize>,
}

/// The origin of every history entry of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    origins: Vec<Origin>,
    /// For each layer (non-empty history entry), its history index.
    #[serde(skip)]
    layers: Vec<usize>,
    mismatch: Option<Mismatch>,
}

impl Provenance {
    /// Origin of history entry `history_index` (`Unknown` when out of range).
    pub fn origin(&self, history_index: usize) -> &Origin {
        self.origins.get(history_index).unwrap_or(&Origin::Unknown)
    }

    /// Did history entry `history_index` come with the base image?
    pub fn is_base(&self, history_index: usize) -> bool {
        matches!(self.origin(history_index), Origin::Base { .. })
    }

    /// Origin of layer `layer_index` (0 = bottom), counting only history entries that are not
    /// `empty_layer`. `Unknown` when the history has fewer layers.
    pub fn origin_of_layer(&self, layer_index: usize) -> &Origin {
        self.history_index_of_layer(layer_index)
            .map_or(&Origin::Unknown, |h| self.origin(h))
    }

    /// Did layer `layer_index` come with the base image?
    pub fn is_base_layer(&self, layer_index: usize) -> bool {
        matches!(self.origin_of_layer(layer_index), Origin::Base { .. })
    }

    /// History index of layer `layer_index`.
    pub fn history_index_of_layer(&self, layer_index: usize) -> Option<usize> {
        self.layers.get(layer_index).copied()
    }

    /// Origins in history order.
    pub fn origins(&self) -> &[Origin] {
        &self.origins
    }

    /// Number of layers the history describes.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Where the Dockerfile and the history stopped agreeing, if they did.
    pub fn mismatch(&self) -> Option<&Mismatch> {
        self.mismatch.as_ref()
    }
}

/// Maps `history` (oldest first) to the instructions of `df` that produced it, for the build
/// `model` describes (its build arguments and target stage).
pub fn map_history(df: &Dockerfile, model: &Model, history: &[HistoryStep<'_>]) -> Provenance {
    let layers = history
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.empty_layer)
        .map(|(i, _)| i)
        .collect();
    let mut origins = vec![Origin::Unknown; history.len()];
    let chain = model.target_chain();
    // Instructions in build order: the chain's root stage first, the shipped stage last.
    let plan: Vec<(usize, usize)> = chain
        .iter()
        .rev()
        .flat_map(|&stage| {
            model
                .stage_instructions(df, stage)
                .map(move |(i, _)| (stage, i))
        })
        .collect();

    let shells = matching::shell_flags(df);
    let mut next = history.len();
    let mut mismatch = None;
    for &(stage, at) in plan.iter().rev() {
        let ins = &df.instructions[at];
        let candidate = next.checked_sub(1);
        let agrees = candidate.is_some_and(|h| {
            history[h]
                .created_by
                .and_then(recorded::parse)
                .is_some_and(|rec| matching::matches(&rec, df, model, at, &shells))
        });
        if agrees {
            next -= 1;
            origins[next] = instruction_origin(df, model, stage, at);
        } else if !may_leave_no_entry(&ins.kind) {
            mismatch = Some(Mismatch {
                line: ins.line,
                instruction: ins.keyword.as_str().to_string(),
                history_index: candidate,
            });
            break;
        }
    }
    if mismatch.is_none()
        && let Some(base) = base_origin(df, model, chain.last().copied())
    {
        for origin in &mut origins[..next] {
            *origin = base.clone();
        }
    }
    Provenance {
        origins,
        layers,
        mismatch,
    }
}

/// BuildKit records no entry for ONBUILD; some builders record none for ARG.
fn may_leave_no_entry(kind: &Kind) -> bool {
    matches!(kind, Kind::Onbuild(_) | Kind::Arg(_))
}

fn instruction_origin(df: &Dockerfile, model: &Model, stage: usize, at: usize) -> Origin {
    let ins = &df.instructions[at];
    Origin::Instruction {
        line: ins.line,
        end_line: end_line(df, at),
        instruction: ins.keyword.as_str().to_string(),
        stage,
        stage_name: model.stages.get(stage).and_then(|s| s.name.clone()),
        index: at,
    }
}

/// Last line of the instruction, not counting a line break that ends its range.
fn end_line(df: &Dockerfile, at: usize) -> u32 {
    let ins = &df.instructions[at];
    let span = df.span(ins.range);
    let mut end = span.end.line;
    if span.end.column == 1 && end > span.start.line {
        end -= 1;
    }
    end.max(ins.line)
}

/// The root stage's FROM, unless it is `scratch` (whose builds have no base entries).
fn base_origin(df: &Dockerfile, model: &Model, root: Option<usize>) -> Option<Origin> {
    let stage = model.stages.get(root?)?;
    let from = match &stage.base {
        Base::Image { reference, .. } => reference.clone(),
        Base::Unresolved { raw, .. } => raw.clone(),
        Base::Invalid(text) => text.clone(),
        Base::Scratch | Base::Stage(_) => return None,
    };
    let line = df.instructions.get(stage.from).map_or(0, |i| i.line);
    Some(Origin::Base { from, line })
}
