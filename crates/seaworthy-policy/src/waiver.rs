//! `[[waiver]]`: a rule or advisory id (globs allowed), an optional scope, a required reason and
//! a required expiry date. A matching waiver moves a finding to "waived"; an expired one no longer
//! waives and fails the gate; one that matched nothing is reported as stale.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use globset::{GlobBuilder, GlobMatcher};
use jiff::civil::Date;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::Target;

/// Where a waiver was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverSource {
    /// `seaworthy.toml`, `.trivyignore`, an OpenVEX file.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl fmt::Display for WaiverSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{at}: {message}")]
pub struct WaiverError {
    pub at: WaiverSource,
    pub message: String,
}

/// A waiver as written in `seaworthy.toml`. Unknown keys are errors (a typo must not widen or
/// silently drop a waiver).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWaiver {
    pub id: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "date_text")]
    pub expires: Option<String>,
    /// OpenVEX justification used when the waiver is exported (`seaworthy vex`).
    #[serde(default)]
    pub justification: Option<String>,
}

/// One checked waiver.
#[derive(Debug, Serialize)]
pub struct Waiver {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub reason: String,
    /// Last day the waiver applies. `None` only for imported waivers (`.trivyignore` lines
    /// without `exp:`), which are reported as such.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    pub source: WaiverSource,
    #[serde(skip)]
    matchers: Matchers,
}

#[derive(Debug)]
struct Matchers {
    id: GlobMatcher,
    path: Option<GlobMatcher>,
    image: Option<GlobMatcher>,
    package: Option<GlobMatcher>,
    container: Option<GlobMatcher>,
}

/// The OpenVEX `not_affected` justifications.
pub const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// Longest id, scope or reason accepted (waivers are config, not data).
const MAX_FIELD: usize = 4096;

impl Waiver {
    /// Checks a config waiver: `reason` and `expires` are required.
    pub fn from_raw(raw: RawWaiver, source: WaiverSource) -> Result<Self, WaiverError> {
        let fail = |message: String| WaiverError {
            at: source.clone(),
            message,
        };
        let reason = raw
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| fail(format!("waiver for {} has no reason (required)", raw.id)))?
            .to_string();
        let expires = raw.expires.as_deref().ok_or_else(|| {
            fail(format!(
                "waiver for {} has no expires date (required)",
                raw.id
            ))
        })?;
        let expires =
            parse_date(expires).map_err(|m| fail(format!("waiver for {}: {m}", raw.id)))?;
        Self::build(raw, reason, Some(expires), source)
    }

    /// An imported waiver (`.trivyignore`): the reason is given by the importer, the expiry may
    /// be absent.
    pub fn imported(
        id: &str,
        reason: String,
        expires: Option<Date>,
        source: WaiverSource,
    ) -> Result<Self, WaiverError> {
        let raw = RawWaiver {
            id: id.to_string(),
            path: None,
            image: None,
            package: None,
            container: None,
            reason: None,
            expires: None,
            justification: None,
        };
        Self::build(raw, reason, expires, source)
    }

    fn build(
        raw: RawWaiver,
        reason: String,
        expires: Option<Date>,
        source: WaiverSource,
    ) -> Result<Self, WaiverError> {
        let fail = |message: String| WaiverError {
            at: source.clone(),
            message,
        };
        let fields = [
            Some(&raw.id),
            raw.path.as_ref(),
            raw.image.as_ref(),
            raw.package.as_ref(),
            raw.container.as_ref(),
            Some(&reason),
        ];
        if fields.iter().flatten().any(|f| f.len() > MAX_FIELD) {
            return Err(fail(format!("waiver field longer than {MAX_FIELD} bytes")));
        }
        if raw.id.trim().is_empty() {
            return Err(fail("waiver with an empty id".into()));
        }
        if let Some(j) = &raw.justification
            && !JUSTIFICATIONS.contains(&j.as_str())
        {
            return Err(fail(format!(
                "waiver for {}: justification {j:?} is not one of {}",
                raw.id,
                JUSTIFICATIONS.join(", ")
            )));
        }
        let glob = |what: &str, pattern: &str, case_insensitive: bool| {
            GlobBuilder::new(pattern)
                .case_insensitive(case_insensitive)
                .literal_separator(what == "path")
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| fail(format!("waiver for {}: bad {what} pattern: {e}", raw.id)))
        };
        let optional = |what: &str, p: &Option<String>| {
            p.as_deref()
                .map(|p| glob(what, p.trim_start_matches('/'), false))
                .transpose()
        };
        let matchers = Matchers {
            // Trivy's `DS0002` and `AVD-DS-0002` are the `DS-0002` the rules cite.
            id: glob(
                "id",
                &seaworthy_core::Peer::Trivy.canonical_id(raw.id.trim()),
                true,
            )?,
            path: optional("path", &raw.path)?,
            image: optional("image", &raw.image)?,
            package: optional("package", &raw.package)?,
            container: optional("container", &raw.container)?,
        };
        Ok(Waiver {
            id: raw.id.trim().to_string(),
            path: raw.path,
            image: raw.image,
            package: raw.package,
            container: raw.container,
            reason,
            expires,
            justification: raw.justification,
            source,
            matchers,
        })
    }

    /// Every scope the waiver names must match; an id may match the target's id or an alias.
    pub fn matches(&self, t: &Target<'_>) -> bool {
        let m = &self.matchers;
        let scope = |matcher: &Option<GlobMatcher>, value: Option<&str>| match matcher {
            None => true,
            Some(g) => value.is_some_and(|v| g.is_match(normalize(v))),
        };
        t.ids.iter().any(|id| m.id.is_match(id))
            && scope(&m.path, t.path)
            && scope(&m.image, t.image)
            && scope(&m.package, t.package)
            && scope(&m.container, t.container)
    }

    /// Expired once `today` is past the last day.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| today > d)
    }
}

/// `./a/b` and `/a/b` are written `a/b` in scopes.
fn normalize(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/')
}

/// What policy decides for one finding.
#[derive(Debug, Clone, Copy)]
pub enum Decision<'w> {
    /// No waiver applies: the finding counts.
    Active,
    /// Waived (still reported, with the reason).
    Waived(&'w Waiver),
    /// Only an expired waiver matched: the finding counts again and the gate fails.
    Expired(&'w Waiver),
}

/// All waivers of a run, with how often each one matched.
#[derive(Debug, Default)]
pub struct WaiverSet {
    waivers: Vec<Waiver>,
    used: Vec<AtomicU32>,
}

impl WaiverSet {
    pub fn new(waivers: Vec<Waiver>) -> Self {
        let used = waivers.iter().map(|_| AtomicU32::new(0)).collect();
        WaiverSet { waivers, used }
    }

    pub fn extend(&mut self, more: Vec<Waiver>) {
        self.used.extend(more.iter().map(|_| AtomicU32::new(0)));
        self.waivers.extend(more);
    }

    pub fn is_empty(&self) -> bool {
        self.waivers.is_empty()
    }

    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// The first valid waiver that matches wins; an expired one only when no valid one matches
    /// (a renewed waiver next to its expired predecessor waives).
    pub fn decide(&self, target: &Target<'_>, today: Date) -> Decision<'_> {
        let mut expired = None;
        for (i, w) in self.waivers.iter().enumerate() {
            if !w.matches(target) {
                continue;
            }
            self.used[i].fetch_add(1, Ordering::Relaxed);
            if !w.is_expired(today) {
                return Decision::Waived(w);
            }
            expired.get_or_insert(w);
        }
        expired.map_or(Decision::Active, Decision::Expired)
    }

    /// Waivers past their date, whether or not they matched: each fails the gate.
    pub fn expired(&self, today: Date) -> impl Iterator<Item = &Waiver> {
        self.waivers.iter().filter(move |w| w.is_expired(today))
    }

    /// Waivers that matched nothing so far (stale configuration).
    pub fn unused(&self) -> impl Iterator<Item = &Waiver> {
        self.waivers
            .iter()
            .zip(&self.used)
            .filter(|(_, n)| n.load(Ordering::Relaxed) == 0)
            .map(|(w, _)| w)
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let valid = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    valid
        .then(|| text.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

/// Accepts a TOML local date (`expires = 2027-01-31`) or a string (`"2027-01-31"`).
fn date_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct DateVisitor;
    impl<'de> Visitor<'de> for DateVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date (YYYY-MM-DD)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        // TOML dates arrive as a one-entry map holding their text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let entry: Option<(String, String)> = map.next_entry()?;
            entry
                .map(|(_, v)| Some(v))
                .ok_or_else(|| de::Error::custom("empty date"))
        }
    }
    d.deserialize_any(DateVisitor)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn parse(toml_text: &str) -> Result<Vec<Waiver>, WaiverError> {
        #[derive(Deserialize)]
        struct Config {
            waiver: Vec<RawWaiver>,
        }
        let c: Config = toml::from_str(toml_text).expect("valid toml");
        c.waiver
            .into_iter()
            .enumerate()
            .map(|(i, raw)| {
                let source = WaiverSource {
                    file: "seaworthy.toml".into(),
                    line: Some(i as u32 + 1),
                };
                Waiver::from_raw(raw, source)
            })
            .collect()
    }

    fn vuln<'a>(id: &'a str, alias: &'a str, package: &'a str) -> Target<'a> {
        Target {
            ids: vec![id, alias],
            package: Some(package),
            image: Some("registry.example/app:1.2"),
            ..Target::default()
        }
    }

    #[test]
    fn reason_and_expiry_are_required() {
        let no_reason = parse("[[waiver]]\nid = \"CVE-2023-4911\"\nexpires = 2027-01-31\n");
        assert_eq!(
            no_reason.unwrap_err().to_string(),
            "seaworthy.toml:1: waiver for CVE-2023-4911 has no reason (required)"
        );
        let no_date = parse("[[waiver]]\nid = \"X\"\nreason = \"r\"\n");
        assert!(no_date.unwrap_err().message.contains("no expires date"));
        let bad_date = parse("[[waiver]]\nid = \"X\"\nreason = \"r\"\nexpires = \"31.01.2027\"\n");
        assert!(bad_date.unwrap_err().message.contains("not a date"));
        let blank = parse("[[waiver]]\nid = \"X\"\nreason = \"  \"\nexpires = 2027-01-31\n");
        assert!(blank.is_err(), "a blank reason is no reason");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Config {
            waiver: Vec<RawWaiver>,
        }
        let r: Result<Config, _> =
            toml::from_str("[[waiver]]\nid = \"X\"\nreson = \"typo\"\nexpires = 2027-01-31\n");
        assert!(r.unwrap_err().to_string().contains("reson"));
    }

    #[test]
    fn toml_date_and_string_date_both_work() {
        let w = parse(
            "[[waiver]]\nid = \"A\"\nreason = \"r\"\nexpires = 2027-01-31\n\
             [[waiver]]\nid = \"B\"\nreason = \"r\"\nexpires = \"2027-02-01\"\n",
        )
        .unwrap();
        assert_eq!(w[0].expires, Some(date("2027-01-31")));
        assert_eq!(w[1].expires, Some(date("2027-02-01")));
    }

    #[test]
    fn ids_match_aliases_and_globs_and_scopes_narrow() {
        let set = WaiverSet::new(
            parse(
                "[[waiver]]\nid = \"GHSA-xxxx-*\"\nreason = \"r\"\nexpires = 2027-01-31\n\
                 [[waiver]]\nid = \"cve-2024-*\"\npackage = \"openssl\"\nreason = \"r\"\nexpires = 2027-01-31\n",
            )
            .unwrap(),
        );
        let today = date("2026-11-29");
        let by_alias = vuln("CVE-2023-1", "GHSA-xxxx-yyyy", "zlib1g");
        assert!(
            matches!(set.decide(&by_alias, today), Decision::Waived(w) if w.id == "GHSA-xxxx-*")
        );
        let scoped = vuln("CVE-2024-5535", "", "openssl");
        assert!(matches!(set.decide(&scoped, today), Decision::Waived(w) if w.package.is_some()));
        let other_package = vuln("CVE-2024-5535", "", "libssl3");
        assert!(matches!(
            set.decide(&other_package, today),
            Decision::Active
        ));
    }

    #[test]
    fn path_scope_star_stays_in_one_directory() {
        let set = WaiverSet::new(
            parse("[[waiver]]\nid = \"SW-DF-*\"\npath = \"services/*/Dockerfile\"\nreason = \"r\"\nexpires = 2027-01-31\n")
                .unwrap(),
        );
        let today = date("2026-11-29");
        let t = |path| Target {
            ids: vec!["SW-DF-012"],
            path: Some(path),
            ..Target::default()
        };
        assert!(matches!(
            set.decide(&t("services/api/Dockerfile"), today),
            Decision::Waived(_)
        ));
        assert!(matches!(
            set.decide(&t("./services/api/Dockerfile"), today),
            Decision::Waived(_)
        ));
        assert!(matches!(
            set.decide(&t("services/a/b/Dockerfile"), today),
            Decision::Active
        ));
    }

    #[test]
    fn expiry_is_inclusive_and_a_renewal_wins() {
        let set = WaiverSet::new(
            parse(
                "[[waiver]]\nid = \"CVE-1\"\nreason = \"old\"\nexpires = 2026-11-28\n\
                 [[waiver]]\nid = \"CVE-2\"\nreason = \"today\"\nexpires = 2026-11-29\n",
            )
            .unwrap(),
        );
        let today = date("2026-11-29");
        let one = Target {
            ids: vec!["CVE-1"],
            ..Target::default()
        };
        assert!(matches!(set.decide(&one, today), Decision::Expired(w) if w.reason == "old"));
        let two = Target {
            ids: vec!["CVE-2"],
            ..Target::default()
        };
        assert!(matches!(set.decide(&two, today), Decision::Waived(_)));
        let expired: Vec<_> = set.expired(today).map(|w| w.id.as_str()).collect();
        assert_eq!(expired, ["CVE-1"]);

        let mut renewed = set;
        renewed.extend(
            parse("[[waiver]]\nid = \"CVE-1\"\nreason = \"renewed\"\nexpires = 2027-06-30\n")
                .unwrap(),
        );
        assert!(
            matches!(renewed.decide(&one, today), Decision::Waived(w) if w.reason == "renewed")
        );
    }

    #[test]
    fn unused_waivers_are_listed() {
        let set = WaiverSet::new(
            parse(
                "[[waiver]]\nid = \"CVE-1\"\nreason = \"r\"\nexpires = 2027-01-01\n\
                 [[waiver]]\nid = \"CVE-9\"\nreason = \"r\"\nexpires = 2027-01-01\n",
            )
            .unwrap(),
        );
        let t = Target {
            ids: vec!["CVE-1"],
            ..Target::default()
        };
        set.decide(&t, date("2026-11-29"));
        let unused: Vec<_> = set.unused().map(|w| w.id.as_str()).collect();
        assert_eq!(unused, ["CVE-9"]);
    }

    #[test]
    fn justification_must_be_an_openvex_one() {
        let bad = parse(
            "[[waiver]]\nid = \"CVE-1\"\nreason = \"r\"\nexpires = 2027-01-01\njustification = \"because\"\n",
        );
        assert!(bad.unwrap_err().message.contains("not one of"));
        let good = parse(
            "[[waiver]]\nid = \"CVE-1\"\nreason = \"r\"\nexpires = 2027-01-01\njustification = \"component_not_present\"\n",
        );
        assert!(good.is_ok());
    }
}
