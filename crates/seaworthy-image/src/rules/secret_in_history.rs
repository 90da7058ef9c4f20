use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags credentials in the image history: the recorded command of every build step,
    /// build arguments included (`|2 NPM_TOKEN=… /bin/sh -c …`).
    ///
    /// ## Why
    /// `docker history --no-trunc` shows every build command and the build arguments it used to
    /// anyone who has the image, even when no file kept the secret.
    ///
    /// ## Fix
    /// Revoke the credential; use `RUN --mount=type=secret` instead of build arguments or inline
    /// tokens.
    SecretInHistory {
        id: "SW-IMG-022",
        name: "secret-in-image-history",
        title: "Secret in the image history",
        area: Image,
        group: "secrets",
        severity: High,
        remediation: "Revoke the credential and pass it with RUN --mount=type=secret instead of build args or inline.",
        refs: [Trivy("secret"), Dockle("CIS-DI-0010")],
        fire: [
            "step |1 NPM_TOKEN=npm_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u /bin/sh -c npm ci\n",
            "step /bin/sh -c curl -u deploy:Xk8vQ2mZp9LrT4wN7bYc https://artifacts.example.com/app.tgz | tar xz\n",
        ],
        quiet: [
            "step /bin/sh -c npm ci\n",
            "step RUN /bin/sh -c --mount=type=secret,id=npm npm ci # buildkit\n",
        ],
    }
}

impl Check for SecretInHistory {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for (i, h) in image.history().iter().enumerate() {
            let Some(raw) = h.created_by.as_deref() else {
                continue;
            };
            let mut found: Vec<(String, seaworthy_core::Severity, &str)> =
                seaworthy_secrets::scan_text(raw)
                    .into_iter()
                    .map(|s| (s.masked, s.pattern.severity, s.pattern.title))
                    .collect();
            // `-u user:password`, `--password=…`: what the Dockerfile rules mask.
            if found.is_empty() && seaworthy_dockerfile::redact::redact(raw) != raw {
                found.push((
                    "…".into(),
                    seaworthy_core::Severity::High,
                    "password in a command",
                ));
            }
            for (masked, severity, what) in found {
                out.push(Hit {
                    message: format!("build step {} records a secret ({what})", i + 1),
                    step: Some(i),
                    evidence: Some(masked),
                    severity: Some(severity),
                    ..Hit::default()
                });
            }
        }
    }
}
