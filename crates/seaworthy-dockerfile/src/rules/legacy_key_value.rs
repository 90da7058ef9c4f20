use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::secret_util::shown_value;

seaworthy_core::declare_rule! {
    /// Flags the legacy whitespace form `ENV key value` (and `LABEL key value`) instead of
    /// `key=value`.
    ///
    /// ## Why
    /// In the legacy form everything after the first space is the value, quotes and further
    /// words included, and one instruction can set only one variable. It reads like the
    /// `key=value` form but parses differently (`ENV A 1 B 2` sets `A` to `1 B 2`), and Docker
    /// documents it as deprecated.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ENV JAVA_HOME /usr/lib/jvm/java-17
    /// LABEL maintainer "Jane <jane@example.com>"
    /// # good
    /// ENV JAVA_HOME=/usr/lib/jvm/java-17
    /// LABEL maintainer="Jane <jane@example.com>"
    /// ```
    LegacyKeyValue {
        id: "SW-DF-081",
        name: "legacy-key-value",
        title: "Legacy ENV/LABEL key value form",
        area: Dockerfile,
        group: "correctness",
        severity: Info,
        remediation: "Write ENV and LABEL as key=value (quote values that contain spaces).",
        refs: [BuildKit("LegacyKeyValueFormat")],
        fire: [
            "FROM alpine:3.20\nENV JAVA_HOME /usr/lib/jvm/java-17\n",
            "FROM alpine:3.20\nlabel maintainer \"Jane <jane@example.com>\"\nENV OPTS -Xmx1g -Xms1g\n",
            // The value of a secret is masked in the message and the evidence.
            "FROM alpine:3.20\nENV JWT_SECRET changeme\nLABEL token ghp_R8x2Lq9Zw4Nv7Tb3Kp6Ys1Hd5Fm0Gc8Jx2Wa\n",
        ],
        quiet: [
            "FROM alpine:3.20\nENV JAVA_HOME=/usr/lib/jvm/java-17 OPTS=\"-Xmx1g -Xms1g\"\n",
            "FROM alpine:3.20\nLABEL maintainer=\"Jane <jane@example.com>\" version=1\n",
        ],
    }
}

fn suggestion(key: &str, raw_value: &str) -> String {
    let v = raw_value.trim();
    let quoted = (v.starts_with('"') && v.ends_with('"') && v.len() > 1)
        || (v.starts_with('\'') && v.ends_with('\'') && v.len() > 1);
    if !quoted && v.contains(char::is_whitespace) {
        format!("{key}=\"{}\"", v.replace('"', "\\\""))
    } else {
        format!("{key}={v}")
    }
}

impl Check for LegacyKeyValue {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let (pair, keyword) = match &ins.kind {
                Kind::Env {
                    pairs,
                    legacy: true,
                } => (pairs.first(), "ENV"),
                Kind::Label(pairs)
                    if ins
                        .args()
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| !w.contains('=')) =>
                {
                    (pairs.first(), "LABEL")
                }
                _ => continue,
            };
            let Some(pair) = pair else { continue };
            // Do not echo the value of a secret (`ENV DB_PASSWORD s3cret`) into the report.
            let shown = shown_value(&pair.key, &pair.value);
            let secret = shown != pair.value;
            let value = if secret { &shown } else { &pair.raw_value };
            let mut hit = cx.hit_at(
                i,
                pair.range,
                format!(
                    "legacy `{keyword} {} …` form; write `{keyword} {}`",
                    pair.key,
                    suggestion(&pair.key, value)
                ),
            );
            if secret {
                hit.evidence = Some(format!("{} {shown}", pair.key));
            }
            out.push(hit);
        }
    }
}
