use crate::context::{Context, Hit};
use crate::parser::{Kind, Word};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `~` at the start of a WORKDIR, COPY/ADD destination or VOLUME path.
    ///
    /// ## Why
    /// Only shells expand `~`; Docker does not. `WORKDIR ~/app` creates a directory literally
    /// named `~` (under `/` or the current WORKDIR), and `COPY app ~/` copies there, not to the
    /// user's home. The files are in the image, just not where the program looks for them.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// WORKDIR ~/app
    /// # good
    /// WORKDIR /home/app/app
    /// # or, when the base image sets HOME
    /// WORKDIR $HOME/app
    /// ```
    TildePath {
        id: "SW-DF-090",
        name: "tilde-path",
        title: "~ in a path Docker does not expand",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Write the absolute path (or $HOME) instead of ~.",
        refs: [],
        fire: [
            "FROM node:22\nUSER node\nWORKDIR ~/app\n",
            "FROM python:3.13\ncopy --chown=app requirements.txt ~/\nVOLUME [\"~/data\"]\n",
        ],
        quiet: [
            "FROM node:22\nWORKDIR /home/node/app\nCOPY app/ $HOME/app/\n",
            "FROM alpine:3.20\nRUN cp a ~/b\nCOPY a~b /srv/a~b\n",
        ],
    }
}

fn starts_with_tilde(word: &Word) -> bool {
    let v = word.value.trim();
    v == "~" || v.starts_with("~/")
}

impl Check for TildePath {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let words: Vec<&Word> = match &ins.kind {
                Kind::Workdir(w) => vec![w],
                Kind::Copy(a) | Kind::Add(a) => vec![&a.dest],
                Kind::Volume(ws) => ws.iter().collect(),
                _ => continue,
            };
            for w in words.into_iter().filter(|w| starts_with_tilde(w)) {
                out.push(cx.hit_at(
                    i,
                    w.range,
                    format!(
                        "{} `{}`: Docker does not expand `~`, this is a directory literally named `~`",
                        ins.keyword.as_str(),
                        w.value.trim()
                    ),
                ));
            }
        }
    }
}
