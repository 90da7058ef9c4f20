use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags credentials in the image config's environment (`Env`): values of a known credential
    /// format, and secret-named variables (`*_PASSWORD`, `*_TOKEN`, `API_KEY`) holding random
    /// values. Placeholders (`${VAR}`, `changeme`, empty) stay quiet.
    ///
    /// ## Why
    /// The environment is part of the image config: `docker inspect` shows it to anyone with the
    /// image, and every container and child process inherits it.
    ///
    /// ## Fix
    /// Revoke the credential; inject secrets at run time (orchestrator secrets, mounted files)
    /// instead of `ENV`.
    SecretInEnv {
        id: "SW-IMG-021",
        name: "secret-in-image-env",
        title: "Secret in the image environment",
        area: Image,
        group: "secrets",
        severity: High,
        remediation: "Revoke the credential and inject it at run time instead of baking it into ENV.",
        refs: [Dockle("CIS-DI-0010"), Trivy("secret")],
        fire: [
            "config {\"Env\": [\"PATH=/usr/bin\", \"GITHUB_TOKEN=ghp_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u\"]}\nmeta ENV GITHUB_TOKEN=ghp_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u\n",
            "config {\"Env\": [\"DB_PASSWORD=Xk8vQ2mZp9LrT4wN7bYc\"]}\n",
        ],
        quiet: [
            "config {\"Env\": [\"PATH=/usr/local/bin:/usr/bin\", \"DB_PASSWORD_FILE=/run/secrets/db\"]}\n",
            "config {\"Env\": [\"API_TOKEN=changeme\"]}\n",
        ],
    }
}

/// `NAME=value` assignments with secrets in them: (name, masked value, severity, what).
pub(crate) fn secret_assignments(
    pairs: impl Iterator<Item = (String, String)>,
) -> Vec<(String, String, seaworthy_core::Severity, &'static str)> {
    let mut found = Vec::new();
    for (name, value) in pairs {
        if value.is_empty() {
            continue;
        }
        let text = format!("{name}={value}");
        if let Some(s) = seaworthy_secrets::scan_text(&text).into_iter().next() {
            found.push((name, s.masked, s.pattern.severity, s.pattern.title));
        } else if seaworthy_secrets::is_secret_name(&name)
            && !seaworthy_secrets::is_placeholder(&value)
            && seaworthy_secrets::looks_random(&value)
        {
            found.push((
                name,
                seaworthy_secrets::mask(&value),
                seaworthy_core::Severity::High,
                "secret-named variable",
            ));
        }
    }
    found
}

impl Check for SecretInEnv {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let pairs = image.run.env.iter().filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        });
        for (name, masked, severity, what) in secret_assignments(pairs) {
            out.push(Hit {
                message: format!("ENV {name} holds a secret ({what})"),
                step: image.step_with("ENV", &name),
                evidence: Some(format!("{name}={masked}")),
                severity: Some(severity),
                ..Hit::default()
            });
        }
    }
}
