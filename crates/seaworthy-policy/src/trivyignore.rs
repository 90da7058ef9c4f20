//! `.trivyignore` as waivers, so a team moving from Trivy keeps its ignores: one id per line,
//! `#` comments, optional `exp:YYYY-MM-DD`. The comment lines just above an id become its reason.

use crate::waiver::{Waiver, WaiverError, WaiverSource, parse_date};

/// Larger files are not ignore lists.
pub const MAX_LEN: usize = 1 << 20;

/// Parses `text` (the content of `file`). Every bad line is an error naming file and line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Waiver>, WaiverError> {
    let at = |line: usize| WaiverSource {
        file: file.to_string(),
        line: Some(u32::try_from(line + 1).unwrap_or(u32::MAX)),
    };
    if text.len() > MAX_LEN {
        return Err(WaiverError {
            at: at(0),
            message: format!("larger than {MAX_LEN} bytes; not an ignore file"),
        });
    }
    let mut waivers = Vec::new();
    let mut comment: Vec<&str> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(c) = line.strip_prefix('#') {
            comment.push(c.trim());
            continue;
        }
        if line.is_empty() {
            comment.clear();
            continue;
        }
        let mut words = line.split_whitespace();
        let id = words.next().unwrap_or_default();
        let mut expires = None;
        for word in words {
            let Some(date) = word.strip_prefix("exp:") else {
                return Err(WaiverError {
                    at: at(n),
                    message: format!(
                        "unexpected {word:?} after {id} (only exp:YYYY-MM-DD may follow)"
                    ),
                });
            };
            expires = Some(parse_date(date).map_err(|message| WaiverError { at: at(n), message })?);
        }
        let reason = match comment.join(" ").trim() {
            "" => format!("listed in {file}"),
            text => text.to_string(),
        };
        comment.clear();
        waivers.push(Waiver::imported(id, reason, expires, at(n))?);
    }
    Ok(waivers)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;
    use crate::{Decision, Target, WaiverSet};

    // In the form Trivy documents for .trivyignore (ids, comments, exp: dates).
    const SAMPLE: &str = "\
# Accept the risk: only reachable with local access
CVE-2018-14618

# No impact in our use of libcurl
CVE-2019-1543 exp:2026-12-31
CVE-2023-0001 exp:2026-01-01

GHSA-jjjh-jjxp-wpff
";

    #[test]
    fn ids_dates_and_comment_reasons() {
        let w = parse(".trivyignore", SAMPLE).unwrap();
        let summary: Vec<_> = w
            .iter()
            .map(|w| {
                (
                    w.id.as_str(),
                    w.expires.map(|d| d.to_string()),
                    w.source.line,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("CVE-2018-14618", None, Some(2)),
                ("CVE-2019-1543", Some("2026-12-31".into()), Some(5)),
                ("CVE-2023-0001", Some("2026-01-01".into()), Some(6)),
                ("GHSA-jjjh-jjxp-wpff", None, Some(8)),
            ]
        );
        assert_eq!(
            w[0].reason,
            "Accept the risk: only reachable with local access"
        );
        assert_eq!(w[1].reason, "No impact in our use of libcurl");
        assert_eq!(w[2].reason, "listed in .trivyignore");
    }

    #[test]
    fn an_expired_trivy_entry_no_longer_waives() {
        let set = WaiverSet::new(parse(".trivyignore", SAMPLE).unwrap());
        let today = "2026-11-29".parse().unwrap();
        let t = |id| Target {
            ids: vec![id],
            ..Target::default()
        };
        assert!(matches!(
            set.decide(&t("CVE-2019-1543"), today),
            Decision::Waived(_)
        ));
        assert!(matches!(
            set.decide(&t("CVE-2023-0001"), today),
            Decision::Expired(_)
        ));
        assert!(matches!(
            set.decide(&t("CVE-2018-14618"), today),
            Decision::Waived(_)
        ));
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let e = parse(".trivyignore", "CVE-1\nCVE-2 exp:tomorrow\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            ".trivyignore:2: \"tomorrow\" is not a date (YYYY-MM-DD)"
        );
        let e = parse(".trivyignore", "CVE-1 because\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with(".trivyignore:1: unexpected \"because\"")
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = parse(".trivyignore", &text);
        }
    }
}
