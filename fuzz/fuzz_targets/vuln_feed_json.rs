//! Arbitrary bytes as every JSON advisory feed: Debian tracker, Alpine secdb (and Wolfi's and
//! Chainguard's, as the file tells and as its URL says), one OSV record, a Node.js security-wg
//! record; and the sniffing of a secdb's first bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::sources::{alpine_secdb, debian_tracker, nodejs_wg, osv};

fuzz_target!(|data: &[u8]| {
    let _ = debian_tracker::parse(data, "fuzz.json");
    let _ = alpine_secdb::parse(data, "fuzz.json");
    let _ = alpine_secdb::parse_as(data, "fuzz.json", Some(alpine_secdb::Distro::Wolfi));
    let _ = alpine_secdb::Distro::sniff(&String::from_utf8_lossy(data));
    let _ = osv::parse_record(data, "fuzz.json");
    let _ = nodejs_wg::parse_record(data);
});
