use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags an image without a HEALTHCHECK, or with `HEALTHCHECK NONE`.
    ///
    /// ## Why
    /// Without a health check the engine and orchestrators only know whether the process is alive,
    /// not whether it still serves: a hung service keeps receiving traffic and is never restarted.
    ///
    /// ## Fix
    /// Add `HEALTHCHECK CMD ["/app", "healthcheck"]` (or an equivalent probe) to the final stage,
    /// or rely on your orchestrator's probes and disable this rule.
    NoHealthcheck {
        id: "SW-IMG-002",
        name: "image-no-healthcheck",
        title: "Image has no HEALTHCHECK",
        area: Image,
        group: "runtime",
        severity: Low,
        remediation: "Add a HEALTHCHECK instruction to the final stage (or disable the rule when the orchestrator probes the service).",
        refs: [Dockle("CIS-DI-0006"), Cis("4.6"), Trivy("DS-0026")],
        fire: [
            "config {\"User\": \"app\"}\n",
            "config {\"Healthcheck\": {\"Test\": [\"NONE\"]}}\n",
        ],
        quiet: [
            "config {\"Healthcheck\": {\"Test\": [\"CMD\", \"/app\", \"health\"]}}\n",
            "config {\"Healthcheck\": {\"Test\": [\"CMD-SHELL\", \"curl -f http://localhost/\"]}}\n",
        ],
    }
}

impl Check for NoHealthcheck {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        match &image.run.healthcheck {
            Some(test) if test.first().is_some_and(|t| t != "NONE") => {}
            Some(_) => out.push(Hit {
                message: "the image disables its health check (HEALTHCHECK NONE)".into(),
                step: image.last_step("HEALTHCHECK"),
                ..Hit::default()
            }),
            None => out.push(Hit {
                message: "the image defines no health check".into(),
                ..Hit::default()
            }),
        }
    }
}
