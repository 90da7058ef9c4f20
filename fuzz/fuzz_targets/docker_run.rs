//! Parse arbitrary argv (NUL-separated bytes) as a `docker run` command line and run the
//! container rules on what it accepts: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_container::{Context, check, run};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let argv: Vec<&str> = text.split('\0').collect();
    if let Ok(spec) = run::parse(&argv) {
        assert_eq!(check(&spec, &Context::default()).len(), 32);
    }
});
