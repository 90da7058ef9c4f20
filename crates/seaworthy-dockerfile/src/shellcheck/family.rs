//! The ShellCheck codes as one entry of the rule list: ShellCheck has hundreds of checks and
//! adds more with each release, so `seaworthy rules`, docs/rules.md and `seaworthy explain SC*`
//! show them as one family (`SC*`), with the one mapping from ShellCheck's levels to severities.

use seaworthy_core::Severity;

/// The id the family is listed under; as a waiver or `enable` glob it matches every SC code.
pub const FAMILY_ID: &str = "SC*";
pub const FAMILY_NAME: &str = "shellcheck";
pub const FAMILY_TITLE: &str = "ShellCheck's comments on RUN scripts (SCxxxx)";
pub const FAMILY_GROUP: &str = "shellcheck";
pub const FAMILY_REMEDIATION: &str =
    "Follow ShellCheck's fix for the code: https://www.shellcheck.net/wiki/SCxxxx";

/// ShellCheck's levels on seaworthy's scale, as hadolint (and `.hadolint.yaml` levels) map them:
/// a finding's default severity is that of its comment's level.
pub const LEVELS: &[(&str, Severity)] = &[
    ("error", Severity::High),
    ("warning", Severity::Medium),
    ("info", Severity::Low),
    ("style", Severity::Info),
];

/// The severity of a comment of ShellCheck `level` (an unknown level is info, as style).
pub fn level_severity(level: &str) -> Severity {
    LEVELS
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(level))
        .map_or(Severity::Info, |&(_, s)| s)
}

/// `error: high, warning: medium, info: low, style: info`.
pub fn levels_text() -> String {
    LEVELS
        .iter()
        .map(|(l, s)| format!("{l}: {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The family's documentation (Markdown, `###` sections as the rules' docs).
pub const FAMILY_DOCS: &str = "\
Every comment ShellCheck makes on a RUN script, each a finding with its own code as the rule id \
(`SC2086`, `SC3010`, …), at the Dockerfile line and column ShellCheck points at, with \
ShellCheck's message as its title and its fix, when it has one, in the remediation.

When the `shellcheck` program (0.8 or later) is on `PATH`, seaworthy gives it the script of \
every shell-form `RUN` and `ONBUILD RUN` as the shell gets it (continuations joined, comment \
lines dropped, heredocs included), in the dialect of the stage's `SHELL` (`/bin/sh` by default; \
bash, dash, ksh; PowerShell, cmd and zsh stages and exec-form RUNs are skipped), with the ENV \
and ARG names the RUN can see declared, as hadolint does. SC1090, SC1091 (sourced files that are \
in the image, not here) and SC2187 (ash) are left out. The codes are open-ended: whatever the \
installed ShellCheck reports.

### Severity
ShellCheck's level of the comment, on seaworthy's scale as hadolint maps it: error → high, \
warning → medium, info → low, style → info. `[rules] severity = { SC2086 = \"medium\" }` in \
seaworthy.toml or `override:` in `.hadolint.yaml` change it for one code.

### Silencing a code
- `# hadolint ignore=SC2086` or `# seaworthy ignore=SC2086` on the line above the RUN (or its \
`global` form for the whole file);
- `ignored: [SC2086]` in `.hadolint.yaml`;
- `[rules] disable = [\"SC2086\"]` in seaworthy.toml (ShellCheck is then told not to check it);
- a `[[waiver]]` with `id = \"SC2086\"` (or the glob `SC*`), a reason and an expiry date;
- in `seaworthy assess`, `[dockerfile] enable`/`disable` globs take SC codes too.

### Documentation of a code
`seaworthy explain SC2086` prints what seaworthy knows of a code and links ShellCheck's own page \
(https://www.shellcheck.net/wiki/SC2086), which explains the problem and the fix with examples.

### Turning it off, and the cache
`--no-shellcheck` (`[dockerfile] shellcheck = false`, `SEAWORTHY_NO_SHELLCHECK=true`) turns \
ShellCheck off; without `shellcheck` on `PATH` the run notes it once and the other rules run. \
ShellCheck's results are kept in `$XDG_CACHE_HOME/seaworthy/shellcheck-cache.json` (by default \
`~/.cache/seaworthy`), keyed by the whole script text, the `shellcheck` binary and its options, \
so a repeated lint checks only the scripts that changed; `--no-shellcheck-cache` checks every \
script afresh.
";
