use crate::context::{Context, Hit};
use crate::parser::{Kind, TextRange, Word};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags COPY/ADD of files that hold credentials: SSH keys (`.ssh/`, `id_rsa`,
    /// `id_ed25519`…), private keys and keystores (`*.key`, `*key*.pem`, `*.p12`, `*.pfx`),
    /// `.env` files, package-manager and tool credentials (`.npmrc`, `.pypirc`, `.netrc`,
    /// `.git-credentials`, `.aws/credentials`, `.docker/config.json`, `.kube/config`), GnuPG
    /// homes, and the `.git` directory of the image that ships. Sources, destinations
    /// (`COPY deploy_key /root/.ssh/id_rsa`) and `COPY --from=builder` all count. Public keys,
    /// certificates (`ca.pem`, `cert.pem`) and `.env.example` files are fine.
    ///
    /// ## Why
    /// A copied file stays in its layer even if a later RUN deletes it, so anyone who can pull
    /// the image (or read the build cache) gets the credential. `.git` carries the whole
    /// history, including secrets removed from the working tree long ago.
    ///
    /// ## Fix
    /// Mount credentials only for the step that needs them, and keep them out of the build
    /// context with `.dockerignore`.
    /// ```dockerfile
    /// # bad
    /// COPY .npmrc /app/
    /// RUN npm ci
    /// # good
    /// RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci
    /// ```
    SensitiveFileCopy {
        id: "SW-DF-066",
        name: "sensitive-file-copied",
        title: "Credential file copied into the image",
        area: Dockerfile,
        group: "secrets",
        severity: High,
        remediation: "Use RUN --mount=type=secret (or --mount=type=ssh) for the step that needs the credential, and list the file in .dockerignore.",
        refs: [Trivy("DS-0031"), Dockle("CIS-DI-0010"), Cis("4.10")],
        fire: [
            "FROM node:20\nWORKDIR /app\nCOPY package.json .npmrc ./\nRUN npm ci\n",
            "FROM golang:1.22 AS build\nCOPY id_ed25519 /root/.ssh/\nRUN go mod download\nFROM debian:12\nCOPY --from=build /root/.ssh /root/.ssh\n",
            "FROM debian:12\nCOPY [\"deploy key\", \"/root/.ssh/id_rsa\"]\nADD certs/server.key .env /etc/app/\n",
        ],
        quiet: [
            "FROM nginx:1.27\nCOPY certs/ca.pem certs/fullchain.pem /etc/nginx/certs/\nCOPY id_rsa.pub /root/.ssh/authorized_keys\n",
            "FROM node:20\nCOPY .env.example /app/.env.example\nCOPY src/ /app/src/\n",
            "FROM golang:1.22 AS build\nCOPY .git .git\nRUN git describe > /version\nFROM debian:12\nCOPY --from=build /version /version\n",
        ],
    }
}

/// What kind of credential a path points at, or `None`.
fn sensitive(path: &str, shipped: bool) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.last().copied().unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let parent = parts
        .len()
        .checked_sub(2)
        .and_then(|i| parts.get(i))
        .copied()
        .unwrap_or_default();
    if lower.ends_with(".pub") {
        return None;
    }
    if parts.contains(&".ssh") {
        let public = matches!(
            lower.as_str(),
            "known_hosts" | "authorized_keys" | "config" | "authorized_keys2"
        );
        return (!public).then_some("SSH keys");
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
    ) {
        return Some("an SSH private key");
    }
    if lower.ends_with(".key")
        || lower.ends_with(".p12")
        || lower.ends_with(".pfx")
        || (lower.ends_with(".pem") && (lower.contains("key") || lower.contains("priv")))
    {
        return Some("a private key");
    }
    if lower == ".env" || lower.starts_with(".env.") {
        let template = [
            ".example",
            ".sample",
            ".template",
            ".dist",
            ".defaults",
            ".tpl",
        ]
        .iter()
        .any(|s| lower.ends_with(s));
        return (!template).then_some("an environment file with secrets");
    }
    match lower.as_str() {
        ".npmrc" => return Some("npm credentials"),
        ".pypirc" => return Some("PyPI credentials"),
        ".netrc" | "_netrc" => return Some("netrc credentials"),
        ".git-credentials" => return Some("git credentials"),
        ".gnupg" | "secring.gpg" => return Some("GnuPG private keys"),
        ".aws" => return Some("AWS credentials"),
        ".kube" => return Some("Kubernetes credentials"),
        _ => {}
    }
    match (parent, lower.as_str()) {
        (".aws", "credentials" | "config") => return Some("AWS credentials"),
        (".docker", "config.json") => return Some("Docker registry credentials"),
        (".kube", "config") => return Some("Kubernetes credentials"),
        _ => {}
    }
    if shipped && parts.contains(&".git") {
        return Some("the git repository with its whole history");
    }
    None
}

/// The range of one element of a JSON-form COPY (all elements share the array's range).
fn element_range(cx: &Context<'_>, word: &Word, json: bool) -> TextRange {
    if !json {
        return word.range;
    }
    let text = cx.df.slice(word.range);
    let quoted = format!("\"{}\"", word.raw);
    match text.find(&quoted) {
        Some(at) => TextRange::new(
            word.range.start as usize + at,
            word.range.start as usize + at + quoted.len(),
        ),
        None => word.range,
    }
}

impl Check for SensitiveFileCopy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let (Kind::Copy(args) | Kind::Add(args)) = &ins.kind else {
                continue;
            };
            let kw = ins.keyword.as_str();
            let shipped = cx.is_in_target_chain(i);
            let from = ins
                .flag_value("from")
                .map(|f| format!(" from `{f}`"))
                .unwrap_or_default();
            let dest = cx.expand(i, &args.dest.raw);
            let mut reported = false;
            for src in &args.sources {
                if src.value.contains("://") || src.value.starts_with("<<") {
                    continue;
                }
                let value = cx.expand(i, &src.raw);
                if let Some(what) = sensitive(&value, shipped) {
                    reported = true;
                    out.push(cx.hit_at(
                        i,
                        element_range(cx, src, args.json),
                        format!("{kw} of `{value}`{from} puts {what} into an image layer"),
                    ));
                }
            }
            if reported {
                continue;
            }
            // A destination that names a credential file: `COPY deploy_key /root/.ssh/id_rsa`.
            let into_dir = dest.ends_with('/');
            let dest_hit = if into_dir {
                dest.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .is_some_and(|d| d == ".ssh")
                    && args.sources.iter().any(|s| {
                        let n = s.value.rsplit('/').next().unwrap_or_default();
                        !n.ends_with(".pub")
                            && !matches!(n, "known_hosts" | "authorized_keys" | "config")
                    })
            } else {
                sensitive(&dest, false).is_some()
            };
            if dest_hit {
                let what = if into_dir {
                    "SSH keys"
                } else {
                    sensitive(&dest, false).unwrap_or("credentials")
                };
                out.push(cx.hit_at(
                    i,
                    element_range(cx, &args.dest, args.json),
                    format!("{kw} to `{dest}`{from} puts {what} into an image layer"),
                ));
            }
        }
    }
}
