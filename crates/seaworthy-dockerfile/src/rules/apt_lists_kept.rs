use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{after, apt, has_cache_mount, removes};

seaworthy_core::declare_rule! {
    /// Flags RUN instructions that run `apt-get update` but leave `/var/lib/apt/lists` behind.
    ///
    /// Only stages that end up in the shipped image are checked. `apt-get dist-clean` (APT 2.7+)
    /// counts as removing the lists. The rule stays quiet when the lists live in a
    /// `--mount=type=cache` (or `tmpfs`) mount, since they then never reach a layer.
    ///
    /// ## Why
    /// `apt-get update` downloads package indexes, tens of megabytes, into `/var/lib/apt/lists`.
    /// Left there they are baked into the layer: a bigger image that carries stale metadata.
    /// Deleting them in a later RUN does not help, since the earlier layer still holds them.
    /// (`apt-get clean` is not enough either: it empties the package cache, not the lists.)
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// # good
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    AptListsKept {
        id: "SW-DF-013",
        name: "apt-lists-not-removed",
        title: "apt lists not removed in the RUN that fetched them",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "End the RUN that runs apt-get update with `rm -rf /var/lib/apt/lists/*`.",
        refs: [Hadolint("DL3009")],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
            "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y curl \\\n && apt-get clean\n",
            "FROM debian:12\nRUN rm -rf /var/lib/apt/lists/* && sudo apt-get update && apt-get install -y git\n",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y git\n",
        ],
        quiet: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian:12\nRUN <<EOF\nset -eux\napt-get update\napt-get install -y --no-install-recommends curl\napt-get dist-clean\nEOF\n",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y curl\n",
            "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /out /out\n",
            "FROM debian:12\nRUN sh -c 'apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists'\n",
            "FROM debian:12\nRUN apt-get install -y ./local.deb\n",
        ],
    }
}

const LISTS: &str = "/var/lib/apt/lists";

impl Check for AptListsKept {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if !cx.is_in_target_chain(run.instr) || has_cache_mount(cx, run, &[LISTS], |_| false) {
                continue;
            }
            let cmds = &run.script.commands;
            let Some(at) = cmds
                .iter()
                .rposition(|c| apt(c).is_some_and(|call| call.sub == "update"))
            else {
                continue;
            };
            let cleaned = after(run, at).any(|c| {
                removes(c, &[LISTS]) || apt(c).is_some_and(|call| call.sub == "dist-clean")
            });
            if cleaned {
                continue;
            }
            if let Some(cmd) = cmds.get(at) {
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!(
                        "the package lists fetched by `{} update` stay in this layer; remove {LISTS}/* at the end of the RUN",
                        cmd.name
                    ),
                ));
            }
        }
    }
}
