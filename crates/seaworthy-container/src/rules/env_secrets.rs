use seaworthy_core::Severity;

use crate::rules::{Check, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, EnvVar, Subject};

seaworthy_core::declare_rule! {
    /// Flags secrets written in plain text into a container's environment: compose
    /// `environment:` (mapping and list forms), `docker run -e/--env NAME=VALUE`, and a running
    /// container's `Config.Env`. Each `NAME=VALUE` goes through the secret patterns the image's
    /// `ENV` is checked with (AWS, GitHub, Slack… keys and tokens, private keys, passwords in
    /// URLs), and a variable whose name says it holds a secret (`*_PASSWORD`, `*_TOKEN`,
    /// `API_KEY`…) is reported when its value is a literal that is not a placeholder
    /// (`changeme`, `example`, empty, a `/run/secrets/…` path). Values taken from elsewhere are
    /// not: `${DB_PASSWORD}` (interpolated when the service starts), `-e NAME` (the caller's
    /// value). `env_file:` and `--env-file` are not read. Values are shown masked, never in
    /// full.
    ///
    /// ## Why
    /// A compose file and a command line are checked in, pasted and logged (shell history, CI
    /// logs, `ps`); a container's environment is shown to anyone who can `docker inspect` it and
    /// is inherited by every process in it, including crash reporters and debug endpoints.
    ///
    /// ## Fix
    /// Rotate the exposed credential. Give it to the container as a file (compose `secrets:`,
    /// read from `/run/secrets/NAME`, with `NAME_FILE` variables where the image supports
    /// them), or at least keep the value out of the file: `${DB_PASSWORD}` from an untracked
    /// `.env`, `docker run -e DB_PASSWORD` from the caller's environment.
    ///
    /// ## Example
    /// Bad: `docker run -e DB_PASSWORD=hunter2-prod app`; compose
    /// `services: {app: {environment: {DB_PASSWORD: hunter2-prod}}}`.
    /// Good: `docker run -e DB_PASSWORD app`; compose
    /// `services: {app: {environment: {DB_PASSWORD_FILE: /run/secrets/db}, secrets: [db]}}`.
    EnvSecrets {
        id: "SW-CTR-SECRET-001",
        name: "container-env-secret",
        title: "Secret in the container environment",
        area: Container,
        group: "secrets",
        severity: High,
        remediation: "Rotate the credential and pass it as a file (compose `secrets:`, read from /run/secrets) or from outside the file: compose `${VAR}` from an untracked .env, `docker run -e NAME` without a value.",
        refs: [Dockle("CIS-DI-0010")],
        fire: [
            "docker run -e AWS_ACCESS_KEY_ID=AKIAZ7QWERTYUIOPASDF alpine",
            "docker run --env=DB_PASSWORD=hunter2-prod alpine",
            "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: s3cr3t-Pa55\n",
            "services:\n  app:\n    image: app\n    environment:\n      - LOG_LEVEL=info\n      - GITHUB_TOKEN=ghp_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u\n",
        ],
        quiet: [
            "docker run -e DB_PASSWORD -e API_TOKEN=$API_TOKEN -e MYSQL_ALLOW_EMPTY_PASSWORD=yes alpine",
            "docker run -e AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE alpine",
            "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n      API_KEY: changeme\n      TOKEN:\n",
            "services:\n  app:\n    image: app\n    environment:\n      - SECRET_KEY=${SECRET_KEY:?set it}\n      - PHP_SHA256=349699e0cfaf235669cdb72528982e6519c6ebd109b3c4bc31d1847ca1520d0b\n",
        ],
        extra: Setting {
            inspect: "Config.Env",
            compose: "environment",
            flag: "--env",
        },
    }
}

/// A secret found in one variable: its value masked, how bad, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvSecret {
    pub masked: String,
    pub severity: Severity,
    pub what: &'static str,
}

/// Whether `NAME=value` holds a secret: a credential the secret patterns know (as for an
/// image's `ENV`), or a literal, non-placeholder value of a secret-named variable.
pub(crate) fn judge(name: &str, value: &str) -> Option<EnvSecret> {
    if value.trim().is_empty() {
        return None;
    }
    if let Some(s) = seaworthy_secrets::scan_text(&format!("{name}={value}"))
        .into_iter()
        .next()
    {
        return Some(EnvSecret {
            masked: s.masked,
            severity: s.pattern.severity,
            what: s.pattern.title,
        });
    }
    (seaworthy_secrets::is_secret_name(name) && !seaworthy_secrets::is_placeholder(value)).then(
        || EnvSecret {
            masked: seaworthy_secrets::mask(value),
            severity: Severity::High,
            what: "secret-named variable",
        },
    )
}

/// The variables of a container written with a secret value, and what was found.
pub(crate) fn secrets(spec: &ContainerSpec) -> impl Iterator<Item = (&EnvVar, EnvSecret)> {
    spec.env.iter().filter_map(|var| {
        let value = var.value.as_deref()?;
        judge(&var.name, value).map(|s| (var, s))
    })
}

impl Check for EnvSecrets {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let found: Vec<_> = secrets(spec).collect();
        if found.is_empty() {
            return Verdict::pass(format!(
                "no secret among {} environment variable(s)",
                spec.env.len()
            ));
        }
        let mut verdict = Verdict::warn(match found.as_slice() {
            [(var, s)] => format!("`{}` holds a secret in plain text ({})", var.name, s.what),
            many => format!(
                "{} environment variables hold secrets in plain text: {}",
                many.len(),
                many.iter()
                    .map(|(var, s)| format!("`{}` ({})", var.name, s.what))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        let worst = found.iter().map(|(_, s)| s.severity).max();
        for (var, s) in &found {
            // Compose evidence reads `services.app.environment.NAME: masked`; the others need the name.
            let shown = match spec.subject {
                Subject::Compose { .. } => s.masked.clone(),
                _ => format!("{}={}", var.name, s.masked),
            };
            verdict = verdict.field(&var.at, shown);
        }
        match worst {
            Some(severity) => verdict.severity(severity),
            None => verdict,
        }
    }
}
