//! Arbitrary bytes as a language package file; the first byte picks the kind (Python METADATA,
//! package.json, package-lock.json, yarn.lock, gemspec, Composer, .NET deps.json, Cargo.lock, go.mod,
//! requirements.txt, poetry.lock, Pipfile.lock).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::catalogers::all;

const PATHS: &[&str] = &[
    "usr/lib/python3/dist-packages/pkg-1.0.dist-info/METADATA",
    "usr/lib/python3/dist-packages/pkg.egg-info/PKG-INFO",
    "app/node_modules/pkg/package.json",
    "app/package-lock.json",
    "app/yarn.lock",
    "usr/lib/ruby/gems/3.1.0/specifications/pkg-1.0.gemspec",
    "app/vendor/composer/installed.json",
    "app/app.deps.json",
    "src/Cargo.lock",
    "src/go.mod",
    "app/requirements.txt",
    "app/poetry.lock",
    "app/Pipfile.lock",
];

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let path = PATHS[*which as usize % PATHS.len()];
    common::catalog_as(path, rest, all());
});
