use crate::Hit;
use crate::rules::Check;
use crate::rules::secret_in_env::secret_assignments;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags credentials in the image's labels: values of a known credential format and
    /// secret-named labels holding random values.
    ///
    /// ## Why
    /// Labels are public metadata: registries, `docker inspect` and every inventory tool show them.
    ///
    /// ## Fix
    /// Revoke the credential and remove the label.
    SecretInLabel {
        id: "SW-IMG-023",
        name: "secret-in-image-label",
        title: "Secret in an image label",
        area: Image,
        group: "secrets",
        severity: High,
        remediation: "Revoke the credential and remove it from the labels.",
        refs: [Trivy("secret")],
        fire: [
            "config {\"Labels\": {\"deploy.token\": \"glpat-Xk8vQ2mZp9LrT4wN7bYc\"}}\n",
        ],
        quiet: [
            "config {\"Labels\": {\"org.opencontainers.image.source\": \"https://github.com/example/app\"}}\n",
        ],
    }
}

impl Check for SecretInLabel {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let pairs = image.run.labels.iter().map(|(k, v)| (k.clone(), v.clone()));
        for (name, masked, severity, what) in secret_assignments(pairs) {
            out.push(Hit {
                message: format!("label {name} holds a secret ({what})"),
                step: image.step_with("LABEL", &name),
                evidence: Some(format!("{name}={masked}")),
                severity: Some(severity),
                ..Hit::default()
            });
        }
    }
}
