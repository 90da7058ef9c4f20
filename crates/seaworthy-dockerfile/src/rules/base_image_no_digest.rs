use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags base images referenced by tag only, without an `@sha256:` digest.
    ///
    /// Every stage counts, builders included: what a builder stage compiles ends up in the image.
    /// Stages built on earlier stages and `scratch` are quiet. Images with no tag or `:latest`
    /// are reported by SW-DF-002 instead, so one FROM does not get two findings.
    ///
    /// ## Why
    /// A tag is a mutable pointer: the publisher (or anyone who takes over the repository or the
    /// registry account) can point `3.20` at different content. A digest names exactly the bytes
    /// that were reviewed, makes builds reproducible and lets scanners and provenance tools tell
    /// which base was used. Keep the tag next to it for readers and update tools.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM python:3.13-slim
    /// # good
    /// FROM python:3.13-slim@sha256:<digest>
    /// ```
    /// `docker buildx imagetools inspect python:3.13-slim` prints the digest; Renovate and
    /// Dependabot keep pinned digests up to date.
    BaseImageNoDigest {
        id: "SW-DF-003",
        name: "base-image-no-digest",
        title: "Base image not pinned by digest",
        area: Dockerfile,
        group: "trust",
        severity: Info,
        remediation: "Pin the base image by digest (image:tag@sha256:…) and let an update bot refresh it.",
        refs: [Cis("4.2")],
        fire: [
            "FROM python:3.13-slim\nRUN pip install flask\n",
            "ARG GO=1.23\nFROM --platform=$BUILDPLATFORM golang:${GO} as build\nFROM gcr.io/distroless/static@sha256:3f2b64ef97bd285e36132c684e6b2ae8f2723293d09aae046196cca64251acac\nCOPY --from=build /app /app\n",
        ],
        quiet: [
            "FROM python:3.13-slim@sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c\n",
            "FROM scratch\nCOPY app /app\n",
            "FROM alpine:3.20@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a AS base\nFROM base\n",
            "FROM ubuntu\n",
        ],
    }
}

impl Check for BaseImageNoDigest {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in &cx.model.stages {
            let Base::Image { reference, image } = &stage.base else {
                continue;
            };
            if image.digest.is_some() || matches!(image.tag.as_deref(), None | Some("latest")) {
                continue;
            }
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            out.push(cx.hit_at(
                stage.from,
                from.image.range,
                format!(
                    "`{reference}` is pinned by tag only; the tag can be moved to other content"
                ),
            ));
        }
    }
}
