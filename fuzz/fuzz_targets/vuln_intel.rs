//! Arbitrary bytes as every advisory-intelligence feed: an NVD CVE 2.0 feed, the CISA KEV
//! catalogue and FIRST's EPSS scores CSV (each parser also takes its input as gzip when it
//! starts with the gzip magic). The first byte picks whether the rest is compressed first, so
//! that the inflating paths see structured input too.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use seaworthy_vulndb::sources::{epss, kev, nvd};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let compressed;
    let input = if mode & 1 == 1 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if gz.write_all(rest).is_err() {
            return;
        }
        let Ok(bytes) = gz.finish() else { return };
        // Bit 1: cut the stream short, as a truncated download.
        compressed = if mode & 2 == 2 {
            bytes[..bytes.len() / 2].to_vec()
        } else {
            bytes
        };
        &compressed[..]
    } else {
        rest
    };
    for parsed in [
        nvd::parse(input, "nvdcve-2.0-fuzz.json.gz"),
        kev::parse(input, "known_exploited_vulnerabilities.json"),
        epss::parse(input, "epss_scores-current.csv.gz"),
    ]
    .into_iter()
    .flatten()
    {
        // Bounds the parsers promise, whatever the input.
        assert!(parsed.problems.len() <= seaworthy_vulndb::sources::MAX_PROBLEMS);
        for r in &parsed.intel.nvd {
            assert!(r.cve.starts_with("CVE-") && r.cve.len() <= 32);
            assert!(r.description.as_ref().is_none_or(|d| d.len() <= 1024 + 3));
            assert!(r.ratings.len() <= 16 && r.cwes.len() <= 16);
        }
        for (_, s) in &parsed.intel.epss {
            assert!((0.0..=1.0).contains(&s.score) && (0.0..=1.0).contains(&s.percentile));
        }
    }
});
