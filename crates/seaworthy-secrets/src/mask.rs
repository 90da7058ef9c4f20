//! Masking: a secret is never shown in full, whatever the report format.

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
