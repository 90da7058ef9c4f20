//! `--baseline`: a previous `assess --format json` report says which items are new, unchanged or
//! resolved. Any other document (another command's report, `{}`, a list) is refused: read as a
//! baseline it would hold no fingerprints and mark every item new.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use seaworthy_policy::baseline::{Baseline, Change as Seen, MAX_LEN};
use seaworthy_report::assess::{
    ASSESS_SCHEMA_VERSION, AreaKind, Assessment, BaselineSummary, Change, ResolvedItem,
};

pub struct Previous {
    path: String,
    baseline: Baseline,
    /// What the previous report said about each fingerprint, when it was an assessment.
    known: HashMap<String, ResolvedItem>,
}

pub fn load(path: &Path) -> Result<Previous> {
    let shown = path.display().to_string();
    let bytes =
        seaworthy_core::files::read(path, MAX_LEN as u64, seaworthy_core::files::Links::Follow)
            .map_err(|e| anyhow::anyhow!("baseline {e}"))?;
    check_document(&shown, &bytes)?;
    let baseline = Baseline::from_report(&shown, &bytes)?;
    let mut known = HashMap::new();
    // A previous assessment names each item; other reports only give fingerprints.
    if let Ok(previous) = serde_json::from_slice::<Assessment>(&bytes) {
        for area in &previous.areas {
            for item in &area.items {
                known.insert(
                    item.fingerprint.clone(),
                    ResolvedItem {
                        fingerprint: item.fingerprint.clone(),
                        area: Some(area.area),
                        rule_id: item.finding.rule_id.clone(),
                        title: Some(item.finding.title.clone()),
                        severity: Some(item.finding.severity),
                        location: Some(item.finding.location.display()),
                    },
                );
            }
        }
    }
    Ok(Previous {
        path: shown,
        baseline,
        known,
    })
}

/// The document is an assessment (`"kind": "assessment"`) of a schema major version this
/// build reads. Names the file and what is wrong, never the values found.
fn check_document(shown: &str, bytes: &[u8]) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Header {
        kind: Option<serde_json::Value>,
        schema_version: Option<serde_json::Value>,
    }
    let fix = "write one with `seaworthy assess --format json`";
    let header: Header = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v @ serde_json::Value::Object(_)) => serde_json::from_value(v)?,
        Ok(_) => anyhow::bail!(
            "baseline {shown}: not an assessment report (the document is not a JSON object); {fix}"
        ),
        Err(e) => anyhow::bail!("baseline {shown}: not a JSON report: {e}"),
    };
    if header.kind.as_ref().and_then(|k| k.as_str()) != Some("assessment") {
        anyhow::bail!(
            "baseline {shown}: not an assessment report (`kind` is not \"assessment\"; reports of \
             other commands are not baselines); {fix}"
        );
    }
    let major = |v: &str| v.split('.').next().map(str::to_string);
    let wanted = major(ASSESS_SCHEMA_VERSION);
    let found = header.schema_version.as_ref().and_then(|v| v.as_str());
    if found.is_none_or(|v| major(v) != wanted || v.split('.').count() != 3) {
        anyhow::bail!(
            "baseline {shown}: `schema_version` is missing or not {}.x.y, which this seaworthy \
             reads; {fix}",
            wanted.unwrap_or_default()
        );
    }
    Ok(())
}

impl Previous {
    pub fn classify(&mut self, fingerprint: &str) -> Change {
        match self.baseline.classify(fingerprint) {
            Seen::New => Change::New,
            Seen::Unchanged => Change::Unchanged,
        }
    }

    /// Counts are filled in by `Assessment::finish`.
    pub fn summary(&self, fail_on_new: bool, areas: &[AreaKind]) -> BaselineSummary {
        let resolved = self
            .baseline
            .resolved()
            .into_iter()
            .map(|f| {
                self.known.get(f).cloned().unwrap_or_else(|| ResolvedItem {
                    fingerprint: f.to_string(),
                    area: None,
                    rule_id: f.rsplit_once(':').map_or(f, |(id, _)| id).to_string(),
                    title: None,
                    severity: None,
                    location: None,
                })
            })
            // An area not assessed this time resolves nothing.
            .filter(|r| r.area.is_none_or(|a| areas.contains(&a)))
            .collect();
        BaselineSummary {
            path: self.path.clone(),
            fail_on_new,
            new: 0,
            unchanged: 0,
            resolved,
        }
    }
}
