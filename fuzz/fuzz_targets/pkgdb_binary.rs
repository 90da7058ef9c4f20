//! Arbitrary bytes as an executable (ELF: Go build info, cargo-auditable) and as a Java archive.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::{binary, java};

fuzz_target!(|data: &[u8]| {
    common::catalog_as("usr/local/bin/app", data, vec![binary::cataloger()]);
    common::catalog_as("opt/app/app.war", data, vec![java::cataloger()]);
});
