//! Arbitrary text as the Debian tracker's CVE and DSA lists, a RustSec advisory, and the YAML
//! records of rubysec and FriendsOfPHP.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::sources::{debian_list, friendsofphp, rubysec, rustsec};

fuzz_target!(|data: &[u8]| {
    let _ = rubysec::parse_record("CVE-2020-0000.yml", data);
    let _ = friendsofphp::parse_record("vendor", "package", "2020-01-01.yaml", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = debian_list::parse_cve_list(text, "CVE/list");
        let _ = debian_list::parse_advisory_list(text, "DSA/list", "debian-dsa");
        let _ = rustsec::parse_advisory(text, "crates/x/RUSTSEC-0000-0000.md");
    }
});
