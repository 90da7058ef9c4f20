use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags stage names BuildKit refuses (they must start with a letter and hold only letters,
    /// digits, `-`, `_` and `.`) and the reserved names `scratch` and `context`.
    ///
    /// ## Why
    /// An invalid name stops the build ("invalid name for build stage"). A stage called
    /// `scratch` or `context` collides with names BuildKit gives a meaning of its own (the
    /// empty image, a named build context), so `FROM scratch` or `--build-context` no longer
    /// mean what they say.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM golang:1.23 AS 1-build
    /// FROM alpine:3.20 AS scratch
    /// # good
    /// FROM golang:1.23 AS build-1
    /// FROM alpine:3.20 AS base
    /// ```
    InvalidStageName {
        id: "SW-DF-086",
        name: "invalid-stage-name",
        title: "Invalid or reserved stage name",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Name stages with a letter first and only letters, digits, -, _ and .; avoid scratch and context.",
        refs: [BuildKit("ReservedStageName")],
        fire: [
            "FROM golang:1.23 AS 1-build\nFROM alpine:3.20\n",
            "FROM alpine:3.20 as Scratch\nFROM scratch\n",
            "FROM alpine:3.20 AS build:latest\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build_1.go-x\nFROM alpine:3.20 AS Final\n",
            "FROM scratch\n",
        ],
    }
}

impl Check for InvalidStageName {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::From(from) = &ins.kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            let name = alias.value.to_ascii_lowercase();
            let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            let message = if !valid {
                format!(
                    "`{}` is not a valid stage name (a letter first, then letters, digits, `-`, `_`, `.`); the build fails",
                    alias.value
                )
            } else if name == "scratch" || name == "context" {
                format!(
                    "`{}` is a reserved name in BuildKit; a stage of that name makes `{name}` ambiguous",
                    alias.value
                )
            } else {
                continue;
            };
            out.push(cx.hit_at(i, alias.range, message));
        }
    }
}
