//! Arbitrary bytes as a dpkg status file, a distroless status.d entry and a package's
//! `copyright` file (DEP-5 or free-form, whole and as the cataloger shrinks it).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::dpkg;

fuzz_target!(|data: &[u8]| {
    common::catalog_as("var/lib/dpkg/status", data, vec![dpkg::cataloger()]);
    common::catalog_as("var/lib/dpkg/status.d/pkg", data, vec![dpkg::cataloger()]);
    let whole = dpkg::copyright::licenses(data);
    let shrunk = dpkg::copyright::licenses(&dpkg::copyright::reduce(data));
    assert_eq!(
        whole, shrunk,
        "shrinking a copyright file keeps its licences"
    );
});
