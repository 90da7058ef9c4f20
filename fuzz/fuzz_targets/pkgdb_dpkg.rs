//! Arbitrary bytes as a dpkg status file and a distroless status.d entry.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::dpkg;

fuzz_target!(|data: &[u8]| {
    common::catalog_as("var/lib/dpkg/status", data, vec![dpkg::cataloger()]);
    common::catalog_as("var/lib/dpkg/status.d/pkg", data, vec![dpkg::cataloger()]);
});
