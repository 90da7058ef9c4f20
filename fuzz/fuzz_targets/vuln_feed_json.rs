//! Arbitrary bytes as every JSON advisory feed: Debian tracker, Alpine secdb, one OSV record,
//! a Node.js security-wg record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::sources::{alpine_secdb, debian_tracker, nodejs_wg, osv};

fuzz_target!(|data: &[u8]| {
    let _ = debian_tracker::parse(data, "fuzz.json");
    let _ = alpine_secdb::parse(data, "fuzz.json");
    let _ = osv::parse_record(data, "fuzz.json");
    let _ = nodejs_wg::parse_record(data);
});
