use crate::context::{Context, Hit};
use crate::parser::{Command, Healthcheck, Kind};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD, COPY, ADD and VOLUME arguments that are
    /// written as a JSON array but are not valid JSON: single or typographic quotes, a
    /// backslash that is not doubled, a trailing or missing comma, a number where a string
    /// belongs.
    ///
    /// Shell commands that merely start with `[` (`RUN [ -f /etc/app.conf ] && …`) are not
    /// JSON-like and stay quiet.
    ///
    /// ## Why
    /// Docker does not report the mistake: text that fails to parse as JSON is taken as the shell
    /// form. `CMD ['nginx', '-g', 'daemon off;']` runs `/bin/sh -c "['nginx', …]"`, which fails
    /// at container start with "not found"; `COPY ['a', '/b']` copies files literally named
    /// `['a',`. The mistake surfaces late and far from its cause.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// CMD ['nginx', '-g', 'daemon off;']
    /// ENTRYPOINT ["C:\app\run.exe"]
    /// # good
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ENTRYPOINT ["C:\\app\\run.exe"]
    /// ```
    InvalidJsonForm {
        id: "SW-DF-084",
        name: "invalid-json-form",
        title: "Exec form that is not valid JSON",
        area: Dockerfile,
        group: "correctness",
        severity: Medium,
        remediation: "Write exec-form arrays as valid JSON: double quotes, commas between elements, backslashes doubled.",
        refs: [],
        fire: [
            "FROM nginx:1.27\nCMD ['nginx', '-g', 'daemon off;']\n",
            "FROM alpine:3.20\nentrypoint [\"/app/run\", \"--port\", 8080]\n",
            "FROM alpine:3.20\nRUN [\"apk\", \"add\", \"curl\",]\n",
            "FROM alpine:3.20\nVOLUME ['/data']\nHEALTHCHECK CMD [\"curl\" \"-f\" \"http://localhost/\"]\n",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nENTRYPOINT [\"C:\\app\\run.exe\"]\n",
        ],
        quiet: [
            "FROM alpine:3.20\nRUN [ -f /etc/app.conf ] && echo ok\nRUN [ \"$A\" = \"b\" ] || exit 1\n",
            "FROM alpine:3.20\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nCMD []\n",
            "FROM alpine:3.20\nRUN [[ -d /x ]] && echo dir\nVOLUME [\"/data\", \"/logs\"]\nCOPY [\"a b\", \"/c/\"]\n",
            "FROM alpine:3.20\nCMD echo [1]\n",
        ],
    }
}

/// Why `text` looks like a JSON array of strings but is not one; `None` when it is valid or
/// does not look like one.
pub(crate) fn json_mistake(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    if serde_json::from_str::<Vec<String>>(t).is_ok() {
        return None;
    }
    let mut chars = inner.chars().peekable();
    let (mut items, mut expect_item) = (0, true);
    let (mut single, mut smart, mut escape, mut trailing, mut missing, mut non_string) =
        (false, false, false, false, false, false);
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(c) = chars.next() else { break };
        match c {
            ',' => {
                if expect_item {
                    return None;
                }
                expect_item = true;
                trailing = true;
            }
            '"' | '\'' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' => {
                if !expect_item {
                    missing = true;
                }
                let closes: &[char] = match c {
                    '"' => &['"'],
                    '\'' => &['\''],
                    '\u{201c}' | '\u{201d}' => &['\u{201c}', '\u{201d}'],
                    _ => &['\u{2018}', '\u{2019}'],
                };
                single |= c == '\'';
                smart |= !matches!(c, '"' | '\'');
                let mut closed = false;
                while let Some(n) = chars.next() {
                    if closes.contains(&n) {
                        closed = true;
                        break;
                    }
                    if n == '\\' && c == '"' {
                        match chars.next() {
                            Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') => {}
                            _ => escape = true,
                        }
                    }
                }
                if !closed {
                    return None;
                }
                items += 1;
                expect_item = false;
                trailing = false;
            }
            _ => {
                // A bare token: JSON-like only when it is a number or a literal.
                let mut token = String::from(c);
                while let Some(n) = chars.next_if(|n| !n.is_whitespace() && *n != ',') {
                    token.push(n);
                }
                let literal = token.parse::<f64>().is_ok()
                    || matches!(token.as_str(), "true" | "false" | "null");
                if !literal {
                    return None;
                }
                if !expect_item {
                    missing = true;
                }
                non_string = true;
                items += 1;
                expect_item = false;
                trailing = false;
            }
        }
    }
    if items == 0 {
        return None;
    }
    Some(if smart {
        "typographic quotes instead of \""
    } else if single {
        "single quotes instead of \""
    } else if escape {
        "a backslash that is not doubled"
    } else if non_string {
        "an element that is not a string"
    } else if trailing {
        "a trailing comma"
    } else if missing {
        "a missing comma"
    } else {
        "invalid JSON"
    })
}

impl Check for InvalidJsonForm {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let command = match &ins.kind {
                Kind::Run(c) | Kind::Cmd(c) | Kind::Entrypoint(c) => Some(c),
                Kind::Healthcheck(Healthcheck::Cmd(c)) => Some(c),
                Kind::Copy(a) | Kind::Add(a) if !a.json => None,
                Kind::Volume(_) => None,
                _ => continue,
            };
            let keyword = match &ins.kind {
                Kind::Healthcheck(_) => "HEALTHCHECK CMD",
                _ => ins.keyword.as_str(),
            };
            match command {
                Some(Command::Shell(text)) => {
                    if !ins.heredocs.is_empty() {
                        continue;
                    }
                    if let Some(why) = json_mistake(&text.text) {
                        out.push(cx.hit_at(
                            i,
                            text.range,
                            format!(
                                "{keyword} looks like an exec-form array but is not valid JSON ({why}); Docker runs it as a shell command"
                            ),
                        ));
                    }
                }
                Some(Command::Exec { .. }) => {}
                None => {
                    if let Some(why) = json_mistake(ins.args()) {
                        out.push(cx.hit(
                            i,
                            format!(
                                "{keyword} looks like a JSON array but is not valid JSON ({why}); Docker splits it on spaces and takes the brackets and quotes literally"
                            ),
                        ));
                    }
                }
            }
        }
    }
}
