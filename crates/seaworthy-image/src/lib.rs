//! The image area's rules (`SW-IMG-…`): what the built artifact itself says about how it was built
//! and how it will run (CIS Docker Benchmark section 4, Dockle), the secrets it carries and whether
//! it can be trusted. Every rule reads one [`Subject`]: the image config, its history and its
//! merged filesystem, and reports hits that become [`Finding`]s pointing at the image path, the
//! layer and the build step that brought the problem in.

pub mod case;
pub mod lifecycle;
pub mod rules;
pub mod subject;

use seaworthy_core::{Finding, Location, Origin, Severity};
use seaworthy_dockerfile::redact::redact;
use seaworthy_oci::{ContentFilter, Image, ImageInfo};

pub use rules::{ImageRule, REGISTRY};
pub use subject::{RunConfig, Subject};

/// Settings of the image area (`[image]` in seaworthy.toml).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Registries (`host[:port]`, optionally with a repository prefix) images may come from; empty
    /// means any.
    pub trusted_registries: Vec<String>,
    /// The image is meant to be minimal (distroless-style): shells and package managers are noted.
    pub minimal: bool,
    /// Rule ids (or names) not to run.
    pub disabled: Vec<String>,
    /// The outcome of signature verification, when keys were given.
    pub signature: Option<SignatureCheck>,
    /// Severity of an unsigned or unverifiable image (default high).
    pub signature_severity: Option<Severity>,
    /// Today as `YYYY-MM-DD`, for the end-of-support dates (SW-IMG-040); `None`: the system
    /// clock (tests set it).
    pub today: Option<String>,
}

/// What signature verification found, as the trust rules judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// A signature over this image's digest verified with the given key (fingerprint).
    Verified { key: String },
    /// No signature was found (the tags looked for).
    Unsigned { looked_for: Vec<String> },
    /// Signatures exist but none verified with the given keys.
    UnknownKey { detail: String },
    /// Signatures exist but are broken or sign another digest.
    Invalid { detail: String },
    /// The image cannot carry a signature (a docker-archive, a daemon image without digest).
    NotApplicable { why: String },
}

/// One problem a rule found in the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hit {
    pub message: String,
    /// The image path the hit is about.
    pub path: Option<String>,
    /// The layer that wrote `path` (index into the image's layers).
    pub layer: Option<usize>,
    /// The history entry (index into the config's history) that made the setting or layer.
    pub step: Option<usize>,
    /// The offending value as found (secrets masked).
    pub evidence: Option<String>,
    /// Overrides the rule's default severity (secrets rate per credential kind).
    pub severity: Option<Severity>,
}

/// Files the rules read; add them to the content filter the image is loaded with.
pub const CAPTURED_PATHS: &[&str] = &["etc/passwd", "etc/group", "etc/shadow", "etc/gshadow"];

/// Captures what the rules read, next to what another filter (the catalogers') wants.
pub struct WithRuleFiles<'a>(pub &'a dyn ContentFilter);

impl ContentFilter for WithRuleFiles<'_> {
    fn wants_path(&self, path: &str) -> bool {
        CAPTURED_PATHS.contains(&path) || self.0.wants_path(path)
    }

    fn uses_magic(&self) -> bool {
        self.0.uses_magic()
    }

    fn wants_magic(&self, path: &str, head: &[u8]) -> bool {
        self.0.wants_magic(path, head)
    }

    fn scans_secrets(&self) -> bool {
        true
    }

    fn keeps_versions(&self, path: &str) -> bool {
        !CAPTURED_PATHS.contains(&path) && self.0.keeps_versions(path)
    }

    fn read_limit(&self, path: &str) -> Option<(u64, &'static str)> {
        if CAPTURED_PATHS.contains(&path) {
            None
        } else {
            self.0.read_limit(path)
        }
    }

    fn reduce(&self, path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        if CAPTURED_PATHS.contains(&path) {
            Some(data)
        } else {
            self.0.reduce(path, data)
        }
    }
}

/// Runs every enabled rule on `image`; findings sorted.
pub fn check(image: &Image, settings: &Settings) -> Vec<Finding> {
    let subject = Subject::new(&image.info, &image.fs, settings);
    let mut findings = Vec::new();
    for rule in REGISTRY.iter() {
        let meta = rule.meta();
        if settings
            .disabled
            .iter()
            .any(|d| d.eq_ignore_ascii_case(meta.id) || d.eq_ignore_ascii_case(meta.name))
        {
            continue;
        }
        findings.extend(run_rule(rule, &subject));
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

/// The findings of one rule.
pub fn run_rule(rule: &dyn ImageRule, subject: &Subject<'_>) -> Vec<Finding> {
    let mut hits = Vec::new();
    rule.check(subject, &mut hits);
    hits.into_iter()
        .map(|h| finding(rule.meta(), subject.info, h))
        .collect()
}

/// The history entry of layer `layer`: history entries that made no layer are skipped.
pub fn step_of_layer(info: &ImageInfo, layer: usize) -> Option<usize> {
    info.config
        .history
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.empty_layer)
        .nth(layer)
        .map(|(i, _)| i)
}

/// The layer history entry `step` made, when it made one.
pub fn layer_of_step(info: &ImageInfo, step: usize) -> Option<usize> {
    let h = info.config.history.get(step)?;
    if h.empty_layer {
        return None;
    }
    Some(
        info.config.history[..step]
            .iter()
            .filter(|h| !h.empty_layer)
            .count(),
    )
}

/// Where in the image and in its build a layer or history entry sits.
pub fn origin(info: &ImageInfo, layer: Option<usize>, step: Option<usize>) -> Option<Origin> {
    let step = step.or_else(|| layer.and_then(|l| step_of_layer(info, l)));
    let layer = layer.or_else(|| step.and_then(|s| layer_of_step(info, s)));
    if layer.is_none() && step.is_none() {
        return None;
    }
    let created_by = step
        .and_then(|s| info.config.history.get(s))
        .and_then(|h| h.created_by.clone())
        .or_else(|| {
            layer
                .and_then(|l| info.layers.get(l))
                .and_then(|l| l.history.as_ref())
                .and_then(|h| h.created_by.clone())
        });
    Some(Origin {
        layer: layer.map(|l| l as u32),
        layer_digest: layer
            .and_then(|l| info.layers.get(l))
            .map(|l| l.id())
            .filter(|d| !d.is_empty()),
        step: step.map(|s| s as u32),
        created_by: created_by.map(|c| redact(&subject::clean_command(&c))),
        dockerfile: None,
        fix: None,
    })
}

fn finding(meta: &'static seaworthy_core::RuleMeta, info: &ImageInfo, hit: Hit) -> Finding {
    Finding {
        rule_id: meta.id.to_string(),
        severity: hit.severity.unwrap_or(meta.severity),
        title: meta.title.to_string(),
        message: redact(&hit.message),
        location: Location::Image {
            image: info.reference.clone(),
            path: hit.path,
        },
        evidence: hit.evidence.as_deref().map(redact),
        remediation: meta.remediation.to_string(),
        references: meta.references(),
        suppressed: None,
        origin: origin(info, hit.layer, hit.step),
    }
}
