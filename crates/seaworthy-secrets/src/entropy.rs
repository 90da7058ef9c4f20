//! Randomness heuristics: Shannon entropy and "looks like a generated credential".

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
