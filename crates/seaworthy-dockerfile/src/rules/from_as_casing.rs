use crate::context::{Context, Hit};
use crate::parser::{Kind, TextRange};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `FROM image as name` (or `from image AS name`): the `AS` keyword cased differently
    /// from `FROM`.
    ///
    /// ## Why
    /// Keywords are case-insensitive, so this is about reading: mixed casing makes the stage
    /// name harder to spot and grep, and BuildKit's own checks warn about it.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM golang:1.23 as build
    /// # good
    /// FROM golang:1.23 AS build
    /// ```
    FromAsCasing {
        id: "SW-DF-082",
        name: "from-as-casing",
        title: "FROM and AS keywords cased differently",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Write AS in the same case as FROM (FROM … AS name).",
        refs: [BuildKit("FromAsCasing")],
        fire: [
            "FROM golang:1.23 as build\nFROM alpine:3.20\n",
            "ARG V=3.20\nfrom --platform=$BUILDPLATFORM alpine:${V} \\\n  AS base\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build\nfrom build as test\n",
            "FROM alpine:3.20\n",
        ],
    }
}

impl Check for FromAsCasing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::From(from) = &ins.kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            let kw = ins.keyword_text.as_str();
            let upper = kw == kw.to_ascii_uppercase();
            let lower = kw == kw.to_ascii_lowercase();
            if !upper && !lower {
                continue;
            }
            let gap = TextRange {
                start: from.image.range.end,
                end: alias.range.start,
            };
            let text = cx.df.slice(gap);
            let Some(at) = text.to_ascii_lowercase().rfind("as") else {
                continue;
            };
            let Some(as_kw) = text.get(at..at + 2) else {
                continue;
            };
            if (upper && as_kw == "AS") || (lower && as_kw == "as") {
                continue;
            }
            let range = TextRange {
                start: gap.start + at as u32,
                end: gap.start + at as u32 + 2,
            };
            out.push(cx.hit_at(
                i,
                range,
                format!(
                    "`{as_kw}` is cased differently from `{kw}`; write `{}`",
                    if upper { "AS" } else { "as" }
                ),
            ));
        }
    }
}
