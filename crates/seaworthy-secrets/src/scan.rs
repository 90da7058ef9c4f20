//! The scanning engine: one Aho-Corasick pass per case mode finds every pattern's literal
//! anchors, and only the matcher of the pattern whose anchor hit runs, on a bounded window.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::catalog::{PATTERNS, SECRET_NAME_ANCHORS};
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

/// One anchor automaton and, per anchor, the patterns it belongs to.
struct Group {
    automaton: Option<AhoCorasick>,
    owners: Vec<Vec<usize>>,
}

/// Two groups: token prefixes and other literals, and the keywords of secret-like names.
/// Keywords hit often and tokens are many; each searched alone keeps the SIMD prefilter
/// effective (measured: one mixed automaton ran at half the speed of the two).
struct Engine {
    groups: [Group; 2],
    regexes: Vec<Option<Regex>>,
}

/// The distinct anchors of one group with their patterns. Leftmost-longest search reports
/// `AccountKey=` but not a shorter anchor inside it, so custom matchers (which read the word
/// around a hit) also own every anchor of the group containing one of theirs.
fn anchors(keywords: bool) -> (Vec<&'static str>, Vec<Vec<usize>>) {
    let mut literals: Vec<&'static str> = Vec::new();
    for p in PATTERNS {
        for &a in p.anchors() {
            if SECRET_NAME_ANCHORS.contains(&a) == keywords && !literals.contains(&a) {
                literals.push(a);
            }
        }
    }
    let owners = literals
        .iter()
        .map(|lit| {
            PATTERNS
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    let custom = matches!(
                        p.finder,
                        Finder::Anchored {
                            matcher: Matcher::Custom(_),
                            ..
                        }
                    );
                    p.anchors().iter().any(|a| {
                        a == lit
                            || (custom
                                && SECRET_NAME_ANCHORS.contains(a) == keywords
                                && lit.contains(a))
                    })
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    (literals, owners)
}

fn group(keywords: bool) -> Group {
    let (literals, owners) = anchors(keywords);
    Group {
        automaton: AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&literals)
            .ok(),
        owners,
    }
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine {
    groups: [group(false), group(true)],
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

/// Whether the automaton and every regex of the catalog compiled.
#[cfg(test)]
pub(crate) fn engine_ok() -> bool {
    let e = &*ENGINE;
    e.groups.iter().all(|g| g.automaton.is_some())
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
    for group in &engine.groups {
        let Some(ac) = &group.automaton else {
            continue;
        };
        for hit in ac.find_iter(text) {
            let Some(owners) = group.owners.get(hit.pattern().as_usize()) else {
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
        Matcher::Prefix {
            prefixes,
            body,
            min,
            max,
        } => {
            let rest = text.get(start..).unwrap_or_default();
            if let Some(pre) = prefixes.iter().find(|p| rest.starts_with(**p))
                && let Some(r) = prefix(text, start, start + pre.len(), *body, *min, *max)
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_compiles() {
        assert!(engine_ok());
    }

    /// The packed (SIMD) prefilter needs at most 64 anchors; short ones make it useless.
    #[test]
    fn anchors_stay_fast() {
        for keywords in [false, true] {
            let (literals, owners) = anchors(keywords);
            assert!(literals.len() <= 64, "{} anchors", literals.len());
            assert!(literals.iter().all(|a| a.len() >= 3), "{literals:?}");
            assert!(owners.iter().all(|o| !o.is_empty()));
        }
    }

    #[test]
    fn contained_anchors_reach_custom_matchers() {
        // `PRIVATE KEY` is one anchor for three matchers; `Pass` inside `dbPassword` is found
        // by the keyword group.
        let (literals, owners) = anchors(false);
        let at = literals.iter().position(|l| *l == "PRIVATE KEY");
        assert_eq!(at.and_then(|i| owners.get(i)).map(Vec::len), Some(3));
        let found = crate::scan_text("dbPassword: Zq8Lp2Vx9Rt4Nw7Ks3Bd6Hf1Yc5Jm0Gt");
        assert_eq!(
            found.first().map(Secret::id),
            Some("generic-secret-assignment")
        );
    }
}
