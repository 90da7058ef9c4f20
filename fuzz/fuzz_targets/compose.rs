//! Parse arbitrary bytes as a compose file and run the container rules on every service: must
//! never panic, and every service gets one result per CIS section 5 check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_container::compose::{self, Env};
use seaworthy_container::{Context, check};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let env = Env::from([("SET".to_string(), "value".to_string())]);
    if let Ok(specs) = compose::parse("fuzz.yaml", &text, &env) {
        for spec in &specs {
            assert_eq!(check(spec, &Context::default()).len(), 32);
        }
    }
});
