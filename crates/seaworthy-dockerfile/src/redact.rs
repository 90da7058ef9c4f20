//! Secrets never leave seaworthy in clear: every message, every piece of evidence and every code
//! frame goes through [`redact`], whatever rule produced it.

use crate::rules::{secret_in_run, secret_util};

/// Byte ranges of secret values in `text`: credentials of a known format, URL passwords,
/// values of secret-named assignments and of password options.
pub fn secret_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = secret_util::find_known(text)
        .into_iter()
        .map(|k| {
            // A private key keeps its `-----BEGIN … KEY-----` line; its body is the secret.
            let header = if k.shown.starts_with("-----BEGIN") {
                k.shown.len()
            } else {
                0
            };
            ((k.start + header).min(k.end), k.end)
        })
        .collect();
    ranges.extend(secret_in_run::url_passwords(text));
    for (start, end, name, _) in secret_in_run::assignments(text) {
        // Keep `NAME=` readable; hide what follows.
        ranges.push((start + name.len() + 1, end));
    }
    ranges.extend(option_values(text));
    ranges.retain(|&(s, e)| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    });
    ranges.sort_unstable();
    ranges
}

/// `--password=x`, `--password x`, `-u user:x` (curl), `-px` (mysql-style clients).
fn option_values(text: &str) -> Vec<(usize, usize)> {
    const LONG: &[&str] = &[
        "--password",
        "--passwd",
        "--pass",
        "--token",
        "--secret",
        "--api-key",
        "--apikey",
    ];
    let mysql_like = ["mysql", "mariadb", "mysqladmin", "mysqldump"]
        .iter()
        .any(|c| text.contains(c));
    let words: Vec<(usize, &str)> = text
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect();
    let mut found = Vec::new();
    for (i, &(at, word)) in words.iter().enumerate() {
        let bare = word.trim_matches(|c| c == '"' || c == '\'' || c == '`');
        let lead = word.len() - word.trim_start_matches(['"', '\'']).len();
        for opt in LONG {
            if let Some(rest) = bare.strip_prefix(opt) {
                if let Some(v) = rest.strip_prefix('=') {
                    if !v.is_empty() && !v.starts_with('$') {
                        let s = at + lead + opt.len() + 1;
                        found.push((s, s + v.len()));
                    }
                } else if rest.is_empty()
                    && let Some(&(nat, next)) = words.get(i + 1)
                    && !next.starts_with(['-', '$'])
                {
                    found.push((nat, nat + next.len()));
                }
            }
        }
        if (word == "-u" || word == "--user")
            && text.contains("curl")
            && let Some(&(nat, next)) = words.get(i + 1)
        {
            let next = next.trim_end_matches(['"', '\'', '`', ')']);
            if let Some(colon) = next.find(':') {
                let pass = &next[colon + 1..];
                if !pass.starts_with('$') && pass != "pass" && pass != "password" {
                    found.push((nat + colon + 1, nat + next.len()));
                }
            }
        }
        if mysql_like
            && word.len() > 2
            && word.starts_with("-p")
            && !word.starts_with("-p$")
            && word.is_ascii()
        {
            found.push((at + 2, at + word.len()));
        }
    }
    found
}

/// `text` with every secret value masked: its first characters kept (at most 4, at most a third
/// of it), the rest replaced by `*`, one per character, so columns stay where they were.
pub fn redact(text: &str) -> String {
    let ranges = secret_ranges(text);
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in ranges {
        if s < at {
            continue;
        }
        out.push_str(&text[at..s]);
        let secret = &text[s..e];
        let n = secret.chars().count();
        let shown = (n / 3).min(4);
        out.extend(secret.chars().take(shown));
        out.extend(std::iter::repeat_n('*', n - shown));
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_kind_and_keeps_columns() {
        let cases = [
            "RUN mysql -uroot -pSuperSecret123 -e 'select 1'",
            "RUN git clone https://user:glpat-abcdefghij1234567890@gitlab.com/x/y.git",
            "RUN curl -u admin:s3cr3tP4ss https://x.example/i.sh | bash",
            "ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Rt3Xa",
            "RUN tool --password=hunter2hunter2 && tool --token abcdefabcdef123456",
            "ENV GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ];
        for case in cases {
            let r = redact(case);
            assert_eq!(r.chars().count(), case.chars().count(), "{r}");
            for secret in [
                "SuperSecret123",
                "glpat-abcdefghij1234567890",
                "s3cr3tP4ss",
                "bPxRfiCYEXAMPLEKEY",
                "hunter2hunter2",
                "abcdefabcdef123456",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            ] {
                assert!(!r.contains(secret), "{secret} left in {r}");
            }
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for text in [
            "RUN apt-get install -y curl",
            "ENV PASSWORD_FILE=/run/secrets/db",
            "RUN mysql -p$MYSQL_PWD",
            "RUN curl -u $USER:$PASS x",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
