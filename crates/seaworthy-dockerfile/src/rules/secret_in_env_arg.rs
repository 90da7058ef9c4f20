use crate::context::{Context, Hit};
use crate::parser::{Kind, TextRange};
use crate::rules::Check;
use crate::rules::secret_util::{find_known, is_placeholder, is_secret_name, looks_random, mask};

seaworthy_core::declare_rule! {
    /// Flags secrets written into ENV or ARG: a variable whose name says it holds a secret
    /// (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*`, `*ACCESS_KEY*`…) given
    /// a literal value, and any ENV/ARG value that looks like a random credential (20+
    /// characters of mixed-case letters and digits with high Shannon entropy) whatever its
    /// name. Values that are variable references, file paths (`/run/secrets/…`) or obvious
    /// placeholders (`changeme`, `xxxx`, `<token>`, all zeros) are not reported, nor are names
    /// that describe a secret rather than hold it (`PASSWORD_FILE`, `TOKEN_URL`). Credentials
    /// in a known format (AWS, GitHub, Slack…) are SW-DF-068. The value is never shown in full.
    ///
    /// ## Why
    /// ENV values are stored in the image configuration and ARG values in its history: anyone
    /// who can pull the image reads them with `docker inspect` or `docker history`, and they
    /// stay in every image built on top of it.
    ///
    /// ## Fix
    /// Pass build-time secrets as BuildKit secrets and run-time secrets through the
    /// orchestrator (files under `/run/secrets`, environment set at `docker run`).
    /// ```dockerfile
    /// # bad
    /// ENV DB_PASSWORD=s3cr3t-Pa55
    /// # good
    /// ENV DB_PASSWORD_FILE=/run/secrets/db_password
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ```
    SecretInEnvArg {
        id: "SW-DF-065",
        name: "secret-in-env-arg",
        title: "Secret in ENV or ARG",
        area: Dockerfile,
        group: "secrets",
        severity: High,
        remediation: "Remove the value: use RUN --mount=type=secret for build secrets and inject run-time secrets when the container starts; rotate the exposed secret.",
        refs: [Trivy("DS-0031"), Dockle("CIS-DI-0010"), Cis("4.10"), BuildKit("SecretsUsedInArgOrEnv")],
        fire: [
            "FROM postgres:16\nENV POSTGRES_USER=app \\\n    POSTGRES_PASSWORD=s3cr3t-Pa55\n",
            "FROM node:20\nARG NPM_TOKEN=\"npm-Zq8Lp2Vx9Rt4Nw7Ks3Bd\"\nRUN npm ci\n",
            "FROM alpine:3.20\nENV MAIL_PASS admin\n",
            "FROM alpine:3.20\nENV SESSION_SIGNING=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzX9q2Lm4Tb\n",
        ],
        quiet: [
            "FROM postgres:16\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pg\nARG DB_PASSWORD\nENV DB_PASSWORD=$DB_PASSWORD\n",
            "FROM alpine:3.20\nENV TOKEN=00000000-0000-0000-0000-000000000000 PASSWORD=\"\" API_KEY=changeme\n",
            "FROM php:8.3\nENV PHP_SHA256=349699e0cfaf235669cdb72528982e6519c6ebd109b3c4bc31d1847ca1520d0b GPG_KEYS=39B641343D8C104B2B146DC3F9C39DC0B9698544\n",
            "FROM alpine:3.20\nENV KEEPASSXC_VERSION=2.7.9 TOKEN_URL=https://auth.example.com/token\n",
        ],
    }
}

/// A literal ENV/ARG value: what was written, with no variable reference in it.
fn literal(value: &str) -> Option<&str> {
    let v = value.trim();
    (!v.is_empty() && !v.contains('$')).then_some(v)
}

/// Names that describe checksums, keys' fingerprints or versions: high entropy by nature.
fn entropy_exempt(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "sha",
        "md5",
        "hash",
        "checksum",
        "digest",
        "gpg",
        "pgp",
        "fingerprint",
        "version",
        "commit",
        "rev",
        "ref",
        "build",
        "url",
        "path",
        "file",
        "dir",
        "id",
        "uuid",
        "image",
        "tag",
        "salt",
        "nonce",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Why a name/value pair is a secret, or `None`.
fn judge(name: &str, value: &str) -> Option<String> {
    let v = literal(value)?;
    if !find_known(v).is_empty() {
        return None;
    }
    if is_secret_name(name) && !is_placeholder(v) {
        return Some(format!("`{name}` is set to a literal secret ({})", mask(v)));
    }
    if !entropy_exempt(name) && looks_random(v) {
        return Some(format!(
            "`{name}` holds a random-looking value that may be a credential ({})",
            mask(v)
        ));
    }
    None
}

impl Check for SecretInEnvArg {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let items: Vec<(String, String, TextRange, &str)> = match &ins.kind {
                Kind::Env { pairs, .. } => pairs
                    .iter()
                    .map(|p| (p.key.clone(), p.value.clone(), p.range, "ENV"))
                    .collect(),
                Kind::Arg(decls) => decls
                    .iter()
                    .filter_map(|d| {
                        d.default
                            .as_ref()
                            .map(|v| (d.name.clone(), v.clone(), d.range, "ARG"))
                    })
                    .collect(),
                _ => continue,
            };
            for (name, value, range, kw) in items {
                if let Some(message) = judge(&name, &value) {
                    let shown = literal(&value).map(mask).unwrap_or_default();
                    out.push(Hit {
                        instr: i,
                        range,
                        message: format!("{kw} {message}"),
                        evidence: Some(format!("{kw} {name}={shown}")),
                    });
                }
            }
        }
    }
}
