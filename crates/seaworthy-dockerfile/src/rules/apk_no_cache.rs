use crate::context::{Context, Hit};
use crate::rules::Check;
use crate::rules::pkg_util::{after, apk, apk_add, has_cache_mount, list, removes};

seaworthy_core::declare_rule! {
    /// Flags `apk add` without `--no-cache` whose index cache is not removed in the same RUN.
    ///
    /// Only stages that end up in the shipped image are checked. `rm -rf /var/cache/apk/*` (or
    /// `apk cache clean`) later in the RUN, or a cache mount on `/var/cache/apk`, also keep the
    /// rule quiet.
    ///
    /// ## Why
    /// Without `--no-cache`, `apk` keeps the repository indexes it fetched (with `--update` or a
    /// previous `apk update`) in `/var/cache/apk`. They add megabytes to the layer and are stale
    /// by the time the image runs. `--no-cache` fetches fresh indexes and keeps nothing.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN apk add --update curl
    /// # good
    /// RUN apk add --no-cache curl
    /// ```
    ApkNoCache {
        id: "SW-DF-014",
        name: "apk-add-without-no-cache",
        title: "apk add without --no-cache",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "Use `apk add --no-cache …` instead of `apk update`/`--update`.",
        refs: [Hadolint("DL3019"), Trivy("DS-0025")],
        fire: [
            "FROM alpine:3.20\nRUN apk update && apk add curl\n",
            "FROM alpine:3.20\nRUN set -eux \\\n && apk add --update --virtual .deps \\\n      gcc musl-dev \\\n && apk del .deps\n",
            "FROM alpine:3.20\nRUN sh -c 'apk add -U tzdata'\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            "FROM alpine:3.20\nRUN apk --no-cache add --virtual .deps gcc && apk del .deps\n",
            "FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk/*\n",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk \\\n    apk add --update curl\n",
            "FROM alpine:3.20 AS build\nRUN apk add gcc\nFROM alpine:3.20\nCOPY --from=build /out /out\n",
        ],
    }
}

const CACHE: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

impl Check for ApkNoCache {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            if !cx.is_in_target_chain(run.instr) || has_cache_mount(cx, run, CACHE, |_| false) {
                continue;
            }
            for (i, cmd) in run.script.commands.iter().enumerate() {
                let Some(call) = apk_add(cmd) else { continue };
                if cmd.has_flag(&["--no-cache"]) {
                    continue;
                }
                let cleaned = after(run, i).any(|c| {
                    removes(c, CACHE)
                        || apk(c).is_some_and(|a| {
                            a.sub == "cache"
                                && matches!(a.operands.first(), Some(&"clean" | &"purge"))
                        })
                });
                if cleaned {
                    continue;
                }
                let names: Vec<String> = call.operands.iter().map(|s| s.to_string()).collect();
                let what = if names.is_empty() {
                    String::new()
                } else {
                    format!(" of {}", list(&names))
                };
                out.push(cx.hit_cmd(
                    run,
                    cmd,
                    format!("`apk add`{what} without --no-cache leaves the package index in /var/cache/apk"),
                ));
            }
        }
    }
}
