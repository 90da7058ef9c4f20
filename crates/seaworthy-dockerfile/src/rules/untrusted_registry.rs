use crate::context::{Context, Hit};
use crate::image_ref::is_trusted;
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags base images pulled from a registry that is not in the trusted list.
    ///
    /// The list is `trusted-registries` in `seaworthy.toml` (or hadolint's `trustedRegistries`).
    /// Entries are registries (`docker.io`, `*.gcr.io`) or registry/repository prefixes with
    /// wildcards (`docker.io/library/*`). With no list configured the rule stays silent.
    ///
    /// ## Why
    /// The base image is code you run with full trust. Pinning where it may come from stops a
    /// typo-squatted or attacker-controlled registry from entering the supply chain.
    ///
    /// ## Fix
    /// Pull the base from a trusted registry (mirror it there first), or add the registry to the
    /// list after review.
    UntrustedRegistry {
        id: "SW-DF-001",
        name: "untrusted-registry",
        title: "Base image from an untrusted registry",
        area: Dockerfile,
        group: "trust",
        severity: High,
        remediation: "Use a base image from a trusted registry, or review and add this registry to trusted-registries.",
        refs: [Hadolint("DL3026"), Cis("4.2")],
        fire: ["FROM evil.example.com/alpine:3.20\n", "ARG REG=quay.io\nFROM ${REG}/app/base:1\n"],
        quiet: [
            "FROM alpine:3.20\n",
            "FROM docker.io/library/alpine:3.20 AS base\nFROM base\n",
            "FROM scratch\n",
        ],
    }
}

impl Check for UntrustedRegistry {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let trusted = &cx.config.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        for stage in &cx.model.stages {
            let Base::Image { image, reference } = &stage.base else {
                continue;
            };
            if is_trusted(trusted, image) {
                continue;
            }
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            let source = cx
                .config
                .trusted_source
                .as_deref()
                .unwrap_or("the configuration");
            out.push(cx.hit_at(
                stage.from,
                from.image.range,
                format!(
                    "`{reference}` comes from registry `{}`, which is not trusted by {source}",
                    image.registry
                ),
            ));
        }
    }
}
