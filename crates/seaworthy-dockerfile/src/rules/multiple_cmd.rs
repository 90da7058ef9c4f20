use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags a second (third, …) CMD in the same stage.
    ///
    /// Each stage is judged on its own: a CMD in a builder stage and one in the final stage are
    /// fine. The finding is on every CMD after the first; the message names the one that wins.
    ///
    /// ## Why
    /// Only the last CMD of a stage takes effect. The earlier ones are dead code that readers
    /// (and reviewers) take for the real start command.
    ///
    /// ## Fix
    /// Keep one CMD per stage; run several processes through a script or a supervisor.
    ///
    /// ```dockerfile
    /// # bad
    /// CMD ["nginx", "-g", "daemon off;"]
    /// CMD ["php-fpm"]
    /// # good
    /// CMD ["/usr/local/bin/start.sh"]
    /// ```
    MultipleCmd {
        id: "SW-DF-071",
        name: "multiple-cmd",
        title: "More than one CMD in a stage",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Keep a single CMD per stage (the last one is the only one that counts).",
        refs: [
            Hadolint("DL4003"),
            Trivy("DS-0016"),
            BuildKit("MultipleInstructionsDisallowed"),
        ],
        fire: [
            "FROM nginx:1.27\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nCMD php-fpm\n",
            "FROM golang:1.23 AS build\nCMD [\"go\"]\nFROM alpine:3.20\ncmd [\"a\"]\nCMD [\"b\"]\nCMD [\"c\"]\n",
        ],
        quiet: [
            "FROM golang:1.23 AS build\nCMD [\"go\", \"test\"]\nFROM alpine:3.20\nCMD [\"app\"]\n",
            "FROM alpine:3.20\nONBUILD CMD [\"a\"]\nCMD [\"b\"]\n",
        ],
    }
}

/// Reports every instruction matching `is` after the first in its stage.
pub(crate) fn repeated_in_stage(
    cx: &Context<'_>,
    out: &mut Vec<Hit>,
    keyword: &str,
    is: impl Fn(&Kind) -> bool,
    consequence: &str,
) {
    for stage in 0..cx.model.stages.len() {
        let found: Vec<usize> = cx
            .model
            .stage_instructions(cx.df, stage)
            .filter(|(_, ins)| is(&ins.kind))
            .map(|(i, _)| i)
            .collect();
        let Some(&last) = found.last() else { continue };
        let Some(&first) = found.first() else {
            continue;
        };
        for &i in found.iter().skip(1) {
            let message = if i == last {
                format!(
                    "{keyword} repeated in this stage (first on line {}); {consequence}",
                    cx.instruction(first).line
                )
            } else {
                format!(
                    "{keyword} repeated in this stage; it is overridden by the {keyword} on line {}",
                    cx.instruction(last).line
                )
            };
            out.push(cx.hit(i, message));
        }
    }
}

impl Check for MultipleCmd {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        repeated_in_stage(
            cx,
            out,
            "CMD",
            |k| matches!(k, Kind::Cmd(_)),
            "only this last one takes effect",
        );
    }
}
