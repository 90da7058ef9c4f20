//! Vulnerability matches as findings, for the formats that speak findings (GitHub workflow
//! commands): one finding per match, at the image and the package's file, with its layer.

use seaworthy_core::{Finding, Location, Origin};
use seaworthy_vulndb::VulnMatch;

use super::VulnReportInput;

/// One finding per match, located at the image (and, when the image's Dockerfile is known, at
/// the line that brought the package in).
pub(crate) fn vuln_finding(image: &str, m: &VulnMatch) -> Finding {
    let path = m.package.path.trim_start_matches('/');
    let location = Location::Image {
        image: image.to_string(),
        path: (!path.is_empty()).then(|| path.to_string()),
    };
    match_finding(m, location)
}

/// A match as a finding at `location`: message, remediation, evidence, the layer that brought
/// the package in, and the title `in PACKAGE VERSION` (formats show the id before it).
pub fn match_finding(m: &VulnMatch, location: Location) -> Finding {
    let p = &m.package;
    let fix = match &m.fixed_version {
        Some(v) => format!(", fixed in {v}"),
        None => format!(" ({})", m.status.as_str()),
    };
    let remediation = match &m.fixed_version {
        Some(v) => format!("Upgrade {} to {v} or later and rebuild", p.name),
        None => format!(
            "No fixed version of {} yet: remove the package if it is not needed, or waive it \
             with a reason and an expiry",
            p.name
        ),
    };
    let origin = m.origin.clone().or_else(|| {
        p.layer.as_ref().map(|l| Origin {
            layer: u32::try_from(l.index).ok(),
            layer_digest: Some(l.diff_id.clone()),
            created_by: l.created_by.clone(),
            ..Origin::default()
        })
    });
    Finding {
        rule_id: m.id.clone(),
        severity: m.severity,
        // Formats show the id before the title: `CVE-2024-5535 in libssl3 3.0.11-1`.
        title: format!("in {} {}", p.name, p.version),
        message: format!("{} {} is vulnerable to {}{fix}", p.name, p.version, m.id),
        location,
        evidence: Some(format!("{} {} ({})", p.name, p.version, p.path)),
        remediation,
        references: m.aliases.clone(),
        suppressed: None,
        origin,
    }
}

/// The image findings and then every active match as GitHub workflow commands: `error` for
/// what reaches `--fail-on` (nothing without a threshold), `warning` down to medium, `notice`.
pub(crate) fn github(input: &VulnReportInput<'_>) -> String {
    let image = &input.image.reference;
    let mut out = String::new();
    let mut findings: Vec<&Finding> = input.findings.iter().filter(|f| f.is_active()).collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for f in findings {
        let kind = crate::github::kind_of(f.severity, input.finding_gates(f));
        crate::github::finding(&mut out, kind, f);
    }
    for m in input.sorted_matches() {
        let f = vuln_finding(image, m);
        let kind = crate::github::kind_of(f.severity, input.match_gates(m));
        crate::github::finding(&mut out, kind, &f);
    }
    out
}
