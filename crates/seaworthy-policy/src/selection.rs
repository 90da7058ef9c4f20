//! Which rules an area reports and at what severity: `enable`, `disable` and `severity`
//! overrides of a `seaworthy.toml` area section, each keyed by rule or advisory id (globs,
//! case-insensitive; a finding's peer ids such as `DL3008` or `4.1` count too).

use globset::{GlobBuilder, GlobMatcher};
use seaworthy_core::Severity;

#[derive(Debug, Default)]
pub struct Selection {
    enable: Vec<GlobMatcher>,
    disable: Vec<GlobMatcher>,
    severity: Vec<(GlobMatcher, Severity)>,
}

/// A pattern that is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("bad rule pattern `{pattern}`: {message}")]
pub struct SelectionError {
    pub pattern: String,
    pub message: String,
}

fn matcher(pattern: &str) -> Result<GlobMatcher, SelectionError> {
    // Trivy's `DS0002` and `AVD-DS-0002` are the `DS-0002` the rules cite.
    let pattern_text = seaworthy_core::Peer::Trivy.canonical_id(pattern);
    GlobBuilder::new(&pattern_text)
        .case_insensitive(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| SelectionError {
            pattern: pattern.to_string(),
            message: e.to_string(),
        })
}

impl Selection {
    pub fn new<'a>(
        enable: impl IntoIterator<Item = &'a String>,
        disable: impl IntoIterator<Item = &'a String>,
        severity: impl IntoIterator<Item = (&'a String, &'a Severity)>,
    ) -> Result<Self, SelectionError> {
        Ok(Selection {
            enable: enable
                .into_iter()
                .map(|p| matcher(p))
                .collect::<Result<_, _>>()?,
            disable: disable
                .into_iter()
                .map(|p| matcher(p))
                .collect::<Result<_, _>>()?,
            severity: severity
                .into_iter()
                .map(|(p, s)| matcher(p).map(|m| (m, *s)))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Reported at all: enabled (when an enable list exists) and not disabled.
    pub fn keeps(&self, ids: &[&str]) -> bool {
        let hit = |list: &[GlobMatcher]| list.iter().any(|g| ids.iter().any(|id| g.is_match(id)));
        (self.enable.is_empty() || hit(&self.enable)) && !hit(&self.disable)
    }

    /// The severity override of the first pattern that matches.
    pub fn severity(&self, ids: &[&str]) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(g, _)| ids.iter().any(|id| g.is_match(id)))
            .map(|(_, s)| *s)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn enable_disable_and_overrides_by_id_or_peer_id() {
        let enable = strings(&["SW-DF-*", "CVE-*"]);
        let disable = strings(&["dl3008"]);
        let sev: Vec<(String, Severity)> = vec![("CVE-2024-*".into(), Severity::Low)];
        let s = Selection::new(&enable, &disable, sev.iter().map(|(k, v)| (k, v))).unwrap();
        assert!(s.keeps(&["SW-DF-003", "DL3007"]));
        assert!(
            !s.keeps(&["SW-DF-019", "DL3008"]),
            "disabled by its hadolint id"
        );
        assert!(!s.keeps(&["SW-IMG-001"]), "not enabled");
        assert_eq!(s.severity(&["CVE-2024-1"]), Some(Severity::Low));
        assert_eq!(s.severity(&["CVE-2023-1"]), None);
        let all = Selection::default();
        assert!(all.keeps(&["anything"]));
        // Trivy's ids in any of its spellings (issue 19 item 16).
        for spelling in ["AVD-DS-0002", "DS0002", "ds-0002"] {
            let s = Selection::new(&[], &strings(&[spelling]), []).unwrap();
            assert!(!s.keeps(&["SW-DF-010", "DS-0002"]), "{spelling}");
            assert!(s.keeps(&["SW-DF-011", "DS-0020"]), "{spelling}");
        }
    }

    #[test]
    fn bad_patterns_are_errors() {
        let bad = strings(&["SW-[DF"]);
        let e = Selection::new(&bad, &[], []).unwrap_err();
        assert!(e.to_string().contains("SW-[DF"), "{e}");
    }
}
