use crate::context::{Context, Hit};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags instruction keywords whose case differs from the rest of the file: `run` in a file
    /// written with `RUN`, or mixed case such as `Run`.
    ///
    /// The majority case of the file wins (upper case on a tie), as in BuildKit's
    /// ConsistentInstructionCasing check. A file written entirely in lower case is fine.
    ///
    /// ## Why
    /// Keywords are case-insensitive, so this is readability: consistent casing makes the
    /// structure of the file visible and keeps grep and review simple.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// FROM alpine:3.20
    /// run apk add --no-cache curl
    /// # good
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    InstructionCasing {
        id: "SW-DF-088",
        name: "instruction-casing",
        title: "Instruction keyword cased inconsistently",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Write every instruction keyword in the same case (upper case is the convention).",
        refs: [BuildKit("ConsistentInstructionCasing")],
        fire: [
            "FROM alpine:3.20\nrun apk add --no-cache curl\nCMD [\"curl\"]\n",
            "from alpine:3.20\nrun true\nRun false\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN true\nONBUILD RUN true\n",
            "from alpine:3.20\nrun apk add --no-cache curl\ncmd [\"curl\"]\n",
        ],
    }
}

impl Check for InstructionCasing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        let (mut upper, mut lower) = (0usize, 0usize);
        for (_, ins) in cx.instructions() {
            let kw = &ins.keyword_text;
            if *kw == kw.to_ascii_uppercase() {
                upper += 1;
            } else if *kw == kw.to_ascii_lowercase() {
                lower += 1;
            }
        }
        let majority_lower = lower > upper;
        let case = if majority_lower { "lower" } else { "upper" };
        for (i, ins) in cx.instructions() {
            let kw = &ins.keyword_text;
            let fits = if majority_lower {
                *kw == kw.to_ascii_lowercase()
            } else {
                *kw == kw.to_ascii_uppercase()
            };
            if fits {
                continue;
            }
            out.push(cx.hit_at(
                i,
                ins.keyword_range,
                format!(
                    "`{kw}` differs from the {case}-case keywords of the rest of this file ({upper} upper, {lower} lower)"
                ),
            ));
        }
    }
}
