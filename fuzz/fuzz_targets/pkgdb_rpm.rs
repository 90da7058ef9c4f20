//! Arbitrary bytes as an rpm Berkeley DB, ndb or sqlite database, or a header blob; the first
//! byte picks which.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::rpm;

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let blobs = match which % 4 {
        0 => rpm::read_bdb(rest),
        1 => rpm::read_ndb(rest),
        2 => rpm::read_sqlite(rest),
        _ => {
            let _ = rpm::parse_header_blob(rest);
            return;
        }
    };
    for blob in blobs.into_iter().flatten() {
        let _ = rpm::parse_header_blob(&blob);
    }
});
