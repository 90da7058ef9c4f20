//! A ShellCheck comment as a finding: its line and column in the script back to the Dockerfile,
//! its level on our severity scale, its message as the title, its fix as the remediation.

use seaworthy_core::{Finding, Location};

use super::Scripts;
use super::process::Comment;
use super::script::{HEADER_LINES, RunCheck};
use crate::config::Config;
use crate::context::clip;
use crate::parser::TextRange;

/// Longest title kept from a ShellCheck message.
const MAX_TITLE_CHARS: usize = 200;
/// Longest piece of code a fix hint shows.
const MAX_FIX_CHARS: usize = 120;

pub fn finding(file: &Scripts, run: &RunCheck, c: &Comment, config: &Config) -> Option<Finding> {
    let id = format!("SC{}", c.code);
    if config.disabled.contains(&id) || super::EXCLUDED.contains(&id.as_str()) {
        return None;
    }
    let severity = config
        .severity
        .get(&id)
        .copied()
        .unwrap_or_else(|| super::level_severity(&c.level));
    let lines = LineStarts::new(&run.text);
    let start = lines.offset(&run.text, c.line, c.column);
    let end = lines.offset(&run.text, c.end_line, c.end_column).max(start);
    let body_len = run.text.len() - run.body_at;
    let (s, e) = (
        start.saturating_sub(run.body_at).min(body_len),
        end.saturating_sub(run.body_at).min(body_len),
    );
    let range: TextRange = run.map.range(s, e);
    let title = one_line(&c.message);
    let url = super::wiki_url(&id);
    let remediation = match fix_hint(&run.text, &lines, c) {
        Some((before, after)) => {
            format!("ShellCheck's fix: `{before}` → `{after}`. {id} explained: {url}")
        }
        None => format!("See {url} for why and how to fix it."),
    };
    let evidence = file
        .source
        .get(range.start as usize..range.end as usize)
        .map(clip)
        .filter(|e| !e.is_empty());
    Some(Finding {
        rule_id: id.clone(),
        severity,
        title: crate::redact::redact(&title),
        message: format!(
            "ShellCheck {} in the RUN script, checked as {}",
            c.level.to_ascii_lowercase(),
            run.dialect.as_str()
        ),
        location: Location::File {
            path: file.path.clone(),
            span: file.index.span(&file.source, range),
        },
        evidence: evidence.as_deref().map(crate::redact::redact),
        remediation: crate::redact::redact(&remediation),
        references: vec![format!("shellcheck:{id}")],
        suppressed: file.pragmas.suppression_at(run.line, run.prev_line, &id),
        origin: None,
    })
}

/// One line, control characters out, clipped.
fn one_line(message: &str) -> String {
    let flat: String = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if flat.chars().count() <= MAX_TITLE_CHARS {
        return flat;
    }
    let mut out: String = flat.chars().take(MAX_TITLE_CHARS).collect();
    out.push('…');
    out
}

/// Byte offsets of the line starts of a text.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    /// The line `line` (1-based) without its line break.
    fn line<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.0.get(i)?;
        let end = self.0.get(i + 1).map_or(text.len(), |e| e - 1);
        text.get(start..end)
    }

    /// Byte offset of 1-based `line` and character `column` (clamped to the line; before the
    /// script's first line, its start).
    fn offset(&self, text: &str, line: u32, column: u32) -> usize {
        let line = line.max(HEADER_LINES + 1);
        let Some(i) = (line as usize).checked_sub(1) else {
            return 0;
        };
        let Some(&start) = self.0.get(i) else {
            return text.len();
        };
        let l = self.line(text, line).unwrap_or("");
        let skip = (column as usize).saturating_sub(1);
        start + l.char_indices().nth(skip).map_or(l.len(), |(b, _)| b)
    }
}

/// The code ShellCheck points at and the same code with its fix applied, when the fix stays on
/// that one line: `$FOO` → `"$FOO"`.
fn fix_hint(text: &str, lines: &LineStarts, c: &Comment) -> Option<(String, String)> {
    let fix = c.fix.as_ref()?;
    if fix.replacements.is_empty()
        || c.line != c.end_line
        || fix
            .replacements
            .iter()
            .any(|r| r.line != c.line || r.end_line != c.line || r.end_column < r.column)
    {
        return None;
    }
    let chars: Vec<char> = lines.line(text, c.line)?.chars().collect();
    let col = |n: u32| (n as usize).saturating_sub(1).min(chars.len());
    let lo = fix
        .replacements
        .iter()
        .map(|r| col(r.column))
        .chain([col(c.column)])
        .min()?;
    let hi = fix
        .replacements
        .iter()
        .map(|r| col(r.end_column))
        .chain([col(c.end_column)])
        .max()?;
    if hi <= lo || hi - lo > MAX_FIX_CHARS {
        return None;
    }
    let before: String = chars[lo..hi].iter().collect();
    let mut after: Vec<char> = chars[lo..hi].to_vec();
    let mut reps: Vec<_> = fix.replacements.iter().collect();
    // Right to left, so earlier columns stay valid.
    reps.sort_by_key(|r| std::cmp::Reverse((r.column, r.end_column)));
    for r in reps {
        let (s, e) = (col(r.column) - lo, col(r.end_column) - lo);
        if e > after.len() || s > e {
            return None;
        }
        after.splice(s..e, r.replacement.chars());
    }
    let after: String = after.into_iter().collect();
    let clean = |s: &str| one_line(s);
    (before != after).then(|| (clean(&before), clean(&after)))
}

#[cfg(test)]
mod tests {
    use super::super::process::{Fix, Replacement};
    use super::*;

    fn comment(line: u32, col: u32, end: u32, reps: Vec<(u32, u32, &str)>) -> Comment {
        Comment {
            file: "0.sh".into(),
            line,
            end_line: line,
            column: col,
            end_column: end,
            level: "info".into(),
            code: 2086,
            message: "Double quote to prevent globbing\nand word splitting.".into(),
            fix: Some(Fix {
                replacements: reps
                    .into_iter()
                    .map(|(c, e, r)| Replacement {
                        line,
                        end_line: line,
                        column: c,
                        end_column: e,
                        replacement: r.into(),
                    })
                    .collect(),
            }),
        }
    }

    #[test]
    fn offsets_count_characters_on_script_lines() {
        let text = "#!/bin/sh\n\nécho\t$A\n";
        let lines = LineStarts::new(text);
        assert_eq!(&text[lines.offset(text, 3, 6)..], "$A\n");
        // Before the script: its first byte; past the end of a line: its end.
        assert_eq!(lines.offset(text, 1, 1), 11);
        assert_eq!(lines.offset(text, 3, 99), text.len() - 1);
    }

    #[test]
    fn fix_hints_apply_the_replacements() {
        let text = "#!/bin/sh\n\necho $FOO bar\n";
        let lines = LineStarts::new(text);
        let c = comment(3, 6, 10, vec![(6, 6, "\""), (10, 10, "\"")]);
        assert_eq!(
            fix_hint(text, &lines, &c),
            Some(("$FOO".to_string(), "\"$FOO\"".to_string()))
        );
        let none = comment(3, 6, 10, vec![]);
        assert_eq!(fix_hint(text, &lines, &none), None);
        assert_eq!(
            one_line(&c.message),
            "Double quote to prevent globbing and word splitting."
        );
    }
}
