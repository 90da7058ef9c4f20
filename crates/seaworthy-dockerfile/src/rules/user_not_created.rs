use crate::context::{Context, Hit};
use crate::model::Base;
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::root_user::{is_root, stage_chain, user_of};

seaworthy_core::declare_rule! {
    /// Flags USER naming a user that nothing creates: no `useradd`/`adduser` (nor any other RUN
    /// mentioning the name, such as a `chown name` or the package that creates it) in the stage
    /// or the stages it builds on, no COPY of an `/etc/passwd`, and the base is `scratch`, a
    /// distroless image or a plain distribution image (Debian, Ubuntu, Alpine, Fedora, UBI…)
    /// that does not ship that user. Other bases may define their own users and are not judged;
    /// numeric UIDs never are.
    ///
    /// ## Why
    /// The build succeeds, but the container fails to start with "unable to find user": the name
    /// is resolved through the image's `/etc/passwd` only at run time.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM debian:12
    /// USER app
    /// # good
    /// FROM debian:12
    /// RUN useradd --system --uid 10001 app
    /// USER app
    /// ```
    /// In `scratch` images use a numeric UID (`USER 65532:65532`) or copy `/etc/passwd` from a
    /// build stage.
    UserNotCreated {
        id: "SW-DF-061",
        name: "user-not-created",
        title: "USER names a user that is never created",
        area: Dockerfile,
        group: "user",
        severity: Info,
        remediation: "Create the user (useradd/adduser) in the same stage chain, or use a numeric UID.",
        refs: [],
        fire: [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && mkdir /app\nUSER app\n",
            "FROM golang:1.22 AS build\nRUN useradd app && go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nUSER app:app\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN addgroup -S app && adduser -S -G app app\nUSER app\n",
            "FROM debian:12 AS base\nARG NAME=svc\nRUN useradd --system ${NAME}\nFROM base\nUSER svc\n",
            "FROM node:20\nUSER node\n",
            "FROM debian:12\nUSER nobody:nogroup\n",
            "FROM golang:1.22 AS build\nRUN useradd -u 10001 app\nFROM scratch\nCOPY --from=build /etc/passwd /etc/passwd\nUSER app\n",
            "FROM debian:12\nRUN apt-get install -y tor && chown debian-tor /etc/tor\nUSER debian-tor\n",
        ],
    }
}

/// Users present in plain distribution images.
const SYSTEM_USERS: &[&str] = &[
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "www-data",
    "backup",
    "list",
    "irc",
    "gnats",
    "nobody",
    "_apt",
    "adm",
    "shutdown",
    "halt",
    "operator",
    "ftp",
    "squid",
    "xfs",
    "postmaster",
    "cyrus",
    "vpopmail",
    "ntp",
    "smmsp",
    "guest",
    "at",
    "ubuntu",
    "systemd-network",
    "systemd-resolve",
    "systemd-timesync",
    "messagebus",
    "tss",
    "dbus",
];

const DISTROS: &[&str] = &[
    "alpine",
    "debian",
    "ubuntu",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "busybox",
    "archlinux",
    "ubi",
    "ubi8",
    "ubi9",
    "ubi10",
    "ubi-minimal",
    "ubi8-minimal",
    "ubi9-minimal",
    "leap",
    "tumbleweed",
    "photon",
];

/// Users the base of a chain is known to have, or `None` when the base is not known.
fn known_users(base: &Base) -> Option<(&'static [&'static str], String)> {
    match base {
        Base::Scratch => Some((&[], "`scratch` has no /etc/passwd".to_string())),
        Base::Image { image, reference } => {
            let last = image.repository.rsplit('/').next().unwrap_or_default();
            if image.repository.contains("distroless") {
                Some((
                    &["root", "nonroot", "nobody"],
                    format!("`{reference}` only has root, nonroot and nobody"),
                ))
            } else if DISTROS.contains(&last) {
                Some((SYSTEM_USERS, format!("`{reference}` does not ship it")))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn mentions(text: &str, name: &str) -> bool {
    // `/app` in a path is a directory, not the user `app`.
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(name)) {
        let start = from + pos;
        let end = start + name.len();
        let before = text.get(..start).and_then(|t| t.chars().next_back());
        let after = text.get(end..).and_then(|t| t.chars().next());
        if !before.is_some_and(word) && !after.is_some_and(word) {
            return true;
        }
        from = end;
    }
    false
}

impl Check for UserNotCreated {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::User(word) = &ins.kind else {
                continue;
            };
            let Some((value, _)) = user_of(cx, i) else {
                continue;
            };
            let name = value.split(':').next().unwrap_or_default().trim();
            if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) || is_root(name) {
                continue;
            }
            let Some(stage) = cx.model.stage_of.get(i).copied().flatten() else {
                continue;
            };
            let chain = stage_chain(cx, stage);
            let Some(root) = chain.last().and_then(|&s| cx.model.stages.get(s)) else {
                continue;
            };
            let Some((known, why)) = known_users(&root.base) else {
                continue;
            };
            if known.contains(&name) {
                continue;
            }
            let created = chain.iter().any(|&s| {
                let Some(st) = cx.model.stages.get(s) else {
                    return false;
                };
                st.body.clone().filter(|&j| j < i).any(|j| {
                    let ins = cx.instruction(j);
                    match &ins.kind {
                        Kind::Run(_) => cx.runs.iter().filter(|r| r.instr == j).any(|r| {
                            mentions(&r.text, name) || mentions(&cx.expand(j, &r.text), name)
                        }),
                        Kind::Copy(args) | Kind::Add(args) => {
                            let dest = cx.expand(j, &args.dest.raw);
                            dest.trim_end_matches('/').is_empty()
                                || dest.contains("passwd")
                                || args.sources.iter().any(|s| s.value.contains("passwd"))
                        }
                        _ => false,
                    }
                })
            });
            if created {
                continue;
            }
            out.push(cx.hit_at(
                i,
                word.range,
                format!(
                    "USER `{name}` is never created in this stage chain, and {why}; the \
                     container will fail to start"
                ),
            ));
        }
    }
}
