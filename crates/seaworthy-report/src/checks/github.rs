//! `seaworthy host --format github`: every warning and every vulnerability of the host's own
//! packages as a GitHub workflow command: `error` when it gates (`--fail-on`), `warning` down to
//! medium, `notice` below. Escaping is the findings format's (`crate::github`).

use seaworthy_core::{Location, Status};

use super::CheckReport;
use crate::github::{finding, kind_of};
use crate::vulns::vuln_finding;

pub(crate) fn render(report: &CheckReport<'_>) -> String {
    let mut out = String::new();
    for r in report.sorted() {
        if r.status != Status::Warn {
            continue;
        }
        if let Some(f) = r.to_finding() {
            finding(&mut out, kind_of(f.severity, report.gates(r)), &f);
        }
    }
    for m in report.vulnerabilities {
        let mut f = vuln_finding(report.target, m);
        f.location = Location::Host {
            host: report.target.to_string(),
            object: m.package.path.clone(),
        };
        let gating = report.fail_on.is_some_and(|t| crate::gates(m.severity, t));
        finding(&mut out, kind_of(f.severity, gating), &f);
    }
    out
}
