//! `--baseline`: a previous assess report (or any seaworthy JSON report with fingerprints) says
//! which items are new, unchanged or resolved.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use seaworthy_policy::baseline::{Baseline, Change as Seen, MAX_LEN};
use seaworthy_report::assess::{AreaKind, Assessment, BaselineSummary, Change, ResolvedItem};

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
