use crate::context::{Context, Hit, RunScript, clip};
use crate::rules::Check;
use crate::rules::remote_script_pipe::script_range;
use crate::rules::secret_util::{find_known, is_placeholder, is_secret_name, mask, mask_in};
use crate::shell::ShellCommand;

seaworthy_core::declare_rule! {
    /// Flags credentials written on a RUN command line: `curl -u user:pass`, `wget
    /// --password=…`, `mysql -pPASS`, `docker login -p …`, `sshpass -p …`, `htpasswd -b … pass`,
    /// generic `--password`/`--token`/`--api-key` options, `TOKEN=literal cmd` and `export
    /// API_KEY=…` assignments, and URLs with a password (`https://user:pass@host`). Values that
    /// are variable references (`-p"$DB_PASSWORD"`) or placeholders are fine. Only the first four
    /// characters of a secret are shown.
    ///
    /// ## Why
    /// The RUN command line is stored verbatim in the image history (`docker history
    /// --no-trunc`), printed in build logs and kept in the Dockerfile's repository.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// RUN curl -u deploy:hunter2 -fsSLO https://repo.example.com/app.tgz
    /// # good
    /// RUN --mount=type=secret,id=repo_auth,env=REPO_AUTH \
    ///     curl -u "$REPO_AUTH" -fsSLO https://repo.example.com/app.tgz
    /// ```
    SecretInRun {
        id: "SW-DF-067",
        name: "secret-in-run",
        title: "Secret on the RUN command line",
        area: Dockerfile,
        group: "secrets",
        severity: High,
        remediation: "Pass the secret with RUN --mount=type=secret (env= or a file) and reference it as a variable; rotate the exposed one.",
        refs: [Cis("4.10")],
        fire: [
            "FROM debian:12\nRUN curl -fsSL -u deploy:hunter2 \\\n    -o /tmp/app.tgz https://repo.example.com/app.tgz\n",
            "FROM mysql:8\nRUN <<EOF\nmysqld --initialize-insecure\nmysql -uroot -pS3cretRoot -e 'CREATE DATABASE app'\nEOF\n",
            "FROM python:3.12\nRUN pip install --index-url https://ci:Zq8Lp2Vx@pypi.example.com/simple app\n",
            "FROM node:20\nRUN NPM_TOKEN=npm-secret-42 npm publish && export API_KEY=k3y-Value-9\nRUN [\"sh\", \"-c\", \"echo \\\"SECRET_KEY=Zq8Lp2Vx9R\\\" >> /app/.env\"]\n",
        ],
        quiet: [
            "FROM debian:12\nRUN --mount=type=secret,id=auth,env=AUTH curl -u \"$AUTH\" -fsSLO https://repo.example.com/a\n",
            "FROM mysql:8\nRUN mysql -uroot -p\"$MYSQL_ROOT_PASSWORD\" -e 'SELECT 1' && mysql -p mydb < /dev/null\n",
            "FROM alpine:3.20\nRUN git clone \"https://x-access-token:${GH_TOKEN}@github.com/org/app.git\" && docker login --password-stdin -u ci < /run/secrets/pw\n",
            "FROM alpine:3.20\nRUN curl -fsSL https://example.com/a?token=abc -o /a && echo PASSWORD= >> /etc/app.env\n",
        ],
    }
}

/// A literal secret value: not a variable reference, not a placeholder, not a known format
/// (SW-DF-068 reports those).
fn literal_secret(value: &str) -> Option<&str> {
    let v = value.trim();
    let ok = !v.is_empty()
        && !v.contains('$')
        && !v.contains('`')
        && !is_placeholder(v)
        && find_known(v).is_empty();
    ok.then_some(v)
}

const LOGIN_TOOLS: &[&str] = &[
    "docker", "podman", "buildah", "skopeo", "helm", "oras", "nerdctl", "crane", "regctl",
];
const MYSQL_TOOLS: &[&str] = &[
    "mysql",
    "mariadb",
    "mysqladmin",
    "mysqldump",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
    "mariadb-admin",
    "mariadb-dump",
];
const GENERIC_FLAGS: &[&str] = &[
    "--password",
    "--passwd",
    "--pass",
    "--token",
    "--api-key",
    "--apikey",
    "--secret",
    "--client-secret",
    "--auth-token",
    "--access-token",
    "--secret-key",
    "--http-password",
    "--ftp-password",
    "--proxy-password",
];

/// The secret a command takes on its command line, with what it is.
fn command_secret(cmd: &ShellCommand) -> Option<(&str, &'static str)> {
    let name = cmd.name.as_str();
    if name == "curl"
        && let Some(v) = cmd.flag_value(&["-u", "--user", "-U", "--proxy-user"])
        && let Some((_, pass)) = v.split_once(':')
    {
        return literal_secret(pass).map(|p| (p, "a password in `curl -u user:pass`"));
    }
    if MYSQL_TOOLS.contains(&name) {
        let attached = cmd.args.iter().find_map(|a| {
            a.strip_prefix("-p")
                .filter(|r| !r.is_empty() && !a.starts_with("--"))
                .or_else(|| a.strip_prefix("--password="))
        });
        return attached
            .and_then(literal_secret)
            .map(|p| (p, "a database password"));
    }
    if LOGIN_TOOLS.contains(&name)
        && cmd.args.iter().any(|a| a == "login")
        && let Some(p) = cmd
            .flag_value(&["-p", "--password"])
            .and_then(literal_secret)
    {
        return Some((p, "a registry password"));
    }
    if name == "sshpass"
        && let Some(p) = cmd.flag_value(&["-p"]).and_then(literal_secret)
    {
        return Some((p, "an SSH password"));
    }
    if name == "htpasswd" && cmd.has_flag(&["-b"]) {
        let positional: Vec<&str> = cmd.positional().collect();
        if positional.len() >= 3
            && let Some(p) = positional.last().copied().and_then(literal_secret)
        {
            return Some((p, "an htpasswd password"));
        }
    }
    if matches!(name, "sh" | "bash" | "dash" | "ash" | "zsh") {
        return None;
    }
    cmd.flag_value(GENERIC_FLAGS)
        .filter(|v| !v.starts_with('-'))
        .and_then(literal_secret)
        .map(|p| (p, "a secret option"))
}

/// `scheme://user:pass@host` in `text`: (start, end) of the password.
pub(crate) fn url_passwords(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find("://")) {
        let auth_start = from + pos + 3;
        from = auth_start;
        let rest = text.get(auth_start..).unwrap_or_default();
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '?' | '#'))
            .unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or_default();
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = authority.get(..at).unwrap_or_default();
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let pass = userinfo.get(colon + 1..).unwrap_or_default();
        if literal_secret(pass).is_some() && !pass.starts_with('{') {
            let s = auth_start + colon + 1;
            found.push((s, s + pass.len()));
        }
    }
    found
}

/// `NAME=value` assignments with a secret-like name in `text`: (start, end, name, value).
pub(crate) fn assignments(text: &str) -> Vec<(usize, usize, String, String)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let before = i.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let word_start = before.is_none_or(|b| {
            b.is_ascii_whitespace() || matches!(b, b';' | b'&' | b'|' | b'(' | b'\'' | b'"')
        });
        // `'TOKEN=abc cmd'` in a `sh -c` string, `"API_KEY=abc"` written to a file.
        let opener = before.filter(|b| matches!(b, b'\'' | b'"'));
        let first_ok = bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if !(word_start && first_ok) {
            i += 1;
            continue;
        }
        let name_len = bytes
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let eq = i + name_len;
        if bytes.get(eq) != Some(&b'=') {
            i = eq.max(i + 1);
            continue;
        }
        // The value: up to unquoted whitespace or an operator.
        let mut j = eq + 1;
        let mut quote: Option<u8> = None;
        let mut value = String::new();
        while let Some(&b) = bytes.get(j) {
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => value.push(char::from(b)),
                None if Some(b) == opener => break,
                None if b == b'\'' || b == b'"' => quote = Some(b),
                None if b.is_ascii_whitespace() || matches!(b, b';' | b'&' | b'|' | b')') => {
                    break;
                }
                None => value.push(char::from(b)),
            }
            j += 1;
        }
        let name = text.get(i..eq).unwrap_or_default().to_string();
        if value.is_ascii() && is_secret_name(&name) && literal_secret(&value).is_some() {
            found.push((i, j, name, value));
        }
        i = j.max(i + 1);
    }
    found
}

impl SecretInRun {
    fn commands(&self, cx: &Context<'_>, run: &RunScript, out: &mut Vec<Hit>) {
        for cmd in &run.script.commands {
            let Some((secret, what)) = command_secret(cmd) else {
                continue;
            };
            let mut hit = cx.hit_cmd(
                run,
                cmd,
                format!(
                    "`{}` is given {what} on its command line ({})",
                    cmd.name,
                    mask(secret)
                ),
            );
            hit.evidence = Some(clip(&mask_in(&cmd.display(), secret)));
            out.push(hit);
        }
    }

    fn text(&self, run: &RunScript, out: &mut Vec<Hit>) {
        let text = run.text.as_str();
        for (s, e) in url_passwords(text) {
            let pass = text.get(s..e).unwrap_or_default();
            let url_start = text.get(..s).and_then(|t| t.rfind("://")).map_or(s, |p| {
                text.get(..p)
                    .and_then(|t| t.rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+'))
                    .map_or(0, |q| q + 1)
            });
            let url_end = text
                .get(e..)
                .and_then(|t| t.find(|c: char| c.is_whitespace() || c == '"' || c == '\''))
                .map_or(text.len(), |p| e + p);
            let url = text.get(url_start..url_end).unwrap_or_default();
            out.push(Hit {
                instr: run.instr,
                range: script_range(run, url_start, url_end),
                message: format!("a URL carries a password ({})", mask(pass)),
                evidence: Some(clip(&mask_in(url, pass))),
            });
        }
        for (s, e, name, value) in assignments(text) {
            out.push(Hit {
                instr: run.instr,
                range: script_range(run, s, e),
                message: format!("`{name}` is assigned a literal secret ({})", mask(&value)),
                evidence: Some(format!("{name}={}", mask(&value))),
            });
        }
    }
}

impl Check for SecretInRun {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in &cx.runs {
            self.commands(cx, run, out);
            self.text(run, out);
        }
    }
}
