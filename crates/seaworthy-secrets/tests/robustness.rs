//! Arbitrary input never panics, every range lies in the text, and masks never show a value.
//! (The `secrets_scan` fuzz target checks the same property without bounds.)

use proptest::prelude::*;
use seaworthy_secrets::{patterns, scan_file, scan_text};

const PATHS: &[&str] = &[
    "etc/app.conf",
    "root/.netrc",
    "root/.pypirc",
    "root/.git-credentials",
    "srv/app/.env",
];

/// Text built from anchors, separators and random characters, so matchers get exercised.
fn anchor_soup() -> impl Strategy<Value = String> {
    let mut pieces: Vec<String> = patterns()
        .iter()
        .flat_map(|p| p.anchors().iter().map(|a| a.to_string()))
        .collect();
    pieces.extend(
        [
            "=",
            ": ",
            "\"",
            "'",
            "\n",
            "-----",
            "-----BEGIN ",
            "\\n",
            "@",
            ":",
            " password ",
            "A1b2C3d4E5f6G7h8",
        ]
        .map(String::from),
    );
    let piece = prop_oneof![
        proptest::sample::select(pieces),
        "[A-Za-z0-9+/=_.~-]{0,40}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

fn check(text: &str, found: &[seaworthy_secrets::Secret]) -> Result<(), TestCaseError> {
    for s in found {
        let value = text.get(s.start..s.end);
        prop_assert!(
            value.is_some_and(|v| !v.is_empty()),
            "{} {}..{}",
            s.id(),
            s.start,
            s.end
        );
        if let Some(v) = value
            && v.len() > 4
        {
            prop_assert!(!s.masked.contains(v), "{} shows {v}", s.id());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn soup_is_scanned_safely(text in anchor_soup(), which in 0usize..PATHS.len()) {
        check(&text, &scan_text(&text))?;
        check(&text, &scan_file(PATHS[which], text.as_bytes()))?;
    }

    #[test]
    fn bytes_are_scanned_safely(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let found = scan_file("etc/blob", &bytes);
        let text = String::from_utf8_lossy(&bytes);
        check(&text, &found)?;
    }
}
