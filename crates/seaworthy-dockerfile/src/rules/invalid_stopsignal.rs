use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags STOPSIGNAL values Docker does not know: a signal name that does not exist (after
    /// removing an optional `SIG` prefix, any case) or the number 0.
    ///
    /// Variables are expanded first; a value that depends on an unknown variable stays quiet.
    ///
    /// ## Why
    /// BuildKit validates the signal and stops the build with "Invalid signal". Typos such as
    /// `SIGTERN` or `SIGQUITE` are easy to make and only show up at build time on CI.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// STOPSIGNAL SIGTERN
    /// # good
    /// STOPSIGNAL SIGTERM
    /// ```
    InvalidStopsignal {
        id: "SW-DF-089",
        name: "invalid-stopsignal",
        title: "STOPSIGNAL names an unknown signal",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Use a signal name such as SIGTERM, SIGQUIT or SIGINT, or a signal number.",
        refs: [],
        fire: [
            "FROM nginx:1.27\nSTOPSIGNAL SIGTERN\n",
            "FROM nginx:1.27\nARG SIG=SIGSTOPP\nstopsignal $SIG\n",
            "FROM nginx:1.27\nSTOPSIGNAL 0\n",
        ],
        quiet: [
            "FROM nginx:1.27\nSTOPSIGNAL SIGQUIT\n",
            "FROM php:8.3-fpm\nSTOPSIGNAL quit\n",
            "FROM postgres:17\nSTOPSIGNAL 9\nSTOPSIGNAL SIGRTMIN+3\nSTOPSIGNAL $UNSET\n",
        ],
    }
}

const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN",
    "RTMAX",
];

fn is_known(signal: &str) -> bool {
    if let Ok(n) = signal.parse::<i64>() {
        return n != 0;
    }
    let upper = signal.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) {
        return true;
    }
    // Real-time signals: RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1.
    let offset = |rest: &str| rest.parse::<u8>().is_ok_and(|n| (1..=15).contains(&n));
    name.strip_prefix("RTMIN+").is_some_and(offset)
        || name
            .strip_prefix("RTMAX-")
            .is_some_and(|r| r.parse::<u8>().is_ok_and(|n| (1..=14).contains(&n)))
}

impl Check for InvalidStopsignal {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::Stopsignal(word) = &ins.kind else {
                continue;
            };
            let expanded = cx.model.expand_full(cx.df, i, &word.raw);
            let value = expanded.value.trim();
            if !expanded.unresolved.is_empty() || value.is_empty() || is_known(value) {
                continue;
            }
            let shown = if word.raw.contains('$') {
                format!("`{}` (= `{value}`)", word.raw)
            } else {
                format!("`{value}`")
            };
            out.push(cx.hit_at(
                i,
                word.range,
                format!("STOPSIGNAL {shown} is not a signal Docker knows; the build fails"),
            ));
        }
    }
}
