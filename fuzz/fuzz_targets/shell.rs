//! Analyse arbitrary text as a RUN script: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_dockerfile::shell::Script;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Script::parse(text);
    }
});
