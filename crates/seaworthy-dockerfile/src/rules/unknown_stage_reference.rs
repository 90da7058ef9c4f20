use crate::context::{Context, Hit};
use crate::model::{Base, Model};
use crate::parser::{Kind, TextRange};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `COPY --from`, `RUN --mount=…,from=` and FROM values that do not name an earlier
    /// stage: a stage index that does not exist, a stage defined further down, or a plain name
    /// that is no stage at all.
    ///
    /// A value that looks like an image reference (it holds `/`, `:`, `.` or `@`, as in
    /// `--from=nginx:1.27`) is taken as the deliberate use of an external image and stays quiet
    /// here. It is still a supply-chain input: pin it like a base image (SW-DF-093 reports
    /// unpinned ones). A named build context (`docker buildx build --build-context deps=…` with
    /// `COPY --from=deps`) is invisible in the Dockerfile and looks like a missing stage: waive
    /// the finding there.
    ///
    /// ## Why
    /// BuildKit resolves a name that matches no stage as an image on Docker Hub, so a typo such
    /// as `--from=biuld` does not fail: it pulls `docker.io/library/biuld:latest`, which anyone
    /// can publish. A stage index past the last stage stops the build. A stage defined later
    /// works with BuildKit only (the legacy builder and most readers expect earlier stages); a
    /// FROM naming a later stage never refers to it and pulls an image of that name instead.
    ///
    /// ## Fix
    /// Name the stage exactly as its `AS` clause does, and define it before it is used.
    ///
    /// ```dockerfile
    /// # bad
    /// FROM golang:1.23 AS build
    /// FROM alpine:3.20
    /// COPY --from=builder /out/app /usr/local/bin/
    /// # good
    /// FROM golang:1.23 AS build
    /// FROM alpine:3.20
    /// COPY --from=build /out/app /usr/local/bin/
    /// ```
    UnknownStageReference {
        id: "SW-DF-005",
        name: "unknown-stage-reference",
        title: "Reference to a stage that is not defined before it",
        area: Dockerfile,
        group: "trust",
        severity: Medium,
        remediation: "Reference an earlier stage by its exact AS name, or write a full image reference for an external image.",
        refs: [Hadolint("DL3022")],
        fire: [
            "FROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=builder /out/app /usr/local/bin/\n",
            "FROM golang:1.23\nFROM alpine:3.20\ncopy --from=2 /out/app /usr/local/bin/\n",
            "FROM alpine:3.20 AS final\nCOPY --from=assets /dist /srv\nFROM node:22 AS assets\n",
            "FROM debian:12\nRUN --mount=type=bind,from=deps,target=/deps cp -r /deps /opt\n",
            "FROM base AS app\nFROM alpine:3.20 AS base\n",
        ],
        quiet: [
            "FROM golang:1.23 AS Build\nFROM alpine:3.20\nCOPY --from=build /out/app /usr/local/bin/\nCOPY --from=0 /etc/ssl /etc/ssl\n",
            "FROM alpine:3.20\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=ghcr.io/org/tools /bin/tool /bin/\n",
            "ARG STAGE=build\nFROM golang:1.23 AS build\nFROM alpine:3.20\nARG STAGE\nCOPY --from=${STAGE} /app /app\n",
            "FROM golang:1.23 AS build\nFROM alpine:3.20\nRUN --mount=type=cache,target=/root/.cache --mount=from=build,source=/out,target=/out cp /out/app /bin\n",
            "FROM alpine:3.20\nCOPY --from=$UNSET /a /b\n",
        ],
    }
}

/// Where an instruction names another stage (or an image): `COPY --from=…`,
/// `RUN --mount=…,from=…`.
pub(crate) struct StageRef {
    pub instr: usize,
    /// Stage the instruction belongs to.
    pub stage: usize,
    /// The value after variable expansion.
    pub value: String,
    pub range: TextRange,
    /// `COPY --from` or `RUN --mount from`, for messages.
    pub what: &'static str,
}

/// What BuildKit makes of a `--from` value.
pub(crate) enum Resolved {
    Stage(usize),
    /// A number that is no stage index.
    BadIndex(usize),
    /// Not a stage: an image to pull.
    Image,
}

/// Every `COPY --from` and `RUN --mount from=` whose value is known (variables resolved).
pub(crate) fn stage_refs(cx: &Context<'_>) -> Vec<StageRef> {
    let mut refs = Vec::new();
    for (i, ins) in cx.instructions() {
        let Some(stage) = cx.model.stage_of.get(i).copied().flatten() else {
            continue;
        };
        let found: Vec<(String, TextRange, &'static str)> = match &ins.kind {
            Kind::Copy(_) => ins
                .flags
                .iter()
                .filter(|f| f.name == "from")
                .filter_map(|f| Some((f.value.clone()?, f.range, "COPY --from")))
                .collect(),
            Kind::Run(_) => ins
                .flags
                .iter()
                .filter(|f| f.name == "mount")
                .filter_map(|f| {
                    let value = f.value.as_deref()?;
                    let from = value.split(',').find_map(|kv| {
                        let (k, v) = kv.trim().split_once('=')?;
                        k.trim()
                            .eq_ignore_ascii_case("from")
                            .then(|| v.trim().trim_matches('"').to_string())
                    })?;
                    Some((from, f.range, "RUN --mount from"))
                })
                .collect(),
            _ => continue,
        };
        for (raw, range, what) in found {
            let expanded = cx.model.expand_full(cx.df, i, &raw);
            if !expanded.unresolved.is_empty() || expanded.value.trim().is_empty() {
                continue;
            }
            refs.push(StageRef {
                instr: i,
                stage,
                value: expanded.value.trim().to_string(),
                range,
                what,
            });
        }
    }
    refs
}

/// Resolves a `--from` value as BuildKit does: a number is a stage index, a name the last stage
/// of that name (any position), anything else an image.
pub(crate) fn resolve(model: &Model, value: &str) -> Resolved {
    if let Ok(n) = value.parse::<usize>() {
        return if n < model.stages.len() {
            Resolved::Stage(n)
        } else {
            Resolved::BadIndex(n)
        };
    }
    let lower = value.to_ascii_lowercase();
    match model.stages_named(&lower).last() {
        Some(&i) => Resolved::Stage(i),
        None => Resolved::Image,
    }
}

/// Whether a `--from` value is written as an image reference rather than a stage name.
pub(crate) fn looks_like_image(value: &str) -> bool {
    value.contains(['/', ':', '.', '@'])
}

impl Check for UnknownStageReference {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let stages = &cx.model.stages;
        let line_of = |s: usize| stages.get(s).map_or(0, |st| cx.instruction(st.from).line);
        for r in stage_refs(cx) {
            let v = &r.value;
            let message = match resolve(cx.model, v) {
                Resolved::Stage(t) if t == r.stage => continue,
                Resolved::Stage(t) if t < r.stage => continue,
                Resolved::Stage(t) => {
                    let lower = v.to_ascii_lowercase();
                    if cx
                        .model
                        .stages_named(&lower)
                        .first()
                        .is_some_and(|&f| f < r.stage)
                    {
                        format!(
                            "{} `{v}`: two stages carry this name and BuildKit takes the later one (line {}), not the earlier",
                            r.what,
                            line_of(t)
                        )
                    } else {
                        format!(
                            "{} `{v}` names a stage defined further down (line {}); only BuildKit accepts that, define the stage first",
                            r.what,
                            line_of(t)
                        )
                    }
                }
                Resolved::BadIndex(n) => format!(
                    "{} `{n}`: there is no stage {n} (this file has {} stage{}, numbered from 0); the build fails",
                    r.what,
                    stages.len(),
                    if stages.len() == 1 { "" } else { "s" }
                ),
                Resolved::Image if looks_like_image(v) => continue,
                Resolved::Image => format!(
                    "{} `{v}`: no stage has this name, so BuildKit pulls the image `docker.io/library/{}:latest` instead",
                    r.what,
                    v.to_ascii_lowercase()
                ),
            };
            out.push(cx.hit_at(r.instr, r.range, message));
        }
        // FROM naming a stage defined later: FROM only sees earlier stages.
        for (s, stage) in stages.iter().enumerate() {
            let Base::Image { reference, image } = &stage.base else {
                continue;
            };
            if looks_like_image(reference) || image.tag.is_some() {
                continue;
            }
            let lower = reference.to_ascii_lowercase();
            let named = cx.model.stages_named(&lower);
            let Some(&t) = named.get(named.partition_point(|&i| i <= s)) else {
                continue;
            };
            let Kind::From(from) = &cx.instruction(stage.from).kind else {
                continue;
            };
            out.push(cx.hit_at(
                stage.from,
                from.image.range,
                format!(
                    "FROM `{reference}` does not use the stage `{reference}` defined further down (line {}): FROM only sees earlier stages, so this pulls the image `{}`",
                    line_of(t),
                    image.full_name()
                ),
            ));
        }
    }
}
