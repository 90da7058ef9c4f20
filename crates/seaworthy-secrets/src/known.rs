//! Credentials of a self-identifying format, for callers that flag any of them the same way
//! (the Dockerfile rules and their redaction), and value display built on them.

use crate::catalog::PATTERNS;
use crate::pattern::Kind;
use crate::scan::{self, Candidate};
use crate::{is_secret_name, looks_random, mask, private_key};

/// How many known credentials one text may report.
const MAX_KNOWN: usize = 256;

/// A credential in a format whose prefix or structure identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSecret {
    /// The catalog id (`github-pat`).
    pub id: &'static str,
    /// What it is, for messages (`AWS access key id`).
    pub kind: &'static str,
    /// Byte range in the scanned text (a key block's header through its body).
    pub start: usize,
    pub end: usize,
    /// What may be shown: the masked value, or a private key's header line.
    pub shown: String,
}

/// Credentials of a known format in `text` (tokens and private keys of high or critical
/// severity; see [`crate::Pattern::is_known_format`]), in order. Documentation examples
/// (`AKIAIOSFODNN7EXAMPLE`) are skipped.
pub fn find_known(text: &str) -> Vec<KnownSecret> {
    let mut found: Vec<Candidate> = Vec::new();
    scan::anchored(text, MAX_KNOWN, &mut found);
    found.retain(|c| PATTERNS.get(c.pattern).is_some_and(|p| p.is_known_format()));
    scan::finish(text, found, MAX_KNOWN)
        .into_iter()
        .filter_map(|s| {
            let value = text.get(s.start..s.end)?;
            let shown = match s.pattern.kind {
                Kind::PrivateKey => {
                    private_key::header(value).map_or_else(|| mask(value), str::to_string)
                }
                _ => mask(value),
            };
            Some(KnownSecret {
                id: s.pattern.id,
                kind: s.pattern.title,
                start: s.start,
                end: s.end,
                shown,
            })
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let key = find_known("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
        assert_eq!(key.len(), 1);
        assert_eq!(
            key.first().map(|k| k.shown.as_str()),
            Some("-----BEGIN OPENSSH PRIVATE KEY-----")
        );
        // A header without a body is not a key.
        assert!(find_known("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n").is_empty());
        assert!(find_known("-----BEGIN PUBLIC KEY-----").is_empty());
        assert_eq!(mask("ghp_abcdefghij"), "ghp_****");
        assert_eq!(mask("admin"), "a****");
    }

    #[test]
    fn shown_values_mask_secrets() {
        assert_eq!(shown_value("DB_PASSWORD", "hunter2-Prod"), "hunt****");
        assert_eq!(shown_value("GREETING", "hello"), "hello");
        assert_eq!(
            shown_value(
                "CLONE",
                "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com"
            ),
            "https://ghp_****@github.com"
        );
    }
}
