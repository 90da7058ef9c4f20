//! Waivers (`[[waiver]]` in seaworthy.toml, `.trivyignore` in the working directory) and OpenVEX
//! documents (`vex = [...]`, `--vex`), applied to a run's findings and vulnerability matches.
//! A waived item is still reported, with its reason. An expired waiver that matches fails the run
//! when the item it covered would gate without it; otherwise it is an expired-waiver warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::civil::Date;
use seaworthy_core::{Finding, Location, Severity, Suppression};
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
    /// Expired waivers that matched an item that gates, by where they are written.
    expired_hits: BTreeMap<String, String>,
    expired_notes: BTreeMap<String, WaiverNote>,
    /// Expired waivers that matched only items that do not gate: warnings.
    lapsed_hits: BTreeMap<String, String>,
    lapsed_notes: BTreeMap<String, WaiverNote>,
}

/// An expired waiver that matched an item; whether it fails the run depends on that item.
pub struct ExpiredMatch {
    at: String,
    gating: String,
    warning: String,
    note: WaiverNote,
}

/// What the waivers did to a run's findings.
#[derive(Debug, Default)]
pub struct Waived {
    /// Expired waivers over items that gate: each fails the run.
    pub failing: Vec<String>,
    /// Expired waivers over items below the threshold: warnings.
    pub warnings: Vec<String>,
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
            lapsed_hits: BTreeMap::new(),
            lapsed_notes: BTreeMap::new(),
        })
    }

    /// Marks active findings a waiver covers as waived. Findings may be waived by rule id or by
    /// a peer id they cross-reference (`DL3008`, `CIS 4.1` as `4.1`). An expired waiver fails
    /// the run only over a finding at or above its threshold (`threshold_of`).
    pub fn apply_to_findings(
        &mut self,
        findings: &mut [Finding],
        threshold_of: impl Fn(&Finding) -> Option<Severity>,
    ) {
        for f in findings.iter_mut().filter(|f| f.is_active()) {
            let gates = threshold_of(f).is_some_and(|t| f.severity >= t);
            f.suppressed = self.decide(&target_of(f), false, gates);
        }
    }

    /// The waiver that covers `target` (or, with `vex`, a VEX statement clearing it). An
    /// expired waiver that matches is recorded: it fails the run when `gates` (the item would
    /// gate without it), else it is a warning.
    pub fn decide(&mut self, target: &Target<'_>, vex: bool, gates: bool) -> Option<Suppression> {
        let (suppression, expired) = self.decide_only(target, vex);
        if let Some(e) = expired {
            self.record_expired(e, gates);
        }
        suppression
    }

    /// As [`Policy::decide`], leaving an expired waiver that matched to the caller, who records
    /// it with [`Policy::record_expired`] once it knows whether the item gates.
    pub fn decide_only(
        &mut self,
        target: &Target<'_>,
        vex: bool,
    ) -> (Option<Suppression>, Option<ExpiredMatch>) {
        let expired = match self.waivers.decide(target, self.today) {
            Decision::Waived(w) => return (Some(waived_by(w)), None),
            Decision::Expired(w) => Some(ExpiredMatch {
                at: w.source.to_string(),
                gating: expired_message(w),
                warning: lapsed_message(w),
                note: note(w),
            }),
            Decision::Active => None,
        };
        (self.decide_vex(target, vex), expired)
    }

    /// An expired waiver that matched: it fails the run when the item gates, else it warns.
    pub fn record_expired(&mut self, e: ExpiredMatch, gates: bool) {
        if gates {
            self.lapsed_hits.remove(&e.at);
            self.lapsed_notes.remove(&e.at);
            self.expired_hits.insert(e.at.clone(), e.gating);
            self.expired_notes.insert(e.at, e.note);
        } else if !self.expired_hits.contains_key(&e.at) {
            self.lapsed_hits.insert(e.at.clone(), e.warning);
            self.lapsed_notes.insert(e.at, e.note);
        }
    }

    fn decide_vex(&self, target: &Target<'_>, vex: bool) -> Option<Suppression> {
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

    /// Expired waivers that matched an item that gates, expired waivers that matched only
    /// items below the threshold, and waivers that matched nothing (stale configuration).
    pub fn waiver_notes(&self) -> (Vec<WaiverNote>, Vec<WaiverNote>, Vec<WaiverNote>) {
        let expired = self.expired_notes.values().cloned().collect();
        let lapsed = self.lapsed_notes.values().cloned().collect();
        let unused = self.waivers.unused().map(note).collect();
        (expired, lapsed, unused)
    }

    /// Moves matches a waiver or VEX statement covers out of `matches`; an expired waiver fails
    /// the run only over a match at or above `fail_on`.
    pub fn split_matches(
        &mut self,
        matches: &mut Vec<VulnMatch>,
        image: &str,
        gates: impl Fn(&VulnMatch) -> bool,
    ) -> Vec<WaivedMatch> {
        let mut waived = Vec::new();
        let mut kept = Vec::with_capacity(matches.len());
        for m in matches.drain(..) {
            let gates = gates(&m);
            match self.decide_match(&m, image, gates) {
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

    fn decide_match(&mut self, m: &VulnMatch, image: &str, gates: bool) -> Option<Suppression> {
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
        self.decide(&target, true, gates)
    }

    /// One line per expired waiver that matched an item that gates: each fails the run.
    pub fn expired(&self) -> Vec<String> {
        self.expired_hits.values().cloned().collect()
    }

    /// One line per expired waiver that matched only items below the threshold: warnings.
    pub fn expired_warnings(&self) -> Vec<String> {
        self.lapsed_hits.values().cloned().collect()
    }
}

/// Loads the policy of `config` (or the one found upward) and waives `findings`; an expired
/// waiver fails the run only over a finding at or above `fail_on`.
pub fn waive_findings(
    config: Option<&Path>,
    findings: &mut [Finding],
    fail_on: Option<Severity>,
) -> Result<Waived> {
    let (file, path) = config::load_file(config)?;
    let mut policy = Policy::load(&file, path.as_deref(), &[])?;
    policy.apply_to_findings(findings, |_| fail_on);
    Ok(Waived {
        failing: policy.expired(),
        warnings: policy.expired_warnings(),
    })
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

fn lapsed_message(w: &Waiver) -> String {
    let when = w.expires.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "waiver for {} at {} expired on {when} ({}); what it covers is below the threshold, so \
         it does not fail the run: renew it or remove it",
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
