//! Parse and lint arbitrary bytes as a Dockerfile, gathering the RUN scripts ShellCheck would
//! get (nothing is run): must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_dockerfile::{lint_bytes, Config, LintOptions};

fuzz_target!(|data: &[u8]| {
    let opts = LintOptions {
        config: Config {
            trusted_registries: vec!["docker.io".into()],
            ..Config::default()
        },
        shellcheck: true,
        ..LintOptions::default()
    };
    let _ = lint_bytes("fuzz", data, &opts);
});
