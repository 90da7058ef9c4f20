use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::unknown_stage_reference::{Resolved, resolve, stage_refs};

seaworthy_core::declare_rule! {
    /// Flags stages that the build target does not need: neither the target itself, nor a stage
    /// it is built on, nor one it (transitively) copies or mounts from.
    ///
    /// The target is the last stage, or the one given with `--target`. Stages meant for other
    /// targets (`test`, `dev`) show up here when linting the default target; that is expected,
    /// and the finding says which target it was judged against.
    ///
    /// ## Why
    /// BuildKit skips such stages, so their content is never built or tested with the image. Left
    /// in place they mislead readers and reviewers (a security fix applied there changes
    /// nothing) and rot; with the legacy builder they are built anyway and cost time.
    ///
    /// ## Fix
    /// Delete the stage, reference it where its output is needed, or build it explicitly with
    /// `--target`.
    ///
    /// ```dockerfile
    /// # bad: `assets` is never used
    /// FROM node:22 AS assets
    /// RUN npm ci && npm run build
    /// FROM nginx:1.27
    /// COPY public/ /usr/share/nginx/html/
    /// # good
    /// FROM node:22 AS assets
    /// RUN npm ci && npm run build
    /// FROM nginx:1.27
    /// COPY --from=assets /dist/ /usr/share/nginx/html/
    /// ```
    UnusedStage {
        id: "SW-DF-009",
        name: "unused-stage",
        title: "Stage not used by the build target",
        area: Dockerfile,
        group: "trust",
        severity: Info,
        remediation: "Remove the stage, or COPY --from it where its output is needed.",
        refs: [],
        fire: [
            "FROM node:22 AS assets\nRUN npm ci\nFROM nginx:1.27\nCOPY public/ /usr/share/nginx/html/\n",
            "FROM golang:1.23 AS build\nFROM build AS test\nRUN go test ./...\nFROM alpine:3.20\nCOPY --from=build /out /bin\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build\nFROM alpine:3.20 AS runtime\nFROM runtime\nCOPY --from=build /out/app /bin/\n",
            "FROM alpine:3.20 AS certs\nFROM golang:1.23 AS build\nCOPY --from=0 /etc/ssl /etc/ssl\nFROM scratch\nCOPY --from=build /app /app\n",
            "FROM debian:12 AS deps\nFROM debian:12\nRUN --mount=type=bind,from=deps,target=/deps cp -r /deps /opt\n",
            "FROM alpine:3.20\n",
        ],
    }
}

impl Check for UnusedStage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &cx.model.stages;
        if stages.len() < 2 {
            return;
        }
        let refs = stage_refs(cx);
        // The references each stage makes, resolved once.
        let mut refs_of: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
        for r in &refs {
            if let (Some(list), Resolved::Stage(t)) =
                (refs_of.get_mut(r.stage), resolve(cx.model, &r.value))
            {
                list.push(t);
            }
        }
        let mut used = vec![false; stages.len()];
        let mut work = vec![cx.model.target];
        while let Some(s) = work.pop() {
            let Some(slot) = used.get_mut(s) else {
                continue;
            };
            if *slot {
                continue;
            }
            *slot = true;
            if let Some(Base::Stage(parent)) = stages.get(s).map(|st| &st.base) {
                work.push(*parent);
            }
            work.extend(refs_of.get(s).into_iter().flatten().copied());
        }
        let target = stages.get(cx.model.target);
        let target_line = target.map_or(0, |t| cx.instruction(t.from).line);
        let target_name = match target.and_then(|t| t.name.as_deref()) {
            Some(name) => format!("the target stage `{name}` (line {target_line})"),
            None => format!("the target stage (line {target_line})"),
        };
        for (s, stage) in stages.iter().enumerate() {
            if used.get(s).copied().unwrap_or(true) {
                continue;
            }
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            let (range, what) = match &from.alias {
                Some(a) => (a.range, format!("stage `{}`", a.value)),
                None => (
                    from.image.range,
                    format!("stage {s} (`{}`)", from.image.value),
                ),
            };
            out.push(cx.hit_at(
                stage.from,
                range,
                format!("{what} is not used by {target_name}; BuildKit skips it"),
            ));
        }
    }
}
