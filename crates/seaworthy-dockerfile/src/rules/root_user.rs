use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags an image that ships with an explicit root USER: the last USER of the target stage
    /// (or of the stages it builds on) is `root`, `0`, `root:root`, `0:0` or any `root:group`.
    /// Build stages whose files are only copied from are never judged. An image with no USER
    /// at all is SW-DF-062.
    ///
    /// ## Why
    /// A process that runs as root in the container is root on the host's kernel: any escape
    /// (a kernel bug, a mounted socket, a misconfigured capability) is a full host compromise,
    /// and inside the container it can rewrite every file of the image.
    ///
    /// ## Fix
    /// Switch back to an unprivileged user after the steps that need root.
    /// ```dockerfile
    /// # bad
    /// USER root
    /// RUN apt-get install -y curl
    /// CMD ["app"]
    /// # good
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// CMD ["app"]
    /// ```
    RootUser {
        id: "SW-DF-060",
        name: "last-user-root",
        title: "Image runs as root (last USER is root)",
        area: Dockerfile,
        group: "user",
        severity: High,
        remediation: "End the shipped stage with USER <non-root user or UID> (e.g. USER 10001:10001).",
        refs: [Hadolint("DL3002"), Trivy("DS-0002"), Dockle("CIS-DI-0001"), Cis("4.1")],
        fire: [
            "FROM node:20\nUSER node\nRUN npm ci\nUSER root\nCMD [\"node\", \"server.js\"]\n",
            "FROM golang:1.22 AS build\nUSER 1000\nRUN go build -o /app .\nFROM debian:12 AS base\nUSER 0:0\nFROM base\nCOPY --from=build /app /app\n",
            "FROM alpine:3.20\nARG RUNAS=root\nUSER ${RUNAS}:wheel\n",
        ],
        quiet: [
            "FROM debian:12 AS build\nUSER root\nRUN make\nFROM debian:12\nUSER 10001\nCOPY --from=build /out /app\n",
            "FROM node:20\nUSER root\nRUN npm i -g pnpm\nUSER node\n",
            "FROM alpine:3.20\nARG RUNAS\nUSER $RUNAS\n",
        ],
    }
}

/// The stage `stage` and the stages it builds on, nearest first.
pub(crate) fn stage_chain(cx: &Context<'_>, stage: usize) -> Vec<usize> {
    let mut chain = Vec::new();
    let mut at = Some(stage);
    while let Some(s) = at {
        if chain.contains(&s) {
            break;
        }
        let Some(st) = cx.model.stages.get(s) else {
            break;
        };
        chain.push(s);
        at = match st.base {
            Base::Stage(parent) => Some(parent),
            _ => None,
        };
    }
    chain
}

/// The user part of USER `i` after expansion, or `None` if a variable is unset.
pub(crate) fn user_of<'a>(cx: &Context<'a>, i: usize) -> Option<(String, &'a str)> {
    let Kind::User(word) = &cx.instruction(i).kind else {
        return None;
    };
    let expanded = cx.model.expand_full(cx.df, i, &word.raw);
    if !expanded.unresolved.is_empty() {
        return None;
    }
    let value = expanded.value.trim().to_string();
    Some((value, word.raw.as_str()))
}

/// Whether a USER value (`root`, `0:0`, `root:wheel`) means root.
pub(crate) fn is_root(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or(value).trim();
    user.eq_ignore_ascii_case("root")
        || (!user.is_empty() && user.chars().all(|c| c == '0'))
        || user.eq_ignore_ascii_case("ContainerAdministrator")
}

impl Check for RootUser {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let Some(i) = cx.last_in_shipped(|k| matches!(k, Kind::User(_))) else {
            return;
        };
        let Some((value, raw)) = user_of(cx, i) else {
            return;
        };
        if !is_root(&value) {
            return;
        }
        let Kind::User(word) = &cx.instruction(i).kind else {
            return;
        };
        let shown = if raw.contains('$') {
            format!("`{raw}` (= {value})")
        } else {
            format!("`{value}`")
        };
        out.push(cx.hit_at(
            i,
            word.range,
            format!("the image that ships ends with USER {shown}, so its processes run as root"),
        ));
    }
}
