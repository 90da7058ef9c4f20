//! The scanning engine: one Aho-Corasick pass per case mode finds every pattern's literal
//! anchors, and only the matcher of the pattern whose anchor hit runs, on a bounded window.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::catalog::PATTERNS;
use crate::matchers::{ceil_boundary, floor_boundary, is_word_byte, word_start};
use crate::pattern::{Finder, Kind, Matcher, Pattern, Range};
use crate::{is_placeholder, mask, private_key};

/// How much text after an anchor a regex matcher sees.
const REGEX_WINDOW: usize = 4096;
/// Confirmations tried per pattern and text: bounds adversarial input (a file of anchors).
const MAX_ATTEMPTS: usize = 4096;

/// Bounds on the work done for one text or file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this are not scanned.
    pub max_file_size: usize,
    /// Findings reported per text or file at most.
    pub max_findings: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_file_size: 2 * 1024 * 1024,
        max_findings: 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A secret found in a text.
#[derive(Debug, Clone)]
pub struct Secret {
    pub pattern: &'static Pattern,
    /// Byte range of the secret value in the scanned text (the whole block for a key).
    pub start: usize,
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// What a report may show: at most 4 characters of the value, or a key's header line.
    pub masked: String,
}

impl Secret {
    pub fn id(&self) -> &'static str {
        self.pattern.id
    }
}

/// A pattern's claim on a range, before overlaps are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// One automaton and, per anchor, the patterns it belongs to.
struct Anchors {
    automaton: Option<AhoCorasick>,
    owners: Vec<Vec<usize>>,
}

impl Anchors {
    fn build(ignore_case: bool) -> Anchors {
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (i, p) in PATTERNS.iter().enumerate() {
            let Finder::Anchored {
                anchors,
                ignore_case: ic,
                ..
            } = &p.finder
            else {
                continue;
            };
            if *ic != ignore_case {
                continue;
            }
            for &a in *anchors {
                let a = if ignore_case {
                    a.to_ascii_lowercase()
                } else {
                    a.to_string()
                };
                match literals.iter().position(|l| *l == a) {
                    Some(k) => owners.get_mut(k).into_iter().for_each(|o| o.push(i)),
                    None => {
                        literals.push(a);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(ignore_case)
            .build(&literals)
            .ok();
        Anchors { automaton, owners }
    }
}

struct Engine {
    exact: Anchors,
    folded: Anchors,
    regexes: Vec<Option<Regex>>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine {
    exact: Anchors::build(false),
    folded: Anchors::build(true),
    regexes: PATTERNS
        .iter()
        .map(|p| match &p.finder {
            Finder::Anchored {
                matcher: Matcher::Regex { regex, .. },
                ..
            } => Regex::new(regex).ok(),
            _ => None,
        })
        .collect(),
});

/// Whether every automaton and regex of the catalog compiled (checked by the tests).
#[allow(dead_code)]
pub(crate) fn engine_ok() -> bool {
    let e = &*ENGINE;
    e.exact.automaton.is_some()
        && e.folded.automaton.is_some()
        && PATTERNS.iter().zip(&e.regexes).all(|(p, r)| {
            r.is_some()
                || !matches!(
                    p.finder,
                    Finder::Anchored {
                        matcher: Matcher::Regex { .. },
                        ..
                    }
                )
        })
}

/// Per-pattern bookkeeping during one scan.
struct State {
    attempts: Vec<usize>,
    /// Regex matchers: text before this offset was already searched.
    searched_to: Vec<usize>,
    cap: usize,
}

/// Candidates of every anchored pattern in `text`, at most `cap`.
pub(crate) fn anchored(text: &str, cap: usize, out: &mut Vec<Candidate>) {
    let engine = &*ENGINE;
    let mut state = State {
        attempts: vec![0; PATTERNS.len()],
        searched_to: vec![0; PATTERNS.len()],
        cap,
    };
    for anchors in [&engine.exact, &engine.folded] {
        let Some(ac) = &anchors.automaton else {
            continue;
        };
        for hit in ac.find_overlapping_iter(text) {
            let Some(owners) = anchors.owners.get(hit.pattern().as_usize()) else {
                continue;
            };
            for &p in owners {
                confirm(engine, text, p, hit.start(), hit.end(), &mut state, out);
                if out.len() >= state.cap {
                    return;
                }
            }
        }
    }
}

fn confirm(
    engine: &Engine,
    text: &str,
    p: usize,
    start: usize,
    end: usize,
    state: &mut State,
    out: &mut Vec<Candidate>,
) {
    let Some(pattern) = PATTERNS.get(p) else {
        return;
    };
    let Finder::Anchored { matcher, .. } = &pattern.finder else {
        return;
    };
    let push = |out: &mut Vec<Candidate>, (s, e): Range| {
        if s < e {
            out.push(Candidate {
                pattern: p,
                start: s,
                end: e,
            });
        }
    };
    match matcher {
        Matcher::Prefix { body, min, max } => {
            if let Some(r) = prefix(text, start, end, *body, *min, *max) {
                push(out, r);
            }
        }
        Matcher::Regex { back, .. } => {
            let (Some(attempts), Some(searched)) =
                (state.attempts.get_mut(p), state.searched_to.get_mut(p))
            else {
                return;
            };
            if start < *searched || *attempts >= MAX_ATTEMPTS {
                return;
            }
            *attempts += 1;
            let Some(Some(re)) = engine.regexes.get(p) else {
                return;
            };
            let from = floor_boundary(text, start.saturating_sub(back + 1));
            let to = ceil_boundary(text, end + REGEX_WINDOW);
            let Some(window) = text.get(from..to) else {
                return;
            };
            for caps in re.captures_iter(window) {
                let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                let value = m.as_str();
                if !is_placeholder(value) {
                    push(out, (from + m.start(), from + m.end()));
                }
                if out.len() >= state.cap {
                    break;
                }
            }
            // Overlap the next window a little so a match cut at this one's end is seen.
            *searched = if to == text.len() {
                to
            } else {
                to.saturating_sub(512).max(end)
            };
        }
        Matcher::Custom(f) => {
            let Some(attempts) = state.attempts.get_mut(p) else {
                return;
            };
            if *attempts >= MAX_ATTEMPTS {
                return;
            }
            *attempts += 1;
            if let Some(r) = f(text, start, end) {
                push(out, r);
            }
        }
    }
}

/// A token starting with the anchor at `text[start..end]`.
fn prefix(
    text: &str,
    start: usize,
    end: usize,
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Option<Range> {
    if !word_start(text, start) {
        return None;
    }
    let bytes = text.as_bytes();
    let n = bytes
        .get(end..)?
        .iter()
        .take(max + 1)
        .take_while(|&&b| body(b))
        .count();
    if n < min || n > max || (min == max && bytes.get(end + n).copied().is_some_and(is_word_byte)) {
        return None;
    }
    let value = text.get(start..end + n)?;
    let body = text.get(end..end + n)?;
    (!is_placeholder(value) && !is_placeholder(body)).then_some((start, end + n))
}

/// Resolves overlaps (the earlier catalog entry wins), keeps at most `max` findings in text
/// order and renders them.
pub(crate) fn finish(text: &str, mut found: Vec<Candidate>, max: usize) -> Vec<Secret> {
    found.sort_unstable();
    found.dedup();
    let mut kept: Vec<Candidate> = Vec::new();
    for c in found {
        if !kept.iter().any(|k| c.start < k.end && k.start < c.end) {
            kept.push(c);
        }
    }
    kept.sort_unstable_by_key(|c| (c.start, c.pattern));
    kept.truncate(max);
    let mut line = 1u32;
    let mut counted = 0usize;
    kept.into_iter()
        .filter_map(|c| {
            let pattern = PATTERNS.get(c.pattern)?;
            let value = text.get(c.start..c.end)?;
            line = line.saturating_add(count_newlines(text.get(counted..c.start)?));
            counted = c.start;
            Some(Secret {
                pattern,
                start: c.start,
                end: c.end,
                line,
                masked: masked(pattern, value),
            })
        })
        .collect()
}

fn count_newlines(s: &str) -> u32 {
    u32::try_from(s.bytes().filter(|&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

/// A key block shows its header line; everything else its masked value.
pub(crate) fn masked(pattern: &Pattern, value: &str) -> String {
    if pattern.kind == Kind::PrivateKey
        && let Some(header) = private_key::header(value)
    {
        return format!("{header}****");
    }
    mask(value)
}
