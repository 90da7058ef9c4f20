//! Arbitrary bytes as an SBOM given to `seaworthy image sbom:FILE` (CycloneDX, SPDX or Syft
//! JSON) → `seaworthy_inventory::sbom::read`: no panic, bounds kept, every package whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy_inventory::sbom::{MAX_STRING, read};
use seaworthy_oci::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_packages: 500,
        max_layers: 64,
        ..Limits::default()
    };
    let Ok(doc) = read(data, &limits) else {
        return;
    };
    assert!(doc.inventory.packages.len() <= limits.max_packages);
    assert!(doc.layers.len() <= limits.max_layers);
    for p in &doc.inventory.packages {
        assert!(!p.name.is_empty() && !p.version.is_empty());
        assert!(p.purl.len() <= MAX_STRING);
        for l in &p.locations {
            assert!(l.layer < doc.layers.len().max(1));
        }
    }
});
