//! Baseline gating: each finding gets a fingerprint that survives unrelated edits (no line
//! numbers, no installed versions), and a previous report's fingerprints say which findings are
//! new, unchanged or resolved.

use std::collections::BTreeMap;

use serde::Serialize;

/// Larger baseline reports are refused.
pub const MAX_LEN: usize = 256 << 20;
/// JSON nesting followed when collecting fingerprints.
const MAX_DEPTH: usize = 64;

/// `RULE:hex`: the rule or advisory id, then FNV-1a 64 of the identifying parts (file or image
/// path, package name, evidence), each separated by U+001F. Documented; never change it
/// without bumping the report schema.
pub fn fingerprint(id: &str, parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.join("\u{1f}").bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{id}:{h:016x}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Unchanged,
}

#[derive(Debug, thiserror::Error)]
#[error("baseline {file}: {message}")]
pub struct BaselineError {
    pub file: String,
    pub message: String,
}

/// The fingerprints of a previous report, counted (the same finding may occur twice).
#[derive(Debug, Default)]
pub struct Baseline {
    remaining: BTreeMap<String, usize>,
}

impl Baseline {
    /// Every `"fingerprint"` string in a previous JSON report, wherever the schema put it.
    pub fn from_report(file: &str, bytes: &[u8]) -> Result<Self, BaselineError> {
        let fail = |message: String| BaselineError {
            file: file.to_string(),
            message,
        };
        if bytes.len() > MAX_LEN {
            return Err(fail(format!("larger than {MAX_LEN} bytes")));
        }
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| fail(format!("not a JSON report: {e}")))?;
        let mut baseline = Baseline::default();
        collect(&value, 0, &mut baseline.remaining);
        Ok(baseline)
    }

    pub fn from_fingerprints<I: IntoIterator<Item = String>>(fingerprints: I) -> Self {
        let mut remaining = BTreeMap::new();
        for f in fingerprints {
            *remaining.entry(f).or_insert(0) += 1;
        }
        Baseline { remaining }
    }

    /// Classifies one current finding, consuming its match.
    pub fn classify(&mut self, fingerprint: &str) -> Change {
        match self.remaining.get_mut(fingerprint) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Change::Unchanged
            }
            _ => Change::New,
        }
    }

    /// Fingerprints of the baseline that no current finding claimed: resolved.
    pub fn resolved(&self) -> Vec<&str> {
        self.remaining
            .iter()
            .flat_map(|(f, n)| std::iter::repeat_n(f.as_str(), *n))
            .collect()
    }
}

fn collect(v: &serde_json::Value, depth: usize, out: &mut BTreeMap<String, usize>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("fingerprint", serde_json::Value::String(f)) => {
                        *out.entry(f.clone()).or_insert(0) += 1;
                    }
                    // An assessment lists what its own baseline resolved: gone, not present.
                    ("resolved", _) => {}
                    _ => collect(v, depth + 1, out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                collect(v, depth + 1, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint("SW-DF-012", &["Dockerfile", "apt-get install curl"]);
        assert_eq!(
            a,
            fingerprint("SW-DF-012", &["Dockerfile", "apt-get install curl"])
        );
        assert!(a.starts_with("SW-DF-012:") && a.len() == "SW-DF-012:".len() + 16);
        // Part boundaries matter: ("ab","c") differs from ("a","bc").
        assert_ne!(
            fingerprint("X", &["ab", "c"]),
            fingerprint("X", &["a", "bc"])
        );
        // FNV-1a 64 of the empty input is its offset basis.
        assert_eq!(fingerprint("X", &[]), "X:cbf29ce484222325");
    }

    #[test]
    fn new_unchanged_and_resolved() {
        let report = serde_json::json!({
            "areas": [{"findings": [
                {"rule_id": "A", "fingerprint": "A:1"},
                {"rule_id": "A", "fingerprint": "A:1"},
                {"rule_id": "B", "fingerprint": "B:2", "nested": {"fingerprint": "C:3"}}
            ]}],
            // What that report's own baseline resolved is not in it.
            "baseline": {"resolved": [{"fingerprint": "E:5"}]}
        });
        let mut b =
            Baseline::from_report("prev.json", &serde_json::to_vec(&report).unwrap()).unwrap();
        assert_eq!(b.classify("A:1"), Change::Unchanged);
        assert_eq!(b.classify("A:1"), Change::Unchanged);
        assert_eq!(b.classify("A:1"), Change::New, "a third occurrence is new");
        assert_eq!(b.classify("D:4"), Change::New);
        assert_eq!(b.resolved(), ["B:2", "C:3"]);
    }

    #[test]
    fn a_broken_baseline_names_the_file() {
        let e = Baseline::from_report("prev.json", b"{not json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("baseline prev.json: not a JSON report")
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_json_never_panics(text in "[\\[\\]{}\"a-z:,0-9 ]{0,300}") {
            if let Ok(mut b) = Baseline::from_report("prev.json", text.as_bytes()) {
                let _ = b.classify("a:1");
                let _ = b.resolved();
            }
        }
    }
}
