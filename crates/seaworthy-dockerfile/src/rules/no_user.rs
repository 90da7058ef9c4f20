use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags an image that ships without any USER: neither the target stage nor the stages it
    /// builds on set one, so the container runs as the base image's user, which is root for
    /// almost every base (scratch and distroless included). Bases whose tag says they are
    /// non-root (`…:nonroot`, `…-nonroot`, `…rootless…`) and Windows Nano Server are exempt;
    /// build stages are never judged.
    ///
    /// ## Why
    /// A process that runs as root in the container is root on the host's kernel: any escape is
    /// a full host compromise, and inside the container it can rewrite every file of the image.
    /// Images that drop privileges in their entrypoint (`gosu`, `su-exec`) still start as root
    /// and run the entrypoint as root; say so with a waiver if that is the design.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM python:3.12-slim
    /// COPY app /app
    /// CMD ["python", "/app/main.py"]
    /// # good
    /// FROM python:3.12-slim
    /// RUN useradd --system --uid 10001 app
    /// COPY app /app
    /// USER 10001
    /// CMD ["python", "/app/main.py"]
    /// ```
    NoUser {
        id: "SW-DF-062",
        name: "no-user",
        title: "Image runs as root (no USER)",
        area: Dockerfile,
        group: "user",
        severity: Medium,
        remediation: "Create an unprivileged user and end the shipped stage with USER <name or UID>.",
        refs: [Trivy("DS-0002"), Dockle("CIS-DI-0001"), Cis("4.1")],
        fire: [
            "FROM python:3.12-slim\nCOPY app /app\nCMD [\"python\", \"/app/main.py\"]\n",
            "FROM golang:1.22 AS build\nUSER 1000\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY app.exe C:/app/\nCMD [\"C:/app/app.exe\"]\n",
        ],
        quiet: [
            "FROM debian:12 AS base\nUSER 10001\nFROM base\nCMD [\"app\"]\n",
            "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
            "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app\nUSER 65534:65534\n",
        ],
    }
}

fn nonroot_base(reference: &str) -> bool {
    let r = reference.to_ascii_lowercase();
    r.contains(":nonroot")
        || r.contains("-nonroot")
        || r.contains("rootless")
        || r.contains("/nanoserver")
}

/// Windows Server Core and full Windows bases, which run as ContainerAdministrator.
fn windows_admin_base(reference: &str) -> bool {
    let r = reference.to_ascii_lowercase();
    r.contains("/windows/") || r.contains("windowsservercore") || r.contains("/windows:")
}

impl Check for NoUser {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        if cx.last_in_shipped(|k| matches!(k, Kind::User(_))).is_some() {
            return;
        }
        let chain = cx.shipped_stages();
        let (Some(&target), Some(&root)) = (chain.first(), chain.last()) else {
            return;
        };
        let (Some(target), Some(root)) = (cx.model.stages.get(target), cx.model.stages.get(root))
        else {
            return;
        };
        let default_user = match &root.base {
            Base::Image { reference, .. } if windows_admin_base(reference) => {
                "ContainerAdministrator"
            }
            _ => "normally root",
        };
        let base = match &root.base {
            Base::Image { reference, .. } if nonroot_base(reference) => return,
            Base::Image { reference, .. } => format!("`{reference}`"),
            Base::Scratch => "`scratch`".to_string(),
            Base::Unresolved { raw, .. } | Base::Invalid(raw) => format!("`{raw}`"),
            Base::Stage(_) => "its base".to_string(),
        };
        let Kind::From(from) = &cx.instruction(target.from).kind else {
            return;
        };
        let stage = target
            .name
            .as_deref()
            .map(|n| format!("stage `{n}`"))
            .unwrap_or_else(|| "the image".to_string());
        out.push(cx.hit_at(
            target.from,
            from.image.range,
            format!(
                "{stage} ships without a USER, so it runs as {base}'s default user, {default_user}"
            ),
        ));
    }
}
