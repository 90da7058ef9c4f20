use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags an image whose shipped stages (the target and the stages it is built on) have no
    /// HEALTHCHECK. `HEALTHCHECK NONE` is a deliberate choice and counts as one.
    ///
    /// The finding points at the FROM of the target stage. A HEALTHCHECK inherited from the base
    /// image cannot be seen from the Dockerfile; when the base defines one, waive the finding
    /// or repeat the check so the Dockerfile documents it.
    ///
    /// ## Why
    /// Without a health check Docker (and Swarm, and tools reading `docker ps`) only knows whether
    /// the main process runs, not whether it answers. A hung or half-started service stays
    /// "up" and keeps receiving traffic.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// # good
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-fsS", "http://localhost/"]
    /// ```
    /// Orchestrators with their own probes (Kubernetes) ignore HEALTHCHECK: write
    /// `HEALTHCHECK NONE` to record that decision.
    MissingHealthcheck {
        id: "SW-DF-074",
        name: "missing-healthcheck",
        title: "No HEALTHCHECK in the image",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Add a HEALTHCHECK to the final stage (or HEALTHCHECK NONE when health is probed elsewhere).",
        refs: [Trivy("DS-0026"), Cis("4.6"), Dockle("CIS-DI-0006")],
        fire: [
            "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n",
            "FROM golang:1.23 AS build\nHEALTHCHECK CMD [\"true\"]\nFROM gcr.io/distroless/static:nonroot AS final\nCOPY --from=build /app /app\n",
        ],
        quiet: [
            "FROM nginx:1.27 AS base\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\nFROM base\nCOPY site/ /usr/share/nginx/html/\n",
            "FROM golang:1.23 AS build\nFROM alpine:3.20\nhealthcheck NONE\n",
        ],
    }
}

impl Check for MissingHealthcheck {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if cx
            .last_in_shipped(|k| matches!(k, Kind::Healthcheck(_)))
            .is_some()
        {
            return;
        }
        let chain = cx.shipped_stages();
        let Some(stage) = chain.first().and_then(|&s| cx.model.stages.get(s)) else {
            return;
        };
        let root = chain
            .last()
            .and_then(|&s| cx.model.stages.get(s))
            .map(|s| &s.base);
        let inherited = match root {
            Some(Base::Image { reference, .. }) => {
                format!(" (unless the base image `{reference}` defines one)")
            }
            _ => String::new(),
        };
        let what = match &stage.name {
            Some(name) => format!("the shipped stage `{name}`"),
            None => "the image".to_string(),
        };
        out.push(cx.hit(
            stage.from,
            format!(
                "{what} has no HEALTHCHECK{inherited}; Docker cannot tell a hung service from a healthy one"
            ),
        ));
    }
}
