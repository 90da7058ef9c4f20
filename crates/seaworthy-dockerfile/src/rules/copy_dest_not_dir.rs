use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags COPY and ADD with several sources whose destination does not end with `/`.
    ///
    /// Variables in the destination are expanded first (an unknown value stays quiet). `.` and
    /// `..` count as directories, as BuildKit treats them (hadolint DL3021 reports them too).
    /// Heredoc sources count as sources.
    ///
    /// ## Why
    /// Docker's documented rule is that with several sources the destination must be a
    /// directory written with a trailing slash. The legacy builder refuses the build; BuildKit
    /// copies into the path if it already is a directory, but when it does not exist it creates
    /// a *file* there and each source overwrites the previous one, so only the last survives.
    /// Which of the two happens depends on the base image.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// COPY package.json package-lock.json /app
    /// # good
    /// COPY package.json package-lock.json /app/
    /// ```
    CopyDestNotDir {
        id: "SW-DF-076",
        name: "copy-dest-not-dir",
        title: "COPY/ADD of several sources to a destination without a trailing /",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "End the destination with / when copying more than one source.",
        refs: [Hadolint("DL3021"), Trivy("DS-0011")],
        fire: [
            "FROM node:22\nCOPY package.json package-lock.json /app\n",
            "FROM node:22\nENV APP=/srv/app\ncopy --chown=node [\"a b.txt\", \"c.txt\", \"$APP\"]\n",
            "FROM alpine:3.20\nADD <<EOF nginx.conf /etc/nginx/conf.d\nserver {}\nEOF\n",
        ],
        quiet: [
            "FROM node:22\nCOPY package.json package-lock.json /app/\n",
            "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY a b .\n",
            "FROM node:22\nCOPY src /app\n",
            "FROM node:22\nENV APP=/srv/app/\nCOPY a b ${APP}\n",
            "FROM node:22\nCOPY a b $UNKNOWN\n",
        ],
    }
}

impl Check for CopyDestNotDir {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let (Kind::Copy(args) | Kind::Add(args)) = &ins.kind else {
                continue;
            };
            let sources = args.sources.len();
            if sources < 2 {
                continue;
            }
            let expanded = cx.model.expand_full(cx.df, i, &args.dest.raw);
            if !expanded.unresolved.is_empty() {
                continue;
            }
            let dest = expanded.value.trim();
            if dest.is_empty()
                || dest.ends_with('/')
                || dest.ends_with('\\')
                || dest == "."
                || dest == ".."
                || dest.ends_with("/.")
                || dest.ends_with("/..")
            {
                continue;
            }
            out.push(cx.hit_at(
                i,
                args.dest.range,
                format!(
                    "{} copies {sources} sources to `{dest}`, which does not end with `/`; add the slash so it is a directory",
                    ins.keyword.as_str()
                ),
            ));
        }
    }
}
