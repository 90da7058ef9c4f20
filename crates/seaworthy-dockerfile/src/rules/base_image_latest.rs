use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags base images without a tag (which means `:latest`) or with the `:latest` tag, and no
    /// digest.
    ///
    /// Build arguments are applied first: `ARG TAG=latest` + `FROM alpine:${TAG}` is reported, a
    /// FROM naming an earlier stage, `scratch` or a digest-pinned image is not. FROM lines whose
    /// variables have no value are left to SW-DF-004.
    ///
    /// ## Why
    /// `latest` moves. The same Dockerfile builds a different image next week: a new major
    /// version, different packages and users, new vulnerabilities, and no record of what the
    /// previous build was based on.
    ///
    /// ## Fix
    /// Name the release you tested (and pin its digest for reproducible builds, SW-DF-003).
    ///
    /// ```dockerfile
    /// # bad
    /// FROM node
    /// FROM python:latest
    /// # good
    /// FROM node:22.11-bookworm-slim
    /// FROM python:3.13-slim@sha256:<digest>
    /// ```
    BaseImageLatest {
        id: "SW-DF-002",
        name: "base-image-latest",
        title: "Base image without a version tag (or :latest)",
        area: Dockerfile,
        group: "trust",
        severity: Medium,
        remediation: "Pin the base image to a release tag (and ideally a digest) instead of latest.",
        refs: [
            Hadolint("DL3006"),
            Hadolint("DL3007"),
            Trivy("DS-0001"),
            Dockle("DKL-DI-0006"),
        ],
        fire: [
            "FROM ubuntu\nRUN true\n",
            "from python:latest as build\nFROM gcr.io/distroless/python3:nonroot\nCOPY --from=build /app /app\n",
            "ARG TAG=latest\nFROM --platform=$BUILDPLATFORM alpine:${TAG}\n",
            "ARG BASE=localhost:5000/team/app\nFROM ${BASE}\n",
        ],
        quiet: [
            "FROM alpine:3.20\n",
            "FROM golang:1.23 AS build\nFROM build AS test\nFROM scratch\nCOPY --from=build /app /app\n",
            "FROM alpine@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\n",
            "FROM alpine:latest@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\n",
            "ARG VERSION=3.13\nFROM python:${VERSION}-slim\n",
            "FROM localhost:5000/app:1.2\n",
            "FROM ${UNSET_BASE}\n",
        ],
    }
}

impl Check for BaseImageLatest {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in &cx.model.stages {
            let Base::Image { reference, image } = &stage.base else {
                continue;
            };
            if image.digest.is_some() {
                continue;
            }
            let problem = match image.tag.as_deref() {
                None => "has no tag, so it means `latest`",
                Some("latest") => "uses the moving `latest` tag",
                Some(_) => continue,
            };
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            let message = if from.image.raw.contains('$') {
                format!(
                    "`{}` resolves to `{reference}`, which {problem}; pin a release tag",
                    from.image.raw
                )
            } else {
                format!("base image `{reference}` {problem}; pin a release tag")
            };
            out.push(cx.hit_at(stage.from, from.image.range, message));
        }
    }
}
