//! Variable-name heuristics: does `DB_PASSWORD` hold a secret, does `PASSWORD_FILE`?

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
}
