use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags stage names with upper-case letters (`FROM golang AS Build`).
    ///
    /// ## Why
    /// Stage names are lower-cased by Docker: `--target Build`, `COPY --from=build` and
    /// `FROM BUILD` all mean the same stage. Writing them in mixed case suggests a distinction
    /// that does not exist and makes the name harder to search for.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM golang:1.23 AS Build
    /// # good
    /// FROM golang:1.23 AS build
    /// ```
    StageNameCasing {
        id: "SW-DF-083",
        name: "stage-name-casing",
        title: "Stage name not in lower case",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Write stage names in lower case.",
        refs: [BuildKit("StageNameCasing")],
        fire: [
            "FROM golang:1.23 AS Build\nFROM alpine:3.20\nCOPY --from=build /app /app\n",
            "from alpine:3.20 as myBase\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build-2\nFROM alpine:3.20\nCOPY --from=BUILD-2 /app /app\n",
            "FROM Alpine\n",
        ],
    }
}

impl Check for StageNameCasing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::From(from) = &ins.kind else {
                continue;
            };
            let Some(alias) = &from.alias else { continue };
            if !alias.value.chars().any(|c| c.is_ascii_uppercase()) {
                continue;
            }
            out.push(cx.hit_at(
                i,
                alias.range,
                format!(
                    "stage name `{}` has upper-case letters; Docker uses it as `{}`",
                    alias.value,
                    alias.value.to_ascii_lowercase()
                ),
            ));
        }
    }
}
