//! Matching an inventory against the store: each package is looked up under its ecosystem key
//! (Debian and Alpine by source package and release), every affected entry is judged with the
//! ecosystem's own version rules, and hits for the same vulnerability from several sources are
//! merged through their aliases into one [`VulnMatch`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::rc::Rc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use seaworthy_core::Severity;
use seaworthy_inventory::{Ecosystem, OsInfo, Package};

use crate::ecosystem::{self, Scheme};
use crate::findings::{CvssScore, LayerRef, MatchStatus, MatchedPackage, VulnMatch};
use crate::intel::CveIntel;
use crate::model::{Advisory, Affected, Event, Range, RatingKind, Status};
use crate::store::{AffectedRow, Store, StoreError};
use crate::{cvss, ranges};

/// What to match.
pub struct MatchInput<'a> {
    pub os: Option<&'a OsInfo>,
    pub packages: &'a [Package],
    /// Layers of the image, by index, for provenance.
    pub layers: &'a [LayerRef],
}

#[derive(Debug, Clone, Copy, Default)]
pub struct MatchOptions {
    /// Leave out vulnerabilities that have no fixed version yet.
    pub ignore_unfixed: bool,
    /// Also match language packages owned by OS packages ([`Package::owned_by`]) against
    /// their language's advisories; by default the distribution's advisories judge them.
    pub match_os_owned: bool,
}

#[derive(Debug, Default)]
pub struct MatchResult {
    /// Sorted by [`VulnMatch::sort_key`].
    pub matches: Vec<VulnMatch>,
    /// Matches left out by `ignore_unfixed`.
    pub ignored_unfixed: usize,
    /// Packages that were looked up.
    pub packages_matched: usize,
    /// Packages that could not be looked up (`deb on an unknown distribution`), counted by reason.
    pub not_matched: Vec<(String, usize)>,
    /// OS packages of a distribution no loaded advisory covers (or no source seaworthy reads
    /// covers), one entry per distribution release, sorted: the report names them rather than
    /// look clean.
    pub uncovered: Vec<Uncovered>,
    /// Range expressions the matcher could not evaluate (`RUSTSEC-…: …`), deduplicated.
    pub range_errors: Vec<String>,
    /// Language packages owned by OS packages that were left to the distribution's
    /// advisories (not looked up; see [`MatchOptions::match_os_owned`]).
    pub os_owned_skipped: usize,
}

/// An OS release whose packages were not matched because no advisories for it are loaded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Uncovered {
    /// The release as people name it: `Wolfi (rolling)`, `Debian (bookworm)`, `centos 7.9.2009`.
    pub os: String,
    /// The ecosystem key looked for (`wolfi`, `rhel:9`); `None` when seaworthy reads no advisory
    /// source for this distribution at all.
    pub ecosystem: Option<String>,
    /// How many packages went unmatched.
    pub packages: usize,
}

impl Uncovered {
    /// `no advisories loaded for Wolfi (rolling): 14 packages not matched`.
    pub fn message(&self) -> String {
        let what = if self.ecosystem.is_some() {
            "no advisories loaded for"
        } else {
            "no advisory source for"
        };
        let s = if self.packages == 1 { "" } else { "s" };
        format!(
            "{what} {}: {} package{s} not matched",
            self.os, self.packages
        )
    }
}

/// The OS ids (`/etc/os-release` `ID`) seaworthy has an advisory source for.
const KNOWN_OS: &[&str] = &[
    "debian",
    "ubuntu",
    "alpine",
    "almalinux",
    "rocky",
    "rhel",
    "sles",
    "sles_sap",
    "opensuse-leap",
    "opensuse-tumbleweed",
    "wolfi",
    "chainguard",
];

/// Where one package is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// Debian releases fall back to unstable's entry when an advisory says nothing about them.
    pub fallback: Option<String>,
}

/// The version Go records for a main module built from its working tree.
const GO_DEVEL: &str = "(devel)";

/// The lookup key of a package, or why there is none.
pub fn query_for(os: Option<&OsInfo>, p: &Package) -> Result<Query, String> {
    let source = p.source.as_ref();
    let by_source = || {
        source
            .map(|s| (s.name.clone(), s.version.clone()))
            .unwrap_or_else(|| (p.name.clone(), p.version.clone()))
    };
    let os_key = |what: &str| -> Result<String, String> {
        let os = os.ok_or_else(|| format!("{what} packages without a detected OS"))?;
        let major = os.version_id.split('.').next().unwrap_or_default();
        match (os.id.as_str(), p.ecosystem) {
            ("debian", Ecosystem::Deb) => {
                let codename = os
                    .version_codename
                    .clone()
                    .or_else(|| ecosystem::debian_codename(&os.version_id).map(str::to_string))
                    .ok_or("deb packages on a Debian release without codename or version")?;
                Ok(ecosystem::debian(&codename))
            }
            ("ubuntu", Ecosystem::Deb) if !os.version_id.is_empty() => {
                Ok(format!("ubuntu:{}", os.version_id))
            }
            ("alpine", Ecosystem::Apk) if !os.version_id.is_empty() => {
                Ok(ecosystem::alpine(&os.version_id))
            }
            ("almalinux" | "rocky" | "rhel", Ecosystem::Rpm) if !major.is_empty() => {
                Ok(format!("{}:{major}", os.id))
            }
            // SLES for SAP Applications is SLES with more modules: the same advisories.
            ("sles" | "sles_sap", Ecosystem::Rpm) if !os.version_id.is_empty() => {
                Ok(ecosystem::sles(&os.version_id))
            }
            ("opensuse-leap", Ecosystem::Rpm) if !os.version_id.is_empty() => {
                Ok(format!("opensuse-leap:{}", os.version_id))
            }
            ("opensuse-tumbleweed", Ecosystem::Rpm) => Ok(ecosystem::TUMBLEWEED.to_string()),
            ("wolfi", Ecosystem::Apk) => Ok(ecosystem::WOLFI.to_string()),
            ("chainguard", Ecosystem::Apk) => Ok(ecosystem::CHAINGUARD.to_string()),
            (id, _) => Err(format!("{what} packages on {id} (no advisory source)")),
        }
    };
    let lang = |key: &str, name: &str| Query {
        ecosystem: key.to_string(),
        name: ecosystem::normalize_name(key, name),
        version: p.version.clone(),
        fallback: None,
    };
    Ok(match p.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk => {
            let key = os_key(p.ecosystem.purl_type())?;
            let (name, version) = by_source();
            let fallback = key.starts_with("debian:") && key != "debian:sid";
            Query {
                ecosystem: key,
                name,
                version,
                fallback: fallback.then(|| "debian:sid".to_string()),
            }
        }
        Ecosystem::Rpm => Query {
            ecosystem: os_key("rpm")?,
            name: p.name.clone(),
            version: p.version.clone(),
            fallback: None,
        },
        Ecosystem::Cargo => lang("crates.io", &p.name),
        // `go build` in a module's working tree records `(devel)`: no version to compare.
        Ecosystem::Golang if p.version == GO_DEVEL => {
            return Err("Go modules built from a working tree ((devel): version unknown)".into());
        }
        Ecosystem::Golang => lang("Go", &p.name),
        Ecosystem::Npm => lang("npm", &p.name),
        Ecosystem::Pypi => lang("PyPI", &p.name),
        Ecosystem::Gem => lang("RubyGems", &p.name),
        Ecosystem::Composer => lang("Packagist", &p.name),
        Ecosystem::Nuget => lang("NuGet", &p.name),
        Ecosystem::Maven => lang("Maven", &maven_name(p)),
    })
}

/// `group:artifact` from the purl (`pkg:maven/org.apache/commons-text@1.9`).
fn maven_name(p: &Package) -> String {
    let rest = p.purl.strip_prefix("pkg:maven/").unwrap_or_default();
    let path = rest.split(['@', '?', '#']).next().unwrap_or_default();
    match path.rsplit_once('/') {
        Some((group, artifact)) if !group.is_empty() => {
            format!("{}:{}", group.replace('/', "."), artifact)
        }
        _ => p.name.clone(),
    }
}

/// The judgement of one affected entry for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: MatchStatus,
    pub fixed: Option<String>,
}

/// Is `version` affected by `a`? `None` when it is not (or when nothing can be said).
pub fn judge(a: &Affected, version: &str) -> Result<Option<Verdict>, ranges::RangeError> {
    let plain = |status| {
        Ok(Some(Verdict {
            status,
            fixed: None,
        }))
    };
    match a.status {
        Status::NotAffected => return Ok(None),
        Status::Unfixed => return plain(MatchStatus::Unfixed),
        Status::NoDsa => return plain(MatchStatus::NoDsa),
        Status::Ignored => return plain(MatchStatus::Ignored),
        Status::Postponed => return plain(MatchStatus::Postponed),
        Status::EndOfLife => return plain(MatchStatus::EndOfLife),
        Status::Affected => {}
    }
    let Some(scheme) = Scheme::of(&a.ecosystem) else {
        return Ok(None);
    };
    let go = a.ecosystem == "Go";
    let mut hit: Option<Option<String>> = None;
    if a.versions
        .iter()
        .any(|v| compare(scheme, false, go, v, version) == Ordering::Equal)
    {
        hit = Some(None);
    }
    for range in &a.ranges {
        let verdict = match range {
            Range::Events { semver, events } => {
                events_contain(scheme, *semver, go, events, version)
            }
            Range::Requirements {
                syntax,
                affected,
                unaffected,
            } => ranges::requirements_affect(*syntax, affected, unaffected, version)?
                .then(|| ranges::lowest_fix(*syntax, unaffected, version)),
        };
        if let Some(fixed) = verdict {
            // Keep the earliest fixed version any range offers.
            hit = Some(match (hit.flatten(), fixed) {
                (Some(a), Some(b)) => Some(min_version(scheme, a, b)),
                (a, b) => a.or(b),
            });
        }
    }
    Ok(hit.map(|fixed| Verdict {
        status: if fixed.is_some() {
            MatchStatus::Fixed
        } else {
            MatchStatus::Affected
        },
        fixed,
    }))
}

fn min_version(scheme: Scheme, a: String, b: String) -> String {
    if scheme.compare(&a, &b) == Ordering::Greater {
        b
    } else {
        a
    }
}

fn compare(scheme: Scheme, semver: bool, go: bool, a: &str, b: &str) -> Ordering {
    if go {
        let v = |s: &str| {
            if s.starts_with('v') {
                s.to_string()
            } else {
                format!("v{s}")
            }
        };
        return Scheme::Golang.compare(&v(a), &v(b));
    }
    if semver {
        let strip = |s: &'_ str| s.strip_prefix('v').unwrap_or(s).to_string();
        return Scheme::Semver.compare(&strip(a), &strip(b));
    }
    scheme.compare(a, b)
}

/// OSV range evaluation: `Some(fixed)` when `version` is inside the range, with the first
/// `fixed` event above it.
fn events_contain(
    scheme: Scheme,
    semver: bool,
    go: bool,
    events: &[Event],
    version: &str,
) -> Option<Option<String>> {
    let is_zero = |e: &Event| matches!(e, Event::Introduced(v) if v == "0");
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| match (is_zero(a), is_zero(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => compare(scheme, semver, go, event_value(a), event_value(b)),
    });
    let mut inside = false;
    let mut limit_hit = false;
    let mut position = sorted.len();
    for (i, e) in sorted.iter().enumerate() {
        let cmp = || compare(scheme, semver, go, version, event_value(e));
        match e {
            Event::Introduced(_) if is_zero(e) || cmp() != Ordering::Less => inside = true,
            Event::Fixed(_) if cmp() != Ordering::Less => inside = false,
            Event::LastAffected(_) if cmp() == Ordering::Greater => inside = false,
            Event::Limit(_) if cmp() != Ordering::Less => limit_hit = true,
            _ => {
                position = i;
                break;
            }
        }
    }
    if !inside || limit_hit {
        return None;
    }
    // The fix of this segment is the next event, when that event is a fix.
    let fixed = match sorted.get(position) {
        Some(Event::Fixed(v)) => Some(v.clone()),
        _ => None,
    };
    Some(fixed)
}

fn event_value(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// One judged affected entry with its advisory.
struct Hit {
    advisory: Rc<Advisory>,
    affected: Affected,
    verdict: Verdict,
}

/// Matches every package of `input` against `store`, in parallel: one worker per thread, each
/// with its own read connection and advisory cache, takes small batches of packages in turn so
/// that a few packages with many advisories do not leave the other threads idle.
pub fn match_packages(
    store: &Store,
    input: &MatchInput<'_>,
    options: MatchOptions,
) -> Result<MatchResult, StoreError> {
    const BATCH: usize = 16;
    let threads = rayon::current_num_threads()
        .min(input.packages.len().div_ceil(BATCH * 4))
        .max(1);
    if threads == 1 {
        let mut worker = Worker::new(store, input, options);
        worker.packages(input.packages)?;
        return Ok(worker.finish());
    }
    let next = AtomicUsize::new(0);
    let parts = Mutex::new(Vec::with_capacity(threads));
    let work = |store: &Store| -> Result<MatchResult, StoreError> {
        let mut worker = Worker::new(store, input, options);
        loop {
            let start = next.fetch_add(BATCH, AtomicOrdering::Relaxed);
            let Some(batch) = input.packages.get(start..) else {
                break;
            };
            worker.packages(&batch[..batch.len().min(BATCH)])?;
        }
        Ok(worker.finish())
    };
    let path = store.path();
    rayon::in_place_scope(|scope| {
        for _ in 1..threads {
            scope.spawn(|_| {
                let part = Store::open(path).and_then(|own| work(&own));
                parts.lock().unwrap_or_else(|e| e.into_inner()).push(part);
            });
        }
        let part = work(store);
        parts.lock().unwrap_or_else(|e| e.into_inner()).push(part);
    });
    let parts = parts.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut result = MatchResult::default();
    let mut not_matched: BTreeMap<String, usize> = BTreeMap::new();
    let mut range_errors = BTreeSet::new();
    let mut uncovered: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    let mut all = Vec::with_capacity(parts.len());
    for part in parts {
        all.push(part?);
    }
    result.matches = Vec::with_capacity(all.iter().map(|p| p.matches.len()).sum());
    for part in all {
        result.matches.extend(part.matches);
        result.ignored_unfixed += part.ignored_unfixed;
        result.os_owned_skipped += part.os_owned_skipped;
        result.packages_matched += part.packages_matched;
        for (reason, n) in part.not_matched {
            *not_matched.entry(reason).or_default() += n;
        }
        range_errors.extend(part.range_errors);
        for u in part.uncovered {
            *uncovered.entry((u.os, u.ecosystem)).or_default() += u.packages;
        }
    }
    result.uncovered = uncovered
        .into_iter()
        .map(|((os, ecosystem), packages)| Uncovered {
            os,
            ecosystem,
            packages,
        })
        .collect();
    result
        .matches
        .sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    result.not_matched = not_matched.into_iter().collect();
    result.range_errors = range_errors.into_iter().collect();
    Ok(result)
}

/// The matching state of one thread.
struct Worker<'s, 'i> {
    store: &'s Store,
    input: &'i MatchInput<'i>,
    options: MatchOptions,
    heads: HashMap<i64, Rc<Advisory>>,
    /// What the database knows of each CVE looked up so far.
    intel: HashMap<String, Option<Rc<CveIntel>>>,
    scores: Scores,
    result: MatchResult,
    not_matched: HashMap<String, usize>,
    range_errors: BTreeSet<String>,
    /// Whether the store holds any entry under an ecosystem key (asked once per key).
    covered: HashMap<String, bool>,
    uncovered: HashMap<(String, Option<String>), usize>,
}

impl<'s, 'i> Worker<'s, 'i> {
    fn new(store: &'s Store, input: &'i MatchInput<'i>, options: MatchOptions) -> Self {
        Worker {
            store,
            input,
            options,
            heads: HashMap::new(),
            intel: HashMap::new(),
            scores: Scores::new(),
            result: MatchResult::default(),
            not_matched: HashMap::new(),
            range_errors: BTreeSet::new(),
            covered: HashMap::new(),
            uncovered: HashMap::new(),
        }
    }

    /// Whether any loaded advisory names ecosystem `key`.
    fn covers(&mut self, key: &str) -> Result<bool, StoreError> {
        if let Some(&known) = self.covered.get(key) {
            return Ok(known);
        }
        let known = self.store.has_ecosystem(key)?;
        self.covered.insert(key.to_string(), known);
        Ok(known)
    }

    /// The database's intelligence on `cve` (cached per worker).
    fn intel_of(&mut self, cve: &str) -> Result<Option<Rc<CveIntel>>, StoreError> {
        if let Some(known) = self.intel.get(cve) {
            return Ok(known.clone());
        }
        let found = self.store.cve_intel(cve)?.map(Rc::new);
        self.intel.insert(cve.to_string(), found.clone());
        Ok(found)
    }

    /// Adds what the database knows of the match's CVEs: NVD's CVSS (which rates the match
    /// when its advisories do not), CWE ids, the KEV listing and the EPSS score.
    fn enrich(&mut self, m: &mut VulnMatch) -> Result<(), StoreError> {
        let cves: Vec<String> = std::iter::once(&m.id)
            .chain(&m.aliases)
            .filter(|id| id.starts_with("CVE-"))
            .cloned()
            .collect();
        let mut nvd: Vec<CvssScore> = Vec::new();
        for cve in &cves {
            let Some(intel) = self.intel_of(cve)? else {
                continue;
            };
            if m.kev.is_none() {
                m.kev.clone_from(&intel.kev);
            }
            if let Some(e) = intel.epss
                && m.epss.is_none_or(|have| e.score > have.score)
            {
                m.epss = Some(e);
            }
            for cwe in &intel.cwes {
                if !m.cwes.contains(cwe) {
                    m.cwes.push(cwe.clone());
                }
            }
            if !nvd.is_empty() {
                continue;
            }
            for r in &intel.nvd {
                let score = self
                    .scores
                    .entry(r.vector.clone())
                    .or_insert_with(|| cvss::score(&r.vector));
                if let Some(s) = score.clone() {
                    nvd.push(CvssScore {
                        version: s.version,
                        vector: r.vector.clone(),
                        score: s.score,
                        severity: s.severity,
                        source: r.source.clone(),
                    });
                }
            }
        }
        if m.severity == Severity::Unknown
            && let Some(c) = preferred_cvss(&nvd)
        {
            m.severity = c.severity;
            m.severity_source = format!("cvss {} ({})", c.version, c.source);
        }
        for c in nvd {
            if !m.cvss.iter().any(|have| have.vector == c.vector) {
                m.cvss.push(c);
            }
        }
        m.cvss
            .sort_by(|a, b| b.version.cmp(&a.version).then(a.vector.cmp(&b.vector)));
        Ok(())
    }

    fn packages(&mut self, packages: &[Package]) -> Result<(), StoreError> {
        packages.iter().try_for_each(|p| self.package(p))
    }

    fn package(&mut self, p: &Package) -> Result<(), StoreError> {
        if p.owned_by.is_some() && !p.ecosystem.is_os() && !self.options.match_os_owned {
            self.result.os_owned_skipped += 1;
            return Ok(());
        }
        let query = match query_for(self.input.os, p) {
            Ok(q) => q,
            Err(reason) => {
                match self.input.os {
                    // A distribution seaworthy has no source for: named in the report.
                    Some(os) if p.ecosystem.is_os() && !KNOWN_OS.contains(&os.id.as_str()) => {
                        let name = if os.version_id.is_empty() {
                            os.id.clone()
                        } else {
                            format!("{} {}", os.id, os.version_id)
                        };
                        *self.uncovered.entry((name, None)).or_default() += 1;
                    }
                    _ => *self.not_matched.entry(reason).or_default() += 1,
                }
                return Ok(());
            }
        };
        if p.ecosystem.is_os() {
            let fallback = match &query.fallback {
                Some(f) => self.covers(f)?,
                None => false,
            };
            if !fallback && !self.covers(&query.ecosystem)? {
                let os = ecosystem::release_name(&query.ecosystem);
                *self
                    .uncovered
                    .entry((os, Some(query.ecosystem.clone())))
                    .or_default() += 1;
                return Ok(());
            }
        }
        self.result.packages_matched += 1;
        let mut hits = Vec::new();
        let mut covered = BTreeSet::new();
        for row in self.store.affected(&query.ecosystem, &query.name)? {
            covered.insert(row.advisory);
            self.judge(&mut hits, row, &query.version, false)?;
        }
        if let Some(fallback) = &query.fallback {
            for row in self.store.affected(fallback, &query.name)? {
                if !covered.contains(&row.advisory) {
                    self.judge(&mut hits, row, &query.version, true)?;
                }
            }
        }
        for mut m in merge(p, &query, hits, self.input.layers, &mut self.scores) {
            self.enrich(&mut m)?;
            if self.options.ignore_unfixed && !m.status.has_fix() {
                self.result.ignored_unfixed += 1;
            } else {
                self.result.matches.push(m);
            }
        }
        Ok(())
    }

    fn judge(
        &mut self,
        hits: &mut Vec<Hit>,
        row: AffectedRow,
        version: &str,
        from_unstable: bool,
    ) -> Result<(), StoreError> {
        judge_into(
            self.store,
            &mut self.heads,
            hits,
            &mut self.range_errors,
            row,
            version,
            from_unstable,
        )
    }

    fn finish(mut self) -> MatchResult {
        self.result.not_matched = self.not_matched.into_iter().collect();
        self.result.uncovered = self
            .uncovered
            .into_iter()
            .map(|((os, ecosystem), packages)| Uncovered {
                os,
                ecosystem,
                packages,
            })
            .collect();
        self.result.uncovered.sort();
        self.result.range_errors = self.range_errors.into_iter().collect();
        self.result
    }
}

fn advisory_head(
    store: &Store,
    heads: &mut HashMap<i64, Rc<Advisory>>,
    row: i64,
) -> Result<Rc<Advisory>, StoreError> {
    if let Some(a) = heads.get(&row) {
        return Ok(a.clone());
    }
    let a = Rc::new(store.advisory(row)?);
    heads.insert(row, a.clone());
    Ok(a)
}

/// Judges one stored entry; the advisory itself is read (once per run) only for a hit.
fn judge_into(
    store: &Store,
    heads: &mut HashMap<i64, Rc<Advisory>>,
    hits: &mut Vec<Hit>,
    errors: &mut BTreeSet<String>,
    row: AffectedRow,
    version: &str,
    from_unstable: bool,
) -> Result<(), StoreError> {
    let verdict = judge(&row.affected, version);
    if matches!(verdict, Ok(None)) {
        return Ok(());
    }
    let advisory = advisory_head(store, heads, row.advisory)?;
    if advisory.withdrawn.is_some() {
        return Ok(());
    }
    let mut affected = row.affected;
    let verdict = match verdict {
        Ok(Some(v)) => v,
        Ok(None) => return Ok(()),
        Err(e) => {
            errors.insert(format!("{}: {e}", advisory.id));
            return Ok(());
        }
    };
    // Unstable's fix is not this release's fix: the release stays open until it ships one.
    let verdict = match (from_unstable, verdict) {
        (true, Verdict { fixed: Some(v), .. }) => {
            affected.note = Some(format!("fixed in unstable ({v}), not yet in this release"));
            Verdict {
                status: MatchStatus::Unfixed,
                fixed: None,
            }
        }
        (_, v) => v,
    };
    hits.push(Hit {
        advisory,
        affected,
        verdict,
    });
    Ok(())
}

/// Groups hits whose ids overlap (union-find over ids and aliases) into one match each.
/// CVSS scores by vector, computed once per run.
type Scores = HashMap<String, Option<cvss::Score>>;

fn merge(
    p: &Package,
    query: &Query,
    hits: Vec<Hit>,
    layers: &[LayerRef],
    scores: &mut Scores,
) -> Vec<VulnMatch> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        for id in std::iter::once(&h.advisory.id).chain(&h.advisory.aliases) {
            match by_id.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    by_id.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<&Hit>> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(h);
    }
    let location = p.locations.first();
    let package = MatchedPackage {
        name: p.name.clone(),
        version: p.version.clone(),
        ecosystem: p.ecosystem.to_string(),
        purl: p.purl.clone(),
        matched_as: (query.name != p.name || query.version != p.version)
            .then(|| (query.name.clone(), query.version.clone())),
        path: location.map(|l| l.path.clone()).unwrap_or_default(),
        layer: location.and_then(|l| layers.get(l.layer).cloned()),
    };
    let scheme = Scheme::of(&query.ecosystem);
    groups
        .into_values()
        .map(|group| build_match(&group, package.clone(), scheme, p.ecosystem.is_os(), scores))
        .collect()
}

fn primary_id(ids: &BTreeSet<String>) -> String {
    let pick = |prefix: &str| ids.iter().find(|id| id.starts_with(prefix)).cloned();
    pick("CVE-")
        .or_else(|| pick("GHSA-"))
        .or_else(|| ids.iter().next().cloned())
        .unwrap_or_default()
}

fn status_rank(s: MatchStatus) -> u8 {
    match s {
        MatchStatus::Fixed => 0,
        MatchStatus::NoDsa => 1,
        MatchStatus::Postponed => 2,
        MatchStatus::Ignored => 3,
        MatchStatus::EndOfLife => 4,
        MatchStatus::Unfixed => 5,
        MatchStatus::Affected => 6,
    }
}

fn build_match(
    group: &[&Hit],
    package: MatchedPackage,
    scheme: Option<Scheme>,
    os_package: bool,
    scores: &mut Scores,
) -> VulnMatch {
    let ids: BTreeSet<String> = group
        .iter()
        .flat_map(|h| std::iter::once(&h.advisory.id).chain(&h.advisory.aliases))
        .cloned()
        .collect();
    let id = primary_id(&ids);
    let aliases = ids.iter().filter(|i| **i != id).cloned().collect();
    let related: BTreeSet<String> = group
        .iter()
        .flat_map(|h| h.advisory.related.iter())
        .filter(|r| !ids.contains(*r))
        .cloned()
        .collect();
    let status = group
        .iter()
        .map(|h| h.verdict.status)
        .min_by_key(|s| status_rank(*s))
        .unwrap_or(MatchStatus::Affected);
    let fixed_version = group
        .iter()
        .filter_map(|h| h.verdict.fixed.clone())
        .reduce(|a, b| match scheme {
            Some(s) => min_version(s, a, b),
            None => a.min(b),
        });
    let mut cvss: Vec<CvssScore> = Vec::new();
    for h in group {
        for r in &h.advisory.ratings {
            if matches!(r.kind, RatingKind::Label) || cvss.iter().any(|c| c.vector == r.value) {
                continue;
            }
            let score = scores
                .entry(r.value.clone())
                .or_insert_with(|| cvss::score(&r.value));
            if let Some(s) = score.clone() {
                cvss.push(CvssScore {
                    version: s.version,
                    vector: r.value.clone(),
                    score: s.score,
                    severity: s.severity,
                    source: r.by.clone().unwrap_or_else(|| h.advisory.source.clone()),
                });
            }
        }
    }
    cvss.sort_by(|a, b| b.version.cmp(&a.version).then(a.vector.cmp(&b.vector)));
    let (severity, severity_source) = rate(group, &cvss, os_package);
    let sources: BTreeSet<String> = group.iter().map(|h| h.advisory.source.clone()).collect();
    let mut references: Vec<String> = Vec::new();
    for h in group {
        for r in &h.advisory.references {
            if references.len() < 10 && !references.contains(r) {
                references.push(r.clone());
            }
        }
    }
    let notes: BTreeSet<String> = group
        .iter()
        .filter_map(|h| h.affected.note.clone())
        .collect();
    VulnMatch {
        id,
        aliases,
        related: related.into_iter().collect(),
        package,
        status,
        fixed_version: if status == MatchStatus::Fixed {
            fixed_version
        } else {
            None
        },
        severity,
        severity_source,
        cvss,
        title: group.iter().find_map(|h| h.advisory.summary.clone()),
        sources: sources.into_iter().collect(),
        references,
        notes: notes.into_iter().collect(),
        cwes: Vec::new(),
        kev: None,
        epss: None,
        origin: None,
    }
}

/// A distribution's or ecosystem's severity word.
pub fn severity_label(label: &str) -> Option<Severity> {
    Some(match label.trim().to_ascii_lowercase().as_str() {
        "unimportant" | "negligible" | "none" => Severity::Info,
        "low" => Severity::Low,
        "medium" | "moderate" => Severity::Medium,
        "high" | "important" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

/// CVSS versions, most preferred first.
const CVSS_PREFERENCE: [&str; 4] = ["4.0", "3.1", "3.0", "2.0"];

/// What a match's severity says when nothing rates it.
pub const UNRATED: &str = "unrated";

/// The severity of a match and where it comes from, in this order: the distribution's rating
/// (OS packages), the advisory's own CVSS (v4.0 > v3.1 > v3.0 > v2), the advisory's own label
/// (GHSA `HIGH`); else `unknown`, which NVD's CVSS may still rate (`Worker::enrich`).
fn rate(group: &[&Hit], cvss: &[CvssScore], os_package: bool) -> (Severity, String) {
    let distro = group.iter().find_map(|h| {
        let own = h.affected.severity.as_deref().and_then(severity_label);
        let label = h
            .advisory
            .ratings
            .iter()
            .filter(|r| r.kind == RatingKind::Label)
            .find_map(|r| severity_label(&r.value));
        own.map(|s| (s, format!("{} urgency", h.advisory.source)))
            .or_else(|| label.map(|s| (s, format!("{} rating", h.advisory.source))))
    });
    if os_package && let Some(d) = distro.clone() {
        return d;
    }
    if let Some(c) = preferred_cvss(cvss) {
        return (c.severity, format!("cvss {} ({})", c.version, c.source));
    }
    distro.unwrap_or((Severity::Unknown, UNRATED.to_string()))
}

/// The highest score of the most preferred CVSS version present.
fn preferred_cvss(scores: &[CvssScore]) -> Option<&CvssScore> {
    CVSS_PREFERENCE.iter().find_map(|v| {
        scores
            .iter()
            .filter(|c| c.version == *v)
            .max_by(|a, b| a.score.total_cmp(&b.score))
    })
}
