//! OpenVEX from a scan's waived vulnerabilities (`seaworthy vex`, `--format openvex`): one
//! `not_affected` statement per waived match, so the decision travels with the image to every
//! consumer that reads VEX (Trivy, Grype, Docker Scout).

use seaworthy_policy::vex::{self, WaivedVuln};
use seaworthy_policy::waiver::JUSTIFICATIONS;

use super::VulnReportInput;

pub(crate) fn render(input: &VulnReportInput<'_>) -> String {
    let waived = input
        .waived
        .iter()
        .map(|w| {
            let reason = w
                .waived
                .reason
                .clone()
                .unwrap_or_else(|| w.waived.kind.clone());
            let justification = JUSTIFICATIONS
                .contains(&reason.as_str())
                .then(|| reason.clone());
            let product = match w.vuln.package.purl.as_str() {
                "" => input.image.reference.clone(),
                purl => purl.to_string(),
            };
            WaivedVuln {
                vulnerability: w.vuln.id.clone(),
                aliases: w.vuln.aliases.clone(),
                product,
                reason,
                justification,
            }
        })
        .collect();
    let subject = input
        .image
        .config_digest
        .as_ref()
        .map_or_else(|| input.image.reference.clone(), ToString::to_string);
    let id = format!("urn:seaworthy:vex:{subject}");
    let doc = vex::write(&id, "seaworthy", input.created, waived);
    crate::json_pretty(&doc)
}
