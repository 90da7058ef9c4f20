//! Every area's results as assess items: findings and vulnerability matches, fingerprinted the
//! same way whatever area they come from.

use seaworthy_core::{Finding, Location};
use seaworthy_policy::baseline::fingerprint;
use seaworthy_report::assess::{Item, ItemKind, VulnDetail};
use seaworthy_vulndb::VulnMatch;

pub fn finding_item(finding: Finding) -> Item {
    let fingerprint = finding_fingerprint(&finding);
    Item {
        kind: ItemKind::Finding,
        fingerprint,
        finding,
        change: None,
        from_base: false,
        gating: false,
        vulnerability: None,
    }
}

/// A vulnerability of a package in `image` (its reference as given).
pub fn vuln_item(m: &VulnMatch, location: Location) -> Item {
    let mut finding = seaworthy_report::vulns::match_finding(m, location);
    finding.title = m
        .title
        .as_deref()
        .and_then(one_line_title)
        .unwrap_or_else(|| format!("{} in {}", m.id, m.package.name));
    as_vulnerability(finding, m)
}

/// Longest title kept from an advisory; the rest of it is in the advisory itself.
const TITLE_MAX_CHARS: usize = 120;

/// An advisory's title as one line: its first line, at most [`TITLE_MAX_CHARS`] characters
/// (cut at a word, with `…`). Some feeds put a whole paragraph where a title goes.
pub(crate) fn one_line_title(title: &str) -> Option<String> {
    let line = title.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= TITLE_MAX_CHARS {
        return Some(line.to_string());
    }
    let cut: String = line.chars().take(TITLE_MAX_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Some(format!("{}…", cut.trim_end_matches([',', ';', ':', '.'])))
}

/// A finding about `m` (as the container area words it) as a vulnerability item.
pub fn as_vulnerability(finding: Finding, m: &VulnMatch) -> Item {
    let p = &m.package;
    let scope = scope_of(&finding.location);
    Item {
        kind: ItemKind::Vulnerability,
        fingerprint: fingerprint(&m.id, &[&scope, &p.ecosystem, &p.name, &p.path]),
        finding,
        change: None,
        from_base: false,
        gating: false,
        vulnerability: Some(VulnDetail {
            package: p.name.clone(),
            version: p.version.clone(),
            ecosystem: p.ecosystem.clone(),
            purl: p.purl.clone(),
            fixed_version: m.fixed_version.clone(),
            status: m.status.as_str().to_string(),
            cvss: m
                .cvss
                .iter()
                .map(|c| c.score)
                .fold(None, |best: Option<f64>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                }),
            severity_source: m.severity_source.clone(),
            kev: m.kev.clone(),
            epss: m.epss,
            cwes: m.cwes.clone(),
        }),
    }
}

/// Identifying parts only: no line numbers and no versions, so a finding keeps its fingerprint
/// when unrelated lines move or the image is rebuilt under a new tag.
fn finding_fingerprint(f: &Finding) -> String {
    let scope = scope_of(&f.location);
    let detail = match &f.location {
        Location::File { .. } => f.evidence.as_deref().unwrap_or(&f.title).to_string(),
        Location::Image { path, .. } => format!(
            "{}\u{1f}{}",
            path.as_deref().unwrap_or(""),
            f.evidence.as_deref().unwrap_or("")
        ),
        Location::Host { object, .. } => object.clone(),
        Location::Container { field, .. } => format!(
            "{}\u{1f}{}",
            field.as_deref().unwrap_or(""),
            f.evidence.as_deref().unwrap_or("")
        ),
    };
    fingerprint(&f.rule_id, &[&scope, &detail])
}

/// The stable name of what an item is in: the file, the image repository (no tag or digest),
/// the container, the host.
fn scope_of(location: &Location) -> String {
    match location {
        Location::File { path, .. } => path.clone(),
        Location::Image { image, .. } => image_repository(image).to_string(),
        Location::Host { host, .. } => host.clone(),
        Location::Container { container, .. } => container.clone(),
    }
}

/// `docker:shop/api:1.4@sha256:…` → `shop/api`; archive paths stay paths.
pub fn image_repository(reference: &str) -> &str {
    const SOURCES: &[&str] = &["docker:", "registry:"];
    let mut r = SOURCES
        .iter()
        .find_map(|p| reference.strip_prefix(p))
        .unwrap_or(reference);
    if let Some((name, _)) = r.split_once('@') {
        r = name;
    }
    match r.rfind(':') {
        Some(i) if !r[i..].contains('/') && !is_archive(reference) => &r[..i],
        _ => r,
    }
}

fn is_archive(reference: &str) -> bool {
    ["docker-archive:", "oci-dir:", "oci-archive:"]
        .iter()
        .any(|p| reference.starts_with(p))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn image_repository_drops_source_tag_and_digest() {
        assert_eq!(image_repository("docker:shop/api:1.4"), "shop/api");
        assert_eq!(
            image_repository("registry:localhost:5000/a/b:2"),
            "localhost:5000/a/b"
        );
        assert_eq!(image_repository("localhost:5000/a/b"), "localhost:5000/a/b");
        assert_eq!(image_repository("nginx@sha256:abcd"), "nginx");
        assert_eq!(
            image_repository("docker-archive:out/app.tar"),
            "docker-archive:out/app.tar"
        );
    }

    #[test]
    fn advisory_paragraphs_become_one_line_titles() {
        assert_eq!(
            one_line_title("\n  Short title\nmore").as_deref(),
            Some("Short title")
        );
        let paragraph = "Django 3.2 before 3.2.13 and 4.0 before 4.0.4 allows SQL injection                          in QuerySet.annotate(), aggregate(), and extra() methods on                          PostgreSQL, via crafted dictionary expansion in column aliases.";
        let title = one_line_title(paragraph).unwrap();
        assert!(title.chars().count() <= TITLE_MAX_CHARS + 1, "{title}");
        assert!(title.ends_with("on…") || title.ends_with('…'), "{title}");
        assert!(!title.contains('\n'));
        assert_eq!(one_line_title(" \n "), None);
    }

    #[test]
    fn file_fingerprints_survive_line_moves() {
        let at = |line| Location::File {
            path: "Dockerfile".into(),
            span: seaworthy_core::Span {
                start: seaworthy_core::Position {
                    line,
                    column: 1,
                    offset: 0,
                },
                end: seaworthy_core::Position {
                    line,
                    column: 9,
                    offset: 8,
                },
            },
        };
        let f = |line| Finding {
            rule_id: "SW-DF-003".into(),
            severity: seaworthy_core::Severity::High,
            title: "latest".into(),
            message: format!("line {line}"),
            location: at(line),
            evidence: Some("ubuntu:latest".into()),
            remediation: String::new(),
            references: Vec::new(),
            suppressed: None,
            origin: None,
        };
        assert_eq!(
            finding_item(f(1)).fingerprint,
            finding_item(f(7)).fingerprint
        );
        let mut other = f(1);
        other.evidence = Some("debian:latest".into());
        assert_ne!(
            finding_item(f(1)).fingerprint,
            finding_item(other).fingerprint
        );
    }
}
