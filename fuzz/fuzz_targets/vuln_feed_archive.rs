//! Arbitrary bytes as the archive feeds: OSV all.zip and the advisory repositories as tar.gz.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::sources::{friendsofphp, nodejs_wg, osv, rubysec, rustsec};

fuzz_target!(|data: &[u8]| {
    let _ = osv::parse_zip(data, "all.zip");
    let _ = rustsec::parse_tar_gz(data, "advisory-db.tar.gz");
    let _ = rubysec::parse_tar_gz(data, "ruby-advisory-db.tar.gz");
    let _ = friendsofphp::parse_tar_gz(data, "security-advisories.tar.gz");
    let _ = nodejs_wg::parse_tar_gz(data, "security-wg.tar.gz");
});
