//! What scans an image, as Trivy's `--scanners`: known vulnerabilities, configuration rules,
//! secrets and trust (signatures, pinning, registries). Each can be left out, and each can have
//! its own gate threshold.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scanner {
    /// Known vulnerabilities of the image's packages.
    Vuln,
    /// Configuration rules (`SW-IMG-001`…`019`).
    Config,
    /// Secrets in files, ENV, labels and history (`SW-IMG-020`…`029`).
    Secret,
    /// Signatures, digests and registries (`SW-IMG-030`…`039`).
    Trust,
}

impl Scanner {
    pub const ALL: [Scanner; 4] = [
        Scanner::Vuln,
        Scanner::Config,
        Scanner::Secret,
        Scanner::Trust,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scanner::Vuln => "vuln",
            Scanner::Config => "config",
            Scanner::Secret => "secret",
            Scanner::Trust => "trust",
        }
    }

    /// The scanner behind an image finding's rule id; any other id (an advisory) is `Vuln`.
    pub fn of_rule(rule_id: &str) -> Scanner {
        let Some(number) = rule_id
            .strip_prefix("SW-IMG-")
            .and_then(|n| n.parse::<u16>().ok())
        else {
            return Scanner::Vuln;
        };
        match number {
            20..=29 => Scanner::Secret,
            30..=39 => Scanner::Trust,
            _ => Scanner::Config,
        }
    }
}

impl fmt::Display for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scanner `{0}` (expected one of: vuln, config, secret, trust)")]
pub struct ParseScannerError(pub String);

impl FromStr for Scanner {
    type Err = ParseScannerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vuln" | "vulnerability" | "vulnerabilities" => Ok(Scanner::Vuln),
            "config" | "misconfig" => Ok(Scanner::Config),
            "secret" | "secrets" => Ok(Scanner::Secret),
            "trust" => Ok(Scanner::Trust),
            _ => Err(ParseScannerError(crate::text::escape_capped(s, 40))),
        }
    }
}

/// Gate thresholds: one for everything, and per scanner where configured (`None` there: that
/// scanner reports only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thresholds {
    pub default: Option<Severity>,
    pub by_scanner: BTreeMap<Scanner, Option<Severity>>,
}

impl Thresholds {
    pub fn uniform(default: Option<Severity>) -> Self {
        Thresholds {
            default,
            by_scanner: BTreeMap::new(),
        }
    }

    pub fn for_scanner(&self, scanner: Scanner) -> Option<Severity> {
        threshold_of(scanner, self.default, &self.by_scanner)
    }

    /// The threshold an image finding (by rule id) or an advisory gates at.
    pub fn for_rule(&self, rule_id: &str) -> Option<Severity> {
        self.for_scanner(Scanner::of_rule(rule_id))
    }
}

/// `scanner`'s own threshold in `by_scanner` when it has one, else `default`: the one rule
/// every gate (image report, assess image area, waivers) follows.
pub fn threshold_of(
    scanner: Scanner,
    default: Option<Severity>,
    by_scanner: &BTreeMap<Scanner, Option<Severity>>,
) -> Option<Severity> {
    by_scanner.get(&scanner).copied().unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_map_to_their_scanner() {
        assert_eq!(Scanner::of_rule("SW-IMG-001"), Scanner::Config);
        assert_eq!(Scanner::of_rule("SW-IMG-014"), Scanner::Config);
        assert_eq!(Scanner::of_rule("SW-IMG-021"), Scanner::Secret);
        assert_eq!(Scanner::of_rule("SW-IMG-030"), Scanner::Trust);
        assert_eq!(Scanner::of_rule("CVE-2024-1234"), Scanner::Vuln);
    }

    #[test]
    fn per_scanner_thresholds_override_the_default() {
        let mut t = Thresholds::uniform(Some(Severity::High));
        t.by_scanner.insert(Scanner::Config, None);
        t.by_scanner.insert(Scanner::Vuln, Some(Severity::Critical));
        assert_eq!(t.for_rule("SW-IMG-001"), None);
        assert_eq!(t.for_rule("CVE-1"), Some(Severity::Critical));
        assert_eq!(t.for_rule("SW-IMG-021"), Some(Severity::High));
        assert_eq!("Secrets".parse::<Scanner>(), Ok(Scanner::Secret));
        assert!("sbom".parse::<Scanner>().is_err());
    }
}
