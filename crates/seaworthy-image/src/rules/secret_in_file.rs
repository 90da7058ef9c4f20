use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags credentials in the image's files: private keys, cloud keys, service tokens,
    /// registry and package-manager credential files (`.docker/config.json`, `.npmrc`, `.pypirc`,
    /// `.netrc`, `.git-credentials`), `.env` files and secret-named assignments with random
    /// values. Every layer is scanned: a file deleted by a later layer is still in the image.
    /// Values are never shown in full.
    ///
    /// ## Why
    /// Anyone who can pull the image can read every layer of it. A credential baked into an image
    /// is published to every registry, cache and laptop it reaches, and deleting it in a later
    /// step does not remove it from the earlier layer.
    ///
    /// ## Fix
    /// Revoke the credential first. Then pass secrets at build time with `RUN --mount=type=secret`
    /// and at run time through the orchestrator's secret store, and keep them out of the build
    /// context with `.dockerignore`.
    SecretInFile {
        id: "SW-IMG-020",
        name: "secret-in-image-file",
        title: "Secret in an image file",
        area: Image,
        group: "secrets",
        severity: High,
        remediation: "Revoke the credential, remove it from every layer (rebuild), and use build secrets (RUN --mount=type=secret) or runtime secrets instead.",
        refs: [Trivy("secret"), Dockle("CIS-DI-0010")],
        fire: [
            "step COPY . /app # buildkit\nfile app/.env 644 DATABASE_PASSWORD=Xk8vQ2mZp9LrT4wN7bYc\\n\n",
            "step COPY id_ed25519 /root/.ssh/ # buildkit\nfile root/.ssh/id_ed25519 600 -----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\nQyNTUxOQAAACD3Y2hhbmdlLW1lLW5vdC1hLXJlYWwta2V5LWZvci10ZXN0cwAAAJgAAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n\nstep RUN rm /root/.ssh/id_ed25519\n",
        ],
        quiet: [
            "file app/.env 644 DATABASE_PASSWORD=${DATABASE_PASSWORD}\\n\n",
            "file etc/ssh/ssh_host_ed25519_key.pub 644 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0 root@host\\n\n",
        ],
    }
}

impl Check for SecretInFile {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for found in image.fs.secrets() {
            let current = image.fs.node(&found.path).map(|n| n.layer);
            let gone = current != Some(found.layer);
            for s in &found.secrets {
                let mut message =
                    format!("{} in /{} (line {})", s.pattern.title, found.path, s.line);
                if gone {
                    message.push_str(&format!(
                        "; a later layer removed or replaced the file, but layer {} still holds it",
                        found.layer
                    ));
                }
                out.push(Hit {
                    message,
                    path: Some(found.path.clone()),
                    layer: Some(found.layer),
                    evidence: Some(s.masked.clone()),
                    severity: Some(s.pattern.severity),
                    ..Hit::default()
                });
            }
        }
    }
}
