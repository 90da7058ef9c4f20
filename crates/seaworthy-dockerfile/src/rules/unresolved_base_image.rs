use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags FROM lines whose image cannot be known from the Dockerfile: variables with no value,
    /// or a value that is not a valid image reference.
    ///
    /// A variable in FROM only sees ARGs declared before the first FROM (plus the automatic
    /// platform arguments such as `TARGETARCH`). The rule reports a variable that is never
    /// declared there (declared only inside a stage, or not at all), a variable declared without
    /// a default when the reference is invalid without it (`ARG BASE` + `FROM ${BASE}`), and
    /// references Docker refuses (upper-case repository, empty tag, malformed digest). Build
    /// arguments given to seaworthy count as values.
    ///
    /// ## Why
    /// When the base image is decided at build time, nobody reviewing the Dockerfile can tell
    /// what the image is built on, and no tool can check its tag, digest or registry. An ARG that
    /// was meant to be global but is declared after FROM expands to an empty string: the build
    /// fails, or silently uses another image than intended.
    ///
    /// ## Fix
    /// Declare the ARG before the first FROM, with a safe default:
    ///
    /// ```dockerfile
    /// # bad
    /// FROM ${BASE_IMAGE}
    /// ARG BASE_IMAGE=python:3.13-slim
    /// # good
    /// ARG BASE_IMAGE=python:3.13-slim
    /// FROM ${BASE_IMAGE}
    /// ```
    UnresolvedBaseImage {
        id: "SW-DF-004",
        name: "unresolved-base-image",
        title: "Base image cannot be resolved",
        area: Dockerfile,
        group: "trust",
        severity: Medium,
        remediation: "Declare the ARGs FROM uses before the first FROM with a default, and keep the reference valid.",
        refs: [BuildKit("UndefinedArgInFrom"), BuildKit("InvalidDefaultArgInFrom")],
        fire: [
            "FROM ${BASE_IMAGE}\nRUN true\n",
            "ARG BASE_IMAGE\nFROM $BASE_IMAGE AS app\n",
            "FROM alpine:3.20 AS build\nARG VERSION=3.13\nFROM python:${VERSION}-slim\n",
            "FROM Ubuntu:22.04\n",
            "ARG TAG\nFROM alpine:${TAG}\n",
        ],
        quiet: [
            "ARG BASE_IMAGE=python:3.13-slim\nFROM ${BASE_IMAGE}\n",
            "ARG VARIANT\nFROM node:22${VARIANT}\n",
            "FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.5 AS xx\nFROM golang:1.23-${TARGETOS}\n",
            "ARG REGISTRY=docker.io\nARG TAG=3.20\nFROM ${REGISTRY}/library/alpine:${TAG:-3.19}\n",
            "FROM localhost:5000/team/app:v1.2_rc-1@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a\n",
            "FROM scratch\n",
        ],
    }
}

impl Check for UnresolvedBaseImage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let first_from = cx.model.stages.first().map_or(0, |s| s.from);
        let declared = |instructions: Option<&[crate::parser::Instruction]>, name: &str| {
            instructions
                .unwrap_or(&[])
                .iter()
                .any(|ins| match &ins.kind {
                    Kind::Arg(decls) => decls.iter().any(|d| d.name == name),
                    _ => false,
                })
        };
        // BuildKit's platform ARGs are in the model's global args, so they never show up here.
        let declared_global = |name: &str| declared(cx.df.instructions.get(..first_from), name);
        let declared_in_stage = |name: &str| declared(cx.df.instructions.get(first_from..), name);
        for stage in &cx.model.stages {
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            let message = match &stage.base {
                Base::Unresolved { raw, missing } => {
                    let Some(first) = missing.first() else {
                        continue;
                    };
                    if let Some(m) = missing.iter().find(|m| !declared_global(m)) {
                        if declared_in_stage(m) {
                            format!(
                                "`{raw}`: `{m}` is declared inside a stage, but FROM only sees ARGs declared before the first FROM; it expands to nothing here"
                            )
                        } else {
                            format!(
                                "`{raw}`: `{m}` is not declared before the first FROM; the base image is whatever --build-arg says and cannot be verified"
                            )
                        }
                    } else {
                        // Declared without a default: BuildKit expands it to "" unless given.
                        let lookup = |n: &str| {
                            cx.model
                                .global_args
                                .get(n)
                                .cloned()
                                .or_else(|| declared_global(n).then(String::new))
                        };
                        let empty = cx.model.expand_with(raw, cx.df.escape(), &lookup).value;
                        let empty = empty.trim();
                        if empty.is_empty() {
                            format!(
                                "`{raw}`: `{first}` has no default, so the build fails unless --build-arg {first}=… names the image; the base cannot be verified"
                            )
                        } else if let Err(why) = validate_reference(empty) {
                            format!(
                                "`{raw}`: without --build-arg {first}=… it expands to `{empty}`, which is not a valid image reference ({why})"
                            )
                        } else {
                            continue;
                        }
                    }
                }
                Base::Invalid(value) => {
                    format!("`{value}` is not a valid image reference")
                }
                Base::Image { reference, .. } => match validate_reference(reference) {
                    Ok(()) => continue,
                    Err(why) => format!("`{reference}` is not a valid image reference: {why}"),
                },
                Base::Stage(_) | Base::Scratch => continue,
            };
            out.push(cx.hit_at(stage.from, from.image.range, message));
        }
    }
}

/// Checks `reference` against the grammar of distribution/reference (`[host[:port]/]path[:tag][@digest]`).
pub(crate) fn validate_reference(reference: &str) -> Result<(), String> {
    let (name_tag, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    if let Some(d) = digest {
        validate_digest(d)?;
    }
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag.get(last_slash..).and_then(|t| t.rfind(':')) {
        Some(i) => (
            name_tag.get(..last_slash + i).unwrap_or(""),
            name_tag.get(last_slash + i + 1..),
        ),
        None => (name_tag, None),
    };
    if let Some(tag) = tag {
        if tag.is_empty() {
            return Err("the tag after `:` is empty".into());
        }
        let ok = tag.len() <= 128
            && tag.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphanumeric() || c == '_' || (i > 0 && (c == '.' || c == '-'))
            });
        if !ok {
            return Err(format!(
                "tag `{tag}` may only hold letters, digits, `_`, `.` and `-` (not first), up to 128"
            ));
        }
    }
    if name.is_empty() {
        return Err("the repository name is empty".into());
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 {
        let first = parts.first().copied().unwrap_or("");
        if first.contains('.') || first.contains(':') || first == "localhost" {
            validate_host(first)?;
            parts.remove(0);
        }
    }
    for part in parts {
        validate_component(part)?;
    }
    Ok(())
}

fn validate_host(host: &str) -> Result<(), String> {
    let bad = || Err(format!("registry `{host}` is not a valid host[:port]"));
    let (h, port) = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal: `[::1]:5000`.
        let Some((ip, after)) = rest.split_once(']') else {
            return bad();
        };
        if ip.is_empty() || !ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return bad();
        }
        match after {
            "" => ("ip", None),
            a => match a.strip_prefix(':') {
                Some(p) => ("ip", Some(p)),
                None => return bad(),
            },
        }
    } else {
        match host.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host, None),
        }
    };
    let host_ok = !h.is_empty()
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if host_ok && port_ok { Ok(()) } else { bad() }
}

fn validate_component(part: &str) -> Result<(), String> {
    if part.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "`{part}` holds upper-case letters; repository names are lower-case"
        ));
    }
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    // Alphanumeric runs joined by one separator: `.`, `_`, `__` or a run of `-`.
    let ok = part.starts_with(alnum)
        && part.ends_with(alnum)
        && part
            .split(alnum)
            .filter(|s| !s.is_empty())
            .all(|sep| sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{part}` may only hold lower-case letters and digits separated by `.`, `_`, `__` or `-`"
        ))
    }
}

fn validate_digest(digest: &str) -> Result<(), String> {
    let Some((algo, hex)) = digest.split_once(':') else {
        return Err(format!("digest `{digest}` lacks an algorithm (sha256:…)"));
    };
    let algo_ok = !algo.is_empty()
        && algo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
    let hex_ok = match algo {
        "sha256" => {
            hex.len() == 64
                && hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        }
        "sha512" => {
            hex.len() == 128
                && hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        }
        _ => {
            hex.len() >= 32
                && hex
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "=_-".contains(c))
        }
    };
    if algo_ok && hex_ok {
        Ok(())
    } else {
        Err(format!("digest `{digest}` is malformed"))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_reference;

    #[test]
    fn references() {
        for ok in [
            "alpine",
            "alpine:3.20",
            "library/alpine:latest",
            "gcr.io/distroless/static-debian12:nonroot",
            "localhost:5000/a/b__c/d-e--f:1",
            "[::1]:5000/app:v1",
            "Registry.Example.COM/app:1",
        ] {
            assert!(validate_reference(ok).is_ok(), "{ok}");
        }
        for bad in [
            "Ubuntu:22.04",
            "alpine:",
            "alpine:-1",
            "a/-b",
            "app@sha256:abc",
            "my..app",
            "reg.io:x/app",
        ] {
            assert!(validate_reference(bad).is_err(), "{bad}");
        }
    }
}
