//! Waivers (`[[waiver]]` in seaworthy.toml, `.trivyignore` in the working directory) and OpenVEX
//! documents (`vex = [...]`, `--vex`), applied to a run's findings and vulnerability matches.
//! A waived item is still reported, with its reason; an expired waiver that matches fails the run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::civil::Date;
use seaworthy_core::{Finding, Location, Suppression};
use seaworthy_policy::{Decision, Target, Waiver, WaiverSet, WaiverSource, trivyignore, vex};
use seaworthy_report::assess::WaiverNote;
use seaworthy_report::vulns::WaivedMatch;
use seaworthy_vulndb::VulnMatch;

use crate::config::{self, FileConfig};

const TRIVYIGNORE: &str = ".trivyignore";

pub struct Policy {
    waivers: WaiverSet,
    vex: Vec<vex::Document>,
    today: Date,
    /// Expired waivers that matched something in this run, by where they are written.
    expired_hits: BTreeMap<String, String>,
    expired_notes: BTreeMap<String, WaiverNote>,
}

impl Policy {
    /// Waivers from the config file (and `.trivyignore`), VEX from the config and `extra_vex`.
    pub fn load(
        file: &FileConfig,
        config_path: Option<&Path>,
        extra_vex: &[PathBuf],
    ) -> Result<Self> {
        let mut waivers = Vec::new();
        if let Some(path) = config_path
            && !file.waiver.is_empty()
        {
            let text = config::read_small(path)?;
            let lines = header_lines(&text, "[[waiver]]");
            for (i, raw) in file.waiver.iter().enumerate() {
                let source = WaiverSource {
                    file: path.display().to_string(),
                    line: lines.get(i).copied(),
                };
                waivers.push(Waiver::from_raw(raw.clone(), source)?);
            }
        }
        let ignore = Path::new(TRIVYIGNORE);
        if ignore.is_file() {
            let text = config::read_small(ignore)?;
            waivers.extend(trivyignore::parse(TRIVYIGNORE, &text)?);
        }
        let base = config_path.and_then(Path::parent).unwrap_or(Path::new(""));
        let vex_files = file
            .vex
            .iter()
            .map(|p| base.join(p))
            .chain(extra_vex.iter().cloned());
        let mut docs = Vec::new();
        for path in vex_files {
            let bytes = read_bounded(&path, vex::MAX_LEN)?;
            docs.push(vex::parse(&path.display().to_string(), &bytes)?);
        }
        Ok(Policy {
            waivers: WaiverSet::new(waivers),
            vex: docs,
            today: jiff::tz::Offset::UTC
                .to_datetime(jiff::Timestamp::now())
                .date(),
            expired_hits: BTreeMap::new(),
            expired_notes: BTreeMap::new(),
        })
    }

    /// Marks active findings a waiver covers as waived. Findings may be waived by rule id or by
    /// a peer id they cross-reference (`DL3008`, `CIS 4.1` as `4.1`).
    pub fn apply_to_findings(&mut self, findings: &mut [Finding]) {
        for f in findings.iter_mut().filter(|f| f.is_active()) {
            f.suppressed = self.decide(&target_of(f), false);
        }
    }

    /// The waiver that covers `target` (or, with `vex`, a VEX statement clearing it); an
    /// expired waiver that matches is recorded and fails the run.
    pub fn decide(&mut self, target: &Target<'_>, vex: bool) -> Option<Suppression> {
        match self.waivers.decide(target, self.today) {
            Decision::Waived(w) => return Some(waived_by(w)),
            Decision::Expired(w) => {
                let at = w.source.to_string();
                self.expired_hits.insert(at.clone(), expired_message(w));
                self.expired_notes.insert(at, note(w));
            }
            Decision::Active => {}
        }
        if !vex {
            return None;
        }
        let d = vex::decide(&self.vex, target)?;
        d.status.clears().then(|| Suppression {
            kind: "vex".to_string(),
            source: Some(d.document.to_string()),
            reason: Some(
                d.justification
                    .or(d.impact_statement)
                    .map_or_else(|| format!("{:?}", d.status), str::to_string),
            ),
            expires: None,
        })
    }

    /// Expired waivers that matched, and waivers that matched nothing (stale configuration).
    pub fn waiver_notes(&self) -> (Vec<WaiverNote>, Vec<WaiverNote>) {
        let expired = self.expired_notes.values().cloned().collect();
        let unused = self.waivers.unused().map(note).collect();
        (expired, unused)
    }

    /// Moves matches a waiver or VEX statement covers out of `matches`.
    pub fn split_matches(&mut self, matches: &mut Vec<VulnMatch>, image: &str) -> Vec<WaivedMatch> {
        let mut waived = Vec::new();
        let mut kept = Vec::with_capacity(matches.len());
        for m in matches.drain(..) {
            match self.decide_match(&m, image) {
                Some(by) => waived.push(WaivedMatch {
                    vuln: m,
                    waived: by,
                }),
                None => kept.push(m),
            }
        }
        *matches = kept;
        waived
    }

    fn decide_match(&mut self, m: &VulnMatch, image: &str) -> Option<Suppression> {
        let mut ids = vec![m.id.as_str()];
        ids.extend(m.aliases.iter().map(String::as_str));
        let target = Target {
            ids,
            path: Some(m.package.path.as_str()),
            image: Some(image),
            package: Some(m.package.name.as_str()),
            purl: Some(m.package.purl.as_str()).filter(|p| !p.is_empty()),
            container: None,
        };
        self.decide(&target, true)
    }

    /// One line per expired waiver that matched: each fails the run.
    pub fn expired(&self) -> Vec<String> {
        self.expired_hits.values().cloned().collect()
    }
}

/// Loads the policy of `config` (or the one found upward) and waives `findings`; returns the
/// expired waivers that matched.
pub fn waive_findings(config: Option<&Path>, findings: &mut [Finding]) -> Result<Vec<String>> {
    let (file, path) = config::load_file(config)?;
    let mut policy = Policy::load(&file, path.as_deref(), &[])?;
    policy.apply_to_findings(findings);
    Ok(policy.expired())
}

/// A finding's ids (rule id, then the peer ids it cross-references) and where it is.
pub fn target_of(f: &Finding) -> Target<'_> {
    let (path, image, container) = match &f.location {
        Location::File { path, .. } => (Some(path.as_str()), None, None),
        Location::Image { image, path } => (path.as_deref(), Some(image.as_str()), None),
        Location::Host { .. } => (None, None, None),
        Location::Container {
            container, image, ..
        } => (None, image.as_deref(), Some(container.as_str())),
    };
    let mut ids = vec![f.rule_id.as_str()];
    ids.extend(
        f.references
            .iter()
            .map(|r| r.split_once(':').map_or(r.as_str(), |(_, id)| id)),
    );
    Target {
        ids,
        path,
        image,
        container,
        ..Target::default()
    }
}

fn note(w: &Waiver) -> WaiverNote {
    WaiverNote {
        id: w.id.clone(),
        source: w.source.to_string(),
        reason: w.reason.clone(),
        expires: w.expires.map(|d| d.to_string()),
    }
}

fn waived_by(w: &Waiver) -> Suppression {
    Suppression {
        kind: "waiver".to_string(),
        source: Some(w.source.to_string()),
        reason: Some(w.reason.clone()),
        expires: w.expires.map(|d| d.to_string()),
    }
}

fn expired_message(w: &Waiver) -> String {
    let when = w.expires.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "waiver for {} at {} expired on {when} ({}); renew it with a new date or fix the finding",
        w.id, w.source, w.reason
    )
}

/// 1-based line of every `header` (`[[waiver]]`), in order.
fn header_lines(text: &str, header: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(header))
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .collect()
}

/// A regular file (never a FIFO or device) of at most `max` bytes.
fn read_bounded(path: &Path, max: usize) -> Result<Vec<u8>> {
    Ok(seaworthy_core::files::read(
        path,
        max as u64,
        seaworthy_core::files::Links::Follow,
    )?)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn waiver_headers_are_found_in_order() {
        let text = "fail-on = \"high\"\n\n[[waiver]]\nid = \"A\"\n  [[waiver]]\nid = \"B\"\n";
        assert_eq!(header_lines(text, "[[waiver]]"), [3, 5]);
    }
}
