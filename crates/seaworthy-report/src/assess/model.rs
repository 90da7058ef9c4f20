//! The combined report of `seaworthy assess`: every area's findings, checks and vulnerabilities
//! in one model, with their waiver, baseline and base-image state. Every assess format renders
//! this; `docs/assess-report-format.md` documents the JSON form.

use std::collections::BTreeMap;

use seaworthy_core::{CheckResult, Finding, InputError, Scanner, Severity, Status, threshold_of};
pub use seaworthy_vulndb::{EpssScore, KevEntry};
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change of the assess JSON; documented in
/// `docs/assess-report-format.md` and `docs/report-schema.json`.
pub const ASSESS_SCHEMA_VERSION: &str = "1.2.0";

/// The four test areas, in pipeline order (container covers compose files and running
/// containers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Dockerfile,
    Image,
    Container,
    Host,
}

impl AreaKind {
    pub const ALL: [AreaKind; 4] = [
        AreaKind::Dockerfile,
        AreaKind::Image,
        AreaKind::Container,
        AreaKind::Host,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Dockerfile => "dockerfile",
            AreaKind::Image => "image",
            AreaKind::Container => "container",
            AreaKind::Host => "host",
        }
    }

    /// Heading for humans.
    pub fn title(self) -> &'static str {
        match self {
            AreaKind::Dockerfile => "Dockerfile",
            AreaKind::Image => "Image",
            AreaKind::Container => "Container",
            AreaKind::Host => "Docker host",
        }
    }
}

/// Whether an area's findings decide the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Gate,
    Report,
}

/// An area's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaStatus {
    /// Nothing gating.
    Pass,
    /// A gate area with gating items (or an expired waiver): fails the run.
    Fail,
    /// A report area with items at or above its threshold: shown, does not fail the run.
    Warn,
    /// An input could not be read or assessed: exit code 2.
    Error,
}

impl AreaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaStatus::Pass => "pass",
            AreaStatus::Fail => "fail",
            AreaStatus::Warn => "warn",
            AreaStatus::Error => "error",
        }
    }
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A rule's finding (Dockerfile, image configuration, container setting, host check).
    Finding,
    /// A known vulnerability of a package.
    Vulnerability,
}

/// Against `--baseline`: the item was in the previous report or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Unchanged,
}

/// The package side of a vulnerability item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnDetail {
    pub package: String,
    pub version: String,
    pub ecosystem: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub purl: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// `fixed`, `unfixed`, `affected`, `no-dsa`, …
    pub status: String,
    /// Highest CVSS base score known, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    /// Where the item's severity comes from: `debian-tracker urgency`, `cvss 3.1 (nvd)`,
    /// `osv rating`, or `unrated` (the severity is then `unknown`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub severity_source: String,
    /// Listed in CISA's Known Exploited Vulnerabilities catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevEntry>,
    /// FIRST EPSS: probability of exploitation in the next 30 days, and its percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssScore>,
    /// CWE ids (from NVD).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
}

impl VulnDetail {
    /// `KEV EPSS 94%`: the exploit intelligence shown next to the severity (empty without any).
    pub fn exploit_marker(&self) -> String {
        let mut parts = Vec::new();
        if self.kev.is_some() {
            parts.push("KEV".to_string());
        }
        if let Some(e) = self.epss {
            parts.push(format!("EPSS {}", crate::text::percent(e.score)));
        }
        parts.join(" ")
    }

    /// The facts behind the marker, one phrase each: the KEV listing, the EPSS score and
    /// percentile, the CWEs, where the severity comes from.
    pub fn facts(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(k) = &self.kev {
            let mut s = format!(
                "in CISA KEV since {} (remediate by {}",
                k.date_added, k.due_date
            );
            if k.ransomware {
                s.push_str("; used in ransomware campaigns");
            }
            s.push(')');
            v.push(s);
        }
        if let Some(e) = self.epss {
            v.push(format!(
                "EPSS {} (percentile {})",
                crate::text::percent(e.score),
                crate::text::percent(e.percentile)
            ));
        }
        if !self.cwes.is_empty() {
            v.push(self.cwes.join(", "));
        }
        match self.severity_source.as_str() {
            "" => {}
            "unrated" => v.push("no source rates it".to_string()),
            source => v.push(format!("severity from {source}")),
        }
        v
    }
}

/// One finding or vulnerability of an area, with its gate state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    /// Rule id, title, severity, message, location, remediation, waiver (`suppressed`), origin.
    #[serde(flatten)]
    pub finding: Finding,
    /// Stable across runs (no line numbers, no installed versions): what `--baseline` compares.
    pub fingerprint: String,
    /// Only with `--baseline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// Brought in by the base image's layers (`--ignore-base`, `base-image`): never gates.
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_base: bool,
    /// Counts towards the verdict: active, at or above `fail_on` (or, for a vulnerability, in
    /// CISA KEV with `fail_on_kev`, at or above `fail_on_epss`), new when `--fail-on-new`, not
    /// from the base when base findings are ignored, in a gate area.
    pub gating: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<VulnDetail>,
}

impl Item {
    pub fn is_waived(&self) -> bool {
        self.finding.suppressed.is_some()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts behind an area's (or the run's) verdict. Severities count active items only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Vulnerabilities no source rates.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: usize,
    /// Waived by a waiver, pragma or VEX statement (still listed).
    pub waived: usize,
    /// Active items from the base image.
    pub base: usize,
    /// Active items that fail the gate.
    pub gating: usize,
    /// With `--baseline`: active items not in the baseline.
    pub new: usize,
    /// With `--baseline`: active items also in the baseline.
    pub unchanged: usize,
}

impl Totals {
    pub fn by_severity(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
            Severity::Unknown => self.unknown,
        }
    }

    /// Active items of every severity.
    pub fn active(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.info + self.unknown
    }

    fn add(&mut self, item: &Item) {
        if item.is_waived() {
            self.waived += 1;
            return;
        }
        *match item.finding.severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
            Severity::Unknown => &mut self.unknown,
        } += 1;
        self.base += usize::from(item.from_base);
        self.gating += usize::from(item.gating);
        match item.change {
            Some(Change::New) => self.new += 1,
            Some(Change::Unchanged) => self.unchanged += 1,
            None => {}
        }
    }

    fn sum(&mut self, o: &Totals) {
        self.critical += o.critical;
        self.high += o.high;
        self.medium += o.medium;
        self.low += o.low;
        self.info += o.info;
        self.unknown += o.unknown;
        self.waived += o.waived;
        self.base += o.base;
        self.gating += o.gating;
        self.new += o.new;
        self.unchanged += o.unchanged;
    }
}

/// Active items per image layer (the "findings per layer" chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerCount {
    pub image: String,
    /// 0 = lowest layer.
    pub layer: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_base: bool,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: usize,
}

/// One area's part of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaReport {
    pub area: AreaKind,
    pub mode: Mode,
    /// Active items at or above this severity gate (in a gate area).
    pub fail_on: Severity,
    /// Image area: a scanner's own threshold over `fail_on` (`null`: that scanner reports only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scanner_fail_on: BTreeMap<Scanner, Option<Severity>>,
    /// Vulnerabilities no source rates (`unknown`) count as this at the threshold
    /// (`[image] unknown-severity`); absent: they never reach it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_severity: Option<Severity>,
    /// A vulnerability in CISA KEV reaches the threshold whatever its severity
    /// (`[image] fail-on-kev`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub fail_on_kev: bool,
    /// A vulnerability whose EPSS score is at least this reaches the threshold
    /// (`[image] fail-on-epss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_epss: Option<f64>,
    /// The configuration line that enabled the area (`[host]`, `running = true`): SARIF points
    /// results without a file of their own there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_at: Option<SourceLine>,
    /// Image area, per image reference: its Dockerfile, else the configuration line naming it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub target_declared_at: BTreeMap<String, SourceLine>,
    pub status: AreaStatus,
    /// What was assessed: Dockerfile paths, image references, compose files, containers, host.
    pub targets: Vec<String>,
    pub duration_ms: u64,
    pub summary: Totals,
    /// Sorted: gating first, then severity (worst first), rule id, location.
    pub items: Vec<Item>,
    /// Check-style results with pass / not-applicable verdicts too (host CIS checks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerCount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InputError>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl AreaReport {
    pub fn new(area: AreaKind, mode: Mode, fail_on: Severity) -> Self {
        AreaReport {
            area,
            mode,
            fail_on,
            scanner_fail_on: BTreeMap::new(),
            unknown_severity: None,
            fail_on_kev: false,
            fail_on_epss: None,
            declared_at: None,
            target_declared_at: BTreeMap::new(),
            status: AreaStatus::Pass,
            targets: Vec::new(),
            duration_ms: 0,
            summary: Totals::default(),
            items: Vec::new(),
            checks: Vec::new(),
            layers: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Whether `item` is at or above its threshold: its scanner's in the image area when one is
    /// configured, else `fail_on`, an `unknown` severity counting as `unknown_severity`; or a
    /// vulnerability that [`exploit_reason`](Self::exploit_reason) names. Waivers and the area's
    /// mode are not looked at.
    pub fn reaches_threshold(&self, item: &Item) -> bool {
        self.severity_reaches(item) || self.exploit_reason(item).is_some()
    }

    fn severity_reaches(&self, item: &Item) -> bool {
        let threshold = match self.area {
            AreaKind::Image => threshold_of(
                Scanner::of_rule(&item.finding.rule_id),
                Some(self.fail_on),
                &self.scanner_fail_on,
            ),
            _ => Some(self.fail_on),
        };
        threshold.is_some_and(|t| item.finding.severity.for_gate(self.unknown_severity) >= t)
    }

    /// Why a vulnerability whose severity is below its threshold reaches it all the same:
    /// `kev` (listed in CISA KEV, with `fail_on_kev`) or `epss` (scored at least
    /// `fail_on_epss`). `None` when its severity reaches the threshold by itself.
    pub fn exploit_reason(&self, item: &Item) -> Option<&'static str> {
        let v = item.vulnerability.as_ref()?;
        if self.severity_reaches(item) {
            None
        } else if self.fail_on_kev && v.kev.is_some() {
            Some("kev")
        } else if self
            .fail_on_epss
            .is_some_and(|p| v.epss.is_some_and(|e| e.score >= p))
        {
            Some("epss")
        } else {
            None
        }
    }

    /// The area's vulnerability gates besides `fail_on`, for a heading:
    /// `unknown-severity high`, `fail-on-kev`, `fail-on-epss 0.5`.
    pub fn risk_settings(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(s) = self.unknown_severity {
            v.push(format!("unknown-severity {s}"));
        }
        if self.fail_on_kev {
            v.push("fail-on-kev".to_string());
        }
        if let Some(p) = self.fail_on_epss {
            v.push(format!("fail-on-epss {p}"));
        }
        v
    }

    /// Sets every item's `gating`: a gate area, an active item that
    /// [reaches its threshold](Self::reaches_threshold), new when `fail_on_new`, not from the base
    /// image when `ignore_base`.
    pub fn mark_gating(&mut self, fail_on_new: bool, ignore_base: bool) {
        let gate = self.mode == Mode::Gate;
        let reaches: Vec<bool> = self
            .items
            .iter()
            .map(|i| self.reaches_threshold(i))
            .collect();
        for (i, reaches) in self.items.iter_mut().zip(reaches) {
            i.gating = gate
                && !i.is_waived()
                && reaches
                && !(fail_on_new && i.change != Some(Change::New))
                && !(ignore_base && i.from_base);
        }
    }

    /// Checks counted by verdict: (pass, warn, info, not applicable).
    pub fn check_counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in &self.checks {
            c[match r.status {
                Status::Pass => 0,
                Status::Warn => 1,
                Status::Info => 2,
                Status::NotApplicable => 3,
            }] += 1;
        }
        c
    }
}

/// A file of the repository (relative to the working directory) and, when known, a line of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLine {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// A waiver the run had something to say about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// The waived id or glob.
    pub id: String,
    /// `seaworthy.toml:12`, `.trivyignore:3`.
    pub source: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverSummary {
    /// Expired waivers that matched an item that gates: each fails the run.
    pub expired: Vec<WaiverNote>,
    /// Expired waivers that matched only items that do not gate (below the threshold, in a
    /// report area, not new with `--fail-on-new`): warnings, they do not fail the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_warnings: Vec<WaiverNote>,
    /// Waivers that matched nothing (stale configuration).
    pub unused: Vec<WaiverNote>,
}

/// A baseline item no longer found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedItem {
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<AreaKind>,
    /// From the baseline report when it says (else taken from the fingerprint).
    pub rule_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The previous report, as given.
    pub path: String,
    /// Gate on new items only.
    pub fail_on_new: bool,
    pub new: usize,
    pub unchanged: usize,
    pub resolved: Vec<ResolvedItem>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub schema_version: String,
    /// Always `assessment` (tells this report apart from the single-area ones).
    pub kind: String,
    pub tool: String,
    pub version: String,
    /// RFC 3339 UTC time the run started.
    pub created: String,
    /// The configuration file read, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    pub passed: bool,
    pub duration_ms: u64,
    pub summary: Totals,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    pub waivers: WaiverSummary,
    /// In pipeline order; areas not configured are left out.
    pub areas: Vec<AreaReport>,
}

impl Assessment {
    /// Sorts items, computes every total and verdict. Call after the areas are filled; an
    /// item's `gating` must already be set (the caller knows the mode, threshold and baseline).
    pub fn finish(&mut self) {
        let mut total = Totals::default();
        for area in &mut self.areas {
            area.items.sort_by(|a, b| {
                (
                    !a.gating,
                    std::cmp::Reverse(a.finding.severity),
                    a.is_waived(),
                )
                    .cmp(&(
                        !b.gating,
                        std::cmp::Reverse(b.finding.severity),
                        b.is_waived(),
                    ))
                    .then_with(|| a.finding.sort_key().cmp(&b.finding.sort_key()))
            });
            let mut t = Totals::default();
            for item in &area.items {
                t.add(item);
            }
            area.summary = t;
            area.status = if !area.errors.is_empty() {
                AreaStatus::Error
            } else if t.gating > 0 {
                AreaStatus::Fail
            } else if area.mode == Mode::Report
                && area
                    .items
                    .iter()
                    .any(|i| !i.is_waived() && area.reaches_threshold(i))
            {
                AreaStatus::Warn
            } else {
                AreaStatus::Pass
            };
            total.sum(&t);
        }
        self.summary = total;
        if let Some(b) = &mut self.baseline {
            b.new = total.new;
            b.unchanged = total.unchanged;
        }
        self.passed = self.waivers.expired.is_empty()
            && self
                .areas
                .iter()
                .all(|a| matches!(a.status, AreaStatus::Pass | AreaStatus::Warn));
    }

    /// Some input could not be assessed (exit code 2).
    pub fn has_errors(&self) -> bool {
        self.areas.iter().any(|a| !a.errors.is_empty())
    }

    pub fn area(&self, kind: AreaKind) -> Option<&AreaReport> {
        self.areas.iter().find(|a| a.area == kind)
    }
}
