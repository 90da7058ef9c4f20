//! What is known about a rule before it runs: [`RuleMeta`] and its vocabulary.

use serde::Serialize;

use crate::Severity;

/// The four test areas of the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Host,
    Dockerfile,
    Image,
    Container,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Host => "host",
            Area::Dockerfile => "dockerfile",
            Area::Image => "image",
            Area::Container => "container",
        }
    }

    /// The prefix of every rule id of the area, e.g. `SW-DF-`.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Area::Host => "SW-HOST-",
            Area::Dockerfile => "SW-DF-",
            Area::Image => "SW-IMG-",
            Area::Container => "SW-CTR-",
        }
    }
}

/// Tools and standards a rule is cross-referenced with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Peer {
    Hadolint,
    Trivy,
    Dockle,
    Cis,
    BuildKit,
}

impl Peer {
    pub fn as_str(self) -> &'static str {
        match self {
            Peer::Hadolint => "hadolint",
            Peer::Trivy => "trivy",
            Peer::Dockle => "dockle",
            Peer::Cis => "cis-docker-1.6.0",
            Peer::BuildKit => "buildkit-check",
        }
    }

    /// A peer's id as its own tools spell it in more than one way, in the form the rules
    /// cite: Trivy's `DS0002` and `AVD-DS-0002` are `DS-0002`. Others are kept as given.
    pub fn canonical_id(self, id: &str) -> String {
        let id = id.trim();
        match self {
            Peer::Trivy => {
                let upper = id.to_ascii_uppercase();
                let bare = upper.strip_prefix("AVD-").unwrap_or(&upper);
                match bare.strip_prefix("DS") {
                    Some(n) if n.starts_with(|c: char| c.is_ascii_digit()) => format!("DS-{n}"),
                    _ => bare.to_string(),
                }
            }
            _ => id.to_string(),
        }
    }
}

/// One cross-reference: the same check under a peer's id (e.g. hadolint `DL3008`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CrossRef {
    pub peer: Peer,
    pub id: &'static str,
}

/// Everything known about a rule before it runs. One static per rule; registries are slices.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable, namespaced id, e.g. `SW-DF-012`.
    pub id: &'static str,
    /// Short kebab-case name, e.g. `apt-no-install-recommends`.
    pub name: &'static str,
    pub title: &'static str,
    pub area: Area,
    /// The question of the strategy this rule answers (e.g. `trust`, `run`, `network`).
    pub group: &'static str,
    pub severity: Severity,
    pub remediation: &'static str,
    pub refs: &'static [CrossRef],
    /// Markdown: what it does, why, how to fix, examples.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The first paragraph of the docs, for one-line listings.
    pub fn summary(&self) -> &'static str {
        self.docs
            .split("\n\n")
            .map(str::trim)
            .find(|p| !p.is_empty() && !p.starts_with('#'))
            .unwrap_or(self.title)
    }

    /// The cross-references as findings carry them, `peer:id` (e.g. `hadolint:DL3008`), in
    /// declaration order.
    pub fn references(&self) -> Vec<String> {
        self.refs
            .iter()
            .map(|r| format!("{}:{}", r.peer.as_str(), r.id))
            .collect()
    }

    pub fn cross_ref(&self, peer: Peer) -> impl Iterator<Item = &'static str> + '_ {
        self.refs
            .iter()
            .filter(move |r| r.peer == peer)
            .map(|r| r.id)
    }
}
