//! Arbitrary bytes as a file for the secret scanner; the first byte picks the path, so the
//! credential-file parsers (`.netrc`, `.pypirc`, `.git-credentials`, `.env`) run too. Every
//! reported range must lie in the text and its masked form must not show the value.
#![no_main]

use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "etc/app.conf",
    "root/.netrc",
    "root/.pypirc",
    "root/.git-credentials",
    "srv/app/.env",
    "root/.docker/config.json",
    "home/app/.npmrc",
    "srv/app/sa.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[*which as usize % PATHS.len()];
    let text = String::from_utf8_lossy(rest);
    for s in seaworthy_secrets::scan_file(path, rest) {
        let value = text.get(s.start..s.end);
        assert!(value.is_some_and(|v| !v.is_empty()), "bad range {}..{}", s.start, s.end);
        assert!(s.line >= 1);
        if let Some(v) = value
            && v.len() > 4
        {
            assert!(!s.masked.contains(v), "{} shows its value", s.pattern.id);
        }
    }
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = seaworthy_secrets::scan_text(text);
        let _ = seaworthy_secrets::find_known(text);
    }
});
