use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;
use crate::rules::secret_util::shown_value;

seaworthy_core::declare_rule! {
    /// Flags an ENV pair that uses a variable set by an earlier pair of the same ENV
    /// instruction: `ENV A=1 B=$A`.
    ///
    /// A pair referring to its own key (`ENV PATH=/opt/bin:$PATH`) is the usual way to extend a
    /// value and stays quiet. References in single quotes are not expanded and stay quiet too.
    ///
    /// ## Why
    /// Docker expands all values of one ENV instruction with the variables as they were *before*
    /// it. `B` gets the previous value of `A` (often empty), not the one written next to it,
    /// and nothing warns about it.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ENV APP_HOME=/srv/app APP_BIN=$APP_HOME/bin
    /// # good
    /// ENV APP_HOME=/srv/app
    /// ENV APP_BIN=$APP_HOME/bin
    /// ```
    EnvSelfReference {
        id: "SW-DF-079",
        name: "env-self-reference",
        title: "ENV uses a variable set in the same instruction",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Split the ENV instruction so that a variable is set before the instruction that uses it.",
        refs: [Hadolint("DL3044")],
        fire: [
            "FROM alpine:3.20\nENV APP_HOME=/srv/app APP_BIN=$APP_HOME/bin\n",
            "FROM alpine:3.20\nENV V=1\nenv V=2 \\\n    URL=\"https://example.com/${V}/x\"\n",
            // Secret values are masked in the message.
            "FROM alpine:3.20\nENV DB_PASS=s3cr3tP4ss\nENV DB_PASS=Hunter2Hunter2 DSN=\"pg://app:${DB_PASS}@db/app\"\n",
        ],
        quiet: [
            "FROM alpine:3.20\nENV PATH=/opt/bin:$PATH GOPATH=/go\n",
            "FROM alpine:3.20\nENV APP_HOME=/srv/app\nENV APP_BIN=$APP_HOME/bin\n",
            "FROM alpine:3.20\nENV A=1 B='$A' C=\\$A\n",
            "FROM alpine:3.20\nENV B=$A A=1\n",
        ],
    }
}

/// Names of the variables `raw` refers to (`$N`, `${N}`, `${N:-…}`), outside single quotes.
pub(crate) fn referenced_vars(raw: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = raw.chars().collect();
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    let mut names = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == escape && !single {
            i += 2;
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' if !single => {
                let start = if chars.get(i + 1) == Some(&'{') {
                    i + 2
                } else {
                    i + 1
                };
                let name: String = chars
                    .get(start..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|c| is_name(c))
                    .collect();
                if !name.is_empty() {
                    i = start + name.chars().count();
                    names.push(name);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    names
}

impl Check for EnvSelfReference {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::Env { pairs, .. } = &ins.kind else {
                continue;
            };
            for (k, pair) in pairs.iter().enumerate() {
                let earlier = pairs.get(..k).unwrap_or(&[]);
                let Some((name, set)) = referenced_vars(&pair.raw_value, cx.df.escape())
                    .into_iter()
                    .find_map(|n| {
                        let set = earlier.iter().rev().find(|p| p.key == n)?;
                        Some((n, set))
                    })
                else {
                    continue;
                };
                let before = match cx.model.lookup(cx.df, i, &name) {
                    Some(v) => format!("its previous value `{}`", shown_value(&name, &v)),
                    None => "the value it had before this line (none that this Dockerfile sets)"
                        .to_string(),
                };
                out.push(cx.hit_at(
                    i,
                    pair.range,
                    format!(
                        "`{}` uses `${name}`, which this same ENV sets to `{}`; it expands to {before}",
                        pair.key,
                        shown_value(&set.key, &set.value)
                    ),
                ));
            }
        }
    }
}
