//! Helpers shared by the secret rules (SW-DF-065..069): secret-like names, placeholders,
//! Shannon entropy, known credential formats and masking. No rule lives here.

/// Shows the first 4 characters of a secret and hides the rest. Short secrets show less (a
/// third of their length at most), so a 5-character password is not all but given away.
pub fn mask(secret: &str) -> String {
    let shown = (secret.chars().count() / 3).min(4);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}****")
}

/// Replaces every occurrence of `secret` in `text` with its masked form.
pub fn mask_in(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    text.replace(secret, &mask(secret))
}

/// `value` as a message of a non-secret rule may show it: masked whole when the variable's
/// name says it holds a secret (`DB_PASSWORD`) or the value looks like a random credential,
/// with credentials of a known format masked inside it otherwise.
pub fn shown_value(name: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    if is_secret_name(name) || looks_random(value) {
        return mask(value);
    }
    let mut shown = value.to_string();
    for k in find_known(value).iter().rev() {
        if shown.get(k.start..k.end).is_some() {
            shown.replace_range(k.start..k.end, &k.shown);
        }
    }
    shown
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts: Vec<(char, usize)> = Vec::new();
    let mut total = 0usize;
    for c in s.chars() {
        total += 1;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    if total == 0 {
        return 0.0;
    }
    let total = total as f64;
    counts
        .iter()
        .map(|&(_, n)| {
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Name tokens that mean "this variable holds a secret".
const SECRET_TOKENS: &[&str] = &[
    "password",
    "passwd",
    "pword",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "authtoken",
    "credential",
    "credentials",
];

/// Adjacent token pairs that mean the same (`API_KEY`, `PRIVATE_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("auth", "key"),
    ("encryption", "key"),
    ("signing", "key"),
    ("master", "key"),
];

/// A last token that says the variable holds metadata about a secret, not the secret.
const META_TOKENS: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "name",
    "user",
    "username",
    "type",
    "length",
    "len",
    "id",
    "version",
    "header",
    "env",
    "var",
    "host",
    "port",
    "enabled",
    "enable",
    "required",
    "policy",
    "mode",
    "method",
    "format",
    "prompt",
    "min",
    "max",
    "size",
    "ttl",
    "timeout",
    "expiry",
    "expires",
    "location",
    "arn",
    "ref",
    "hash",
    "sha",
    "salt",
    "rounds",
    "cost",
    "algorithm",
    "algo",
    "command",
    "cmd",
    "helper",
    "provider",
    "store",
    "backend",
    "config",
    "mount",
];

/// Splits a variable name into lower-case tokens at `_`, `-`, `.` and camelCase boundaries.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            tokens.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// Whether a variable name says it holds a secret (`DB_PASSWORD`, `apiKey`, `GITHUB_TOKEN`),
/// excluding names of metadata about a secret (`PASSWORD_FILE`, `TOKEN_URL`, `ACCESS_KEY_ID`).
pub fn is_secret_name(name: &str) -> bool {
    let tokens = name_tokens(name);
    let Some(last) = tokens.last() else {
        return false;
    };
    if META_TOKENS.contains(&last.as_str()) || tokens.iter().any(|t| t == "public") {
        return false;
    }
    let single = tokens.iter().any(|t| SECRET_TOKENS.contains(&t.as_str()))
        // `DB_PWD` is a password; `PWD` and `OLDPWD` are directories.
        || (tokens.len() > 1 && tokens.iter().any(|t| t == "pwd"));
    let pair = tokens
        .windows(2)
        .any(|w| matches!(w, [a, b] if SECRET_PAIRS.contains(&(a.as_str(), b.as_str()))));
    single || pair
}

/// Whether a literal value is an obvious placeholder rather than a real secret.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    if v.is_empty() {
        return true;
    }
    // One repeated character, separators aside: `0000-0000`, `XXXXXXXX`, `****`.
    let mut distinct = v.chars().filter(|c| !matches!(c, '-' | '_' | '.' | ' '));
    if let Some(first) = distinct.next() {
        if distinct.all(|c| c == first) {
            return true;
        }
    } else {
        return true;
    }
    const WORDS: &[&str] = &[
        "example",
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "placeholder",
        "dummy",
        "redacted",
        "your_",
        "your-",
        "yourpass",
        "yoursecret",
        "yourtoken",
        "xxx",
        "***",
        "<",
        "{{",
        "todo",
        "replace",
        "insert",
        "sample",
        "fake",
        "notset",
        "not-set",
        "not_set",
    ];
    const EXACT: &[&str] = &[
        "none",
        "null",
        "nil",
        "undefined",
        "false",
        "true",
        "no",
        "yes",
        "n/a",
        "na",
        "tbd",
        "unset",
        "empty",
        "default",
        "auto",
        "random",
        "generate",
    ];
    WORDS.iter().any(|w| v.contains(w))
        || EXACT.contains(&v.as_str())
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("file:")
        || v.starts_with("env:")
}

/// Whether `s` looks like a random credential: long, base64-ish, mixed character classes and
/// high Shannon entropy. Checksums (pure hex), paths, URLs, versions and word lists stay out.
pub fn looks_random(s: &str) -> bool {
    let len = s.chars().count();
    if !(20..=512).contains(&len) {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'))
    {
        return false;
    }
    if s.starts_with('/') || s.starts_with('-') || s.chars().all(|c| c.is_ascii_hexdigit()) {
        return false;
    }
    let upper = s.chars().any(|c| c.is_ascii_uppercase());
    let lower = s.chars().any(|c| c.is_ascii_lowercase());
    let digit = s.chars().any(|c| c.is_ascii_digit());
    if !(upper && lower && digit) {
        return false;
    }
    let longest_run = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_run < 16 {
        return false;
    }
    let threshold = (0.85 * (len as f64).log2()).min(4.0);
    entropy(s) >= threshold
}

/// A credential in a format whose prefix identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSecret {
    /// What it is, for messages (`AWS access key id`).
    pub kind: &'static str,
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// What may be shown: the masked value, or a private key's header line.
    pub shown: String,
}

/// `(prefix, kind, allowed body chars, min body length, max body length)`.
type Format = (&'static str, &'static str, fn(u8) -> bool, usize, usize);

fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn alnum_dash_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

const FORMATS: &[Format] = &[
    ("AKIA", "AWS access key id", upper_digit, 16, 16),
    ("ASIA", "AWS temporary access key id", upper_digit, 16, 16),
    ("ghp_", "GitHub personal access token", alnum, 36, 36),
    ("gho_", "GitHub OAuth token", alnum, 36, 36),
    ("ghu_", "GitHub user-to-server token", alnum, 36, 36),
    ("ghs_", "GitHub server-to-server token", alnum, 36, 36),
    ("ghr_", "GitHub refresh token", alnum, 36, 36),
    (
        "github_pat_",
        "GitHub fine-grained token",
        alnum_underscore,
        22,
        255,
    ),
    (
        "glpat-",
        "GitLab personal access token",
        alnum_dash_underscore,
        20,
        64,
    ),
    ("xoxb-", "Slack bot token", alnum_dash, 10, 255),
    ("xoxp-", "Slack user token", alnum_dash, 10, 255),
    ("xoxa-", "Slack app token", alnum_dash, 10, 255),
    ("xoxr-", "Slack refresh token", alnum_dash, 10, 255),
    ("xoxs-", "Slack session token", alnum_dash, 10, 255),
    ("sk_live_", "Stripe secret key", alnum, 20, 255),
    ("rk_live_", "Stripe restricted key", alnum, 20, 255),
    ("AIza", "Google API key", alnum_dash_underscore, 35, 35),
    ("npm_", "npm access token", alnum, 36, 36),
    (
        "pypi-AgEIcHlwaS5vcmc",
        "PyPI API token",
        alnum_dash_underscore,
        50,
        512,
    ),
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Credentials of a known format in `text`, in order. Documentation examples
/// (`AKIAIOSFODNN7EXAMPLE`) are skipped.
pub fn find_known(text: &str) -> Vec<KnownSecret> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for &(prefix, kind, allowed, min, max) in FORMATS {
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|t| t.find(prefix)) {
            let start = from + pos;
            from = start + prefix.len();
            if start > 0 && bytes.get(start - 1).copied().is_some_and(is_word_byte) {
                continue;
            }
            let body = bytes
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| allowed(b))
                .count();
            let end = from + body;
            let next_is_word = bytes.get(end).copied().is_some_and(is_word_byte);
            if body < min || body > max || (max == min && next_is_word) {
                continue;
            }
            let Some(value) = text.get(start..end) else {
                continue;
            };
            if is_placeholder(value) {
                continue;
            }
            found.push(KnownSecret {
                kind,
                start,
                end,
                shown: mask(value),
            });
            from = end;
        }
    }
    // Private keys: `-----BEGIN [RSA |EC |OPENSSH |…]PRIVATE KEY-----`.
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find("-----BEGIN ")) {
        let start = from + pos;
        from = start + "-----BEGIN ".len();
        let rest = text.get(from..).unwrap_or_default();
        let Some(dashes) = rest.find("-----") else {
            break;
        };
        let label = rest.get(..dashes).unwrap_or_default();
        if dashes <= 40 && label.ends_with("PRIVATE KEY") && !label.contains('\n') {
            let end = from + dashes + 5;
            found.push(KnownSecret {
                kind: "private key",
                start,
                end,
                shown: text.get(start..end).unwrap_or_default().to_string(),
            });
            from = end;
        }
    }
    found.sort_by_key(|k| k.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "GITHUB_TOKEN",
            "apiKey",
            "API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "MG_PASS",
            "DB_PWD",
            "client_secret",
            "NPM_AUTH_TOKEN",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "KEEPASSXC_VERSION",
            "GPG_KEYS",
            "PWD",
            "TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "BYPASS",
            "PUBLIC_KEY",
            "SECRET_NAME",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn placeholders() {
        for v in [
            "",
            "00000000-0000-0000-0000-000000000000",
            "XXXXXXXXXXXXXXXX",
            "changeme",
            "<your token>",
            "/run/secrets/db",
            "${TOKEN}x",
        ] {
            assert!(is_placeholder(v) || v.contains('$'), "{v}");
        }
        for v in ["password", "admin", "s3cr3t-Value"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn randomness() {
        assert!(looks_random("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzX9q2Lm4Tb"));
        assert!(looks_random("Zq8Lp2Vx9Rt4Nw7Ks3Bd6Hf1"));
        for v in [
            "349699e0cfaf235669cdb72528982e6519c6ebd109b3c4bc31d1847ca1520d0b",
            "pihole-FTL-musl-linux-x86_64",
            "chacha20-ietf-poly1305",
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000000000000000000000000000",
            "noninteractive",
            "/usr/local/bin/some-long-path-here",
            "DOCKER_BUILDKIT_VERSION12",
        ] {
            assert!(!looks_random(v), "{v}");
        }
    }

    #[test]
    fn known_formats() {
        let text = "ENV A=AKIAZ7QWERTYUIOPASDF B=ghp_abcdefghijklmnopqrstuvwxyz0123456789 \
                    C=AKIAIOSFODNN7EXAMPLE D=xoxb-123456789012-abcdefABCDEF";
        let kinds: Vec<_> = find_known(text).iter().map(|k| k.kind).collect();
        assert_eq!(
            kinds,
            vec![
                "AWS access key id",
                "GitHub personal access token",
                "Slack bot token"
            ]
        );
        let key = find_known("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
        assert_eq!(key.len(), 1);
        assert!(find_known("-----BEGIN PUBLIC KEY-----").is_empty());
        assert_eq!(mask("ghp_abcdefghij"), "ghp_****");
        assert_eq!(mask("admin"), "a****");
    }
}
