//! Arbitrary bytes as an apk installed database.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::apk;

fuzz_target!(|data: &[u8]| {
    common::catalog_as("lib/apk/db/installed", data, vec![apk::cataloger()]);
});
