use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::secret_util::is_secret_name;

seaworthy_core::declare_rule! {
    /// Flags secrets passed as build arguments: an ARG with a secret-like name and no default
    /// (`ARG NPM_TOKEN`), meant for `--build-arg NPM_TOKEN=…`, and an ENV that copies a
    /// variable into a secret-like name (`ENV DB_PASSWORD=$DB_PASSWORD`), which bakes the value
    /// into the image. Literal values are SW-DF-065.
    ///
    /// ## Why
    /// Build arguments are recorded in the image history of every RUN that runs after them
    /// (`docker history --no-trunc` shows them), and an ENV copy puts the value in the image
    /// configuration for anyone who can pull the image.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci
    /// # good
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci && rm .npmrc
    /// ```
    /// Build with `docker build --secret id=npm_token,env=NPM_TOKEN .`.
    SecretBuildArg {
        id: "SW-DF-069",
        name: "secret-build-arg",
        title: "Secret passed as a build argument",
        area: Dockerfile,
        group: "secrets",
        severity: Low,
        remediation: "Use RUN --mount=type=secret (docker build --secret) instead of ARG for secrets, and do not copy them into ENV.",
        refs: [Trivy("DS-0031"), BuildKit("SecretsUsedInArgOrEnv")],
        fire: [
            "FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n",
            "FROM python:3.12\nARG PIP_INDEX_PASSWORD=\"\"\nARG DB_PASSWORD\nENV DB_PASSWORD=${DB_PASSWORD}\n",
        ],
        quiet: [
            "FROM node:20\nARG NODE_VERSION\nARG TOKEN_URL\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n",
            "FROM alpine:3.20\nARG GPG_KEY\nENV PASSWORD_FILE=$SECRETS_DIR/pw\n",
        ],
    }
}

impl Check for SecretBuildArg {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            match &ins.kind {
                Kind::Arg(decls) => {
                    for d in decls {
                        let empty = d.default.as_deref().is_none_or(|v| v.trim().is_empty());
                        if empty && is_secret_name(&d.name) {
                            out.push(cx.hit_at(
                                i,
                                d.range,
                                format!(
                                    "ARG `{}` takes a secret as a build argument, which the \
                                     image history records",
                                    d.name
                                ),
                            ));
                        }
                    }
                }
                Kind::Env { pairs, .. } => {
                    for p in pairs {
                        if p.value.contains('$') && is_secret_name(&p.key) {
                            out.push(cx.hit_at(
                                i,
                                p.range,
                                format!(
                                    "ENV `{}` copies a variable into the image configuration, \
                                     where `docker inspect` shows it",
                                    p.key
                                ),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
