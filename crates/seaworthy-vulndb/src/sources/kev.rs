//! CISA's Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`):
//! `{"catalogVersion", "dateReleased", "count", "vulnerabilities": [{"cveID", "vendorProject",
//! "product", "vulnerabilityName", "dateAdded", "dueDate", "knownRansomwareCampaignUse", …}]}`.
//! Per CVE the dates, the ransomware flag and the name are kept; the catalogue version and
//! release date go to the database's `meta`. An entry without a CVE id or date is skipped and
//! counted; a file that is not such a catalogue is an error.

use serde_json::Value;

use super::{FeedError, Parsed, is_gzip, json_problem};
use crate::intel::{KevEntry, MAX_SHORT, bounded, cve_id};

/// Source name of the entries this parser returns.
pub const SOURCE: &str = "cisa-kev";
/// Most entries read (the catalogue holds ~1,400).
pub const MAX_ENTRIES: usize = 1_000_000;
/// Most a gzip-compressed catalogue may inflate to.
const MAX_INFLATED: u64 = 1 << 30;

/// `meta` keys written from the catalogue.
pub const META_CATALOG_VERSION: &str = "kev_catalog_version";
pub const META_DATE_RELEASED: &str = "kev_date_released";

/// Reads the catalogue (plain JSON, or gzip-compressed).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let doc: Value = if is_gzip(bytes) {
        let reader = std::io::BufReader::new(super::Capped {
            inner: flate2::read::GzDecoder::new(bytes),
            left: MAX_INFLATED,
        });
        serde_json::from_reader(reader)
    } else {
        serde_json::from_slice(bytes)
    }
    .map_err(|e| FeedError::new(file, format!("KEV catalogue {}", json_problem(&e))))?;
    let Value::Object(top) = doc else {
        return Err(FeedError::new(file, "KEV catalogue is not a JSON object"));
    };
    let Some(Value::Array(entries)) = top.get("vulnerabilities") else {
        return Err(FeedError::new(
            file,
            "not a KEV catalogue: no `vulnerabilities` array",
        ));
    };
    let mut parsed = Parsed::default();
    for (key, meta) in [
        ("catalogVersion", META_CATALOG_VERSION),
        ("dateReleased", META_DATE_RELEASED),
    ] {
        if let Some(v) = top
            .get(key)
            .and_then(Value::as_str)
            .and_then(|v| bounded(v, 64))
        {
            parsed.intel.meta.push((meta.to_string(), v));
        }
    }
    for (index, entry) in entries.iter().enumerate() {
        if index >= MAX_ENTRIES {
            parsed.skip(format!(
                "vulnerabilities[{index}]: more than {MAX_ENTRIES} entries"
            ));
            continue;
        }
        match self::entry(entry) {
            Ok(e) => parsed.intel.kev.push(e),
            Err(what) => parsed.skip(format!("vulnerabilities[{index}]: {what}")),
        }
    }
    Ok(parsed)
}

fn entry(v: &Value) -> Result<(String, KevEntry), &'static str> {
    let text = |key: &str| v.get(key).and_then(Value::as_str);
    let cve = text("cveID")
        .and_then(cve_id)
        .ok_or("no CVE id (`cveID`)")?;
    let date = |key: &str| text(key).and_then(|d| bounded(d, 40));
    let date_added = date("dateAdded").ok_or("no `dateAdded`")?;
    let due_date = date("dueDate").ok_or("no `dueDate`")?;
    Ok((
        cve,
        KevEntry {
            date_added,
            due_date,
            ransomware: text("knownRansomwareCampaignUse")
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("known")),
            name: text("vulnerabilityName").and_then(|n| bounded(n, MAX_SHORT)),
        },
    ))
}

/// Whether the first bytes look like the catalogue (not its JSON schema, which names the same
/// properties): `"catalogVersion"` with a string value.
pub fn sniff(head: &str) -> bool {
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with('{')
        && head.match_indices("\"catalogVersion\"").any(|(at, key)| {
            let rest = head[at + key.len()..].trim_start();
            rest.strip_prefix(':')
                .is_some_and(|r| r.trim_start().starts_with('"'))
        })
}
