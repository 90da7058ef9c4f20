use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags a stage name (`FROM … AS name`) that an earlier stage already uses. Names compare
    /// case-insensitively, as BuildKit compares them.
    ///
    /// ## Why
    /// With two stages of the same name, references stop meaning one thing: `FROM name` takes the
    /// nearest earlier stage, `COPY --from=name` and `--target name` the last one. The image then
    /// contains files from a stage the author did not mean.
    ///
    /// ## Fix
    /// Give every stage its own name.
    ///
    /// ```dockerfile
    /// # bad
    /// FROM node:22 AS build
    /// FROM golang:1.23 AS build
    /// # good
    /// FROM node:22 AS build-web
    /// FROM golang:1.23 AS build-api
    /// ```
    DuplicateStageName {
        id: "SW-DF-006",
        name: "duplicate-stage-name",
        title: "Stage name used twice",
        area: Dockerfile,
        group: "trust",
        severity: High,
        remediation: "Rename one of the stages so that every AS name is unique.",
        refs: [Hadolint("DL3024"), BuildKit("DuplicateStageName")],
        fire: [
            "FROM node:22 AS build\nRUN npm ci\nFROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=build /out /srv\n",
            "FROM alpine:3.20 as base\nfrom base AS BASE\n",
        ],
        quiet: [
            "FROM node:22 AS build-web\nFROM golang:1.23 AS build-api\nFROM alpine:3.20\n",
            "FROM alpine:3.20 AS base\nFROM base\nFROM base\n",
        ],
    }
}

impl Check for DuplicateStageName {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &cx.model.stages;
        // The first stage of each name, as the stages go by.
        let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (j, stage) in stages.iter().enumerate() {
            let Some(name) = stage.name.as_deref() else {
                continue;
            };
            let first = *first_of.entry(name).or_insert(j);
            if first == j {
                continue;
            }
            let first = &stages[first];
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            out.push(cx.hit_at(
                stage.from,
                alias.range,
                format!(
                    "stage name `{}` is already used by the stage on line {}; references to it become ambiguous",
                    alias.value,
                    cx.instruction(first.from).line
                ),
            ));
        }
    }
}
