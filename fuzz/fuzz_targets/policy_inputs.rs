//! Arbitrary bytes as the policy inputs a repository or a previous run supplies: the first byte
//! picks `.trivyignore`, an OpenVEX document or a baseline report. Parsing must not panic, and
//! whatever parses must be usable for decisions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_policy::{Target, WaiverSet, baseline::Baseline, trivyignore, vex};

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let target = Target {
        ids: vec!["CVE-2023-4911", "GHSA-xxxx-yyyy-zzzz"],
        purl: Some("pkg:deb/debian/libc6@2.36-9?arch=amd64"),
        image: Some("registry.example/app:1.2"),
        package: Some("libc6"),
        ..Target::default()
    };
    let today = jiff::civil::date(2026, 11, 29);
    match which % 3 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest)
                && let Ok(waivers) = trivyignore::parse(".trivyignore", text)
            {
                let set = WaiverSet::new(waivers);
                let _ = set.decide(&target, today);
                let _ = set.unused().count();
            }
        }
        1 => {
            if let Ok(doc) = vex::parse("fuzz.vex.json", rest) {
                let _ = vex::decide(std::slice::from_ref(&doc), &target);
            }
        }
        _ => {
            if let Ok(mut b) = Baseline::from_report("baseline.json", rest) {
                let _ = b.classify("CVE-2023-4911:0000000000000000");
                let _ = b.resolved();
            }
        }
    }
});
