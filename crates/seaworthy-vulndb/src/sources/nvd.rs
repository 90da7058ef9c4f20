//! NVD CVE API 2.0 feeds (`nvdcve-2.0-YYYY.json.gz`, `nvdcve-2.0-modified.json.gz`): the
//! envelope `{"format": "NVD_CVE", "vulnerabilities": [{"cve": {…}}, …]}`, gzip-compressed or
//! plain. Per CVE only what matching and reports use is kept: the CVSS v4.0/v3.1/v3.0/v2 vectors
//! with who rated them (`nvd` or the CNA) and whether NVD calls the rating primary, the CWE ids,
//! the English description (bounded), and the published/last-modified times. A record without
//! metrics (NVD has not analysed it yet) is kept, unrated.
//!
//! A yearly feed inflates to hundreds of MB, so it is read as a stream: each record is taken
//! apart as it is read and everything not kept (CPE configurations, references, …) is skipped
//! without being built. A record whose fields have the wrong shape is skipped and counted; a
//! file that is not JSON, is cut short, or has no `vulnerabilities` array is an error.

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Capped, FeedError, Parsed, is_gzip, json_problem};
use crate::intel::{MAX_DESCRIPTION, MAX_SHORT, NvdRating, NvdRecord, bounded, cve_id};
use crate::model::RatingKind;

/// Source name of the records this parser returns.
pub const SOURCE: &str = "nvd";
/// Most a compressed feed may inflate to (the largest yearly feed is well under 1 GiB).
pub const MAX_INFLATED: u64 = 4 << 30;
/// Most records read from one file (the largest yearly feed holds ~40,000).
pub const MAX_RECORDS: usize = 2_000_000;
/// Ratings kept per CVE (NVD's and the CNAs'; real records carry up to ~4).
const MAX_RATINGS: usize = 16;
/// CWE ids kept per CVE.
const MAX_CWES: usize = 16;
/// Longest CVSS vector kept.
const MAX_VECTOR: usize = 512;

/// Reads one NVD feed file (gzip or plain JSON).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let result = if is_gzip(bytes) {
        let reader = std::io::BufReader::with_capacity(
            64 * 1024,
            Capped {
                inner: flate2::read::GzDecoder::new(bytes),
                left: MAX_INFLATED,
            },
        );
        let mut de = serde_json::Deserializer::from_reader(reader);
        let r = Envelope { out: &mut parsed }.deserialize(&mut de);
        r.and_then(|seen| de.end().map(|()| seen))
    } else {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let r = Envelope { out: &mut parsed }.deserialize(&mut de);
        r.and_then(|seen| de.end().map(|()| seen))
    };
    match result {
        Ok(true) => Ok(parsed),
        Ok(false) => Err(FeedError::new(
            file,
            "not an NVD CVE 2.0 feed: no `vulnerabilities` array",
        )),
        Err(e) => Err(FeedError::new(
            file,
            format!("NVD feed {}", json_problem(&e)),
        )),
    }
}

/// The top-level object; returns whether a `vulnerabilities` array was read.
struct Envelope<'a> {
    out: &'a mut Parsed,
}

impl<'de> DeserializeSeed<'de> for Envelope<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an NVD feed object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<Key>()? {
            if key.0 == "vulnerabilities" && !seen {
                map.next_value_seed(Records {
                    out: &mut *self.out,
                })?;
                seen = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(seen)
    }
}

/// An object key, kept only when short (the keys read here are).
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(Key(if s.len() <= 64 {
                    s.to_string()
                } else {
                    String::new()
                }))
            }
        }
        d.deserialize_str(V)
    }
}

/// The `vulnerabilities` array: each element read, kept or skipped, and dropped.
struct Records<'a> {
    out: &'a mut Parsed,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of vulnerabilities")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(item) = seq.next_element::<Item>()? {
            if index >= MAX_RECORDS {
                self.out.skip(format!(
                    "vulnerabilities[{index}]: more than {MAX_RECORDS} records in one file"
                ));
            } else {
                match item
                    .0
                    .ok_or("not an object with a `cve` object")
                    .and_then(record)
                {
                    Ok(r) => self.out.intel.nvd.push(r),
                    Err(what) => self.out.skip(format!("vulnerabilities[{index}]: {what}")),
                }
            }
            index += 1;
        }
        Ok(())
    }
}

/// One element of `vulnerabilities`: `{"cve": {…}}`; `None` when it has another shape.
struct Item(Option<RawCve>);

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a vulnerability")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
                let mut cve = None;
                while let Some(key) = map.next_key::<Key>()? {
                    if key.0 == "cve" {
                        cve = map.next_value::<LenientCve>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Item(cve))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Item(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Item, E> {
                Ok(Item(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Item, E> {
                Ok(Item(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Item, E> {
                Ok(Item(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Item, E> {
                Ok(Item(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Item, E> {
                Ok(Item(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Item, E> {
                Ok(Item(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value read as `T` when it has `T`'s shape, else `None` (never an error but for bad JSON).
/// The value is first read whole, so this wraps only the small parts of a record; the `cve`
/// object itself is read field by field ([`RawCve`]).
struct Lenient<T>(Option<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Lenient<T>, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(Lenient(T::deserialize(value).ok()))
    }
}

/// The parts of a `cve` object that are kept; each `None` when absent or of another shape.
#[derive(Default)]
struct RawCve {
    id: Option<String>,
    published: Option<String>,
    last_modified: Option<String>,
    descriptions: Option<Vec<LangString>>,
    metrics: Option<Metrics>,
    weaknesses: Option<Vec<Weakness>>,
}

/// A `cve` object read field by field; `None` when the value is not an object.
struct LenientCve(Option<RawCve>);

impl<'de> Deserialize<'de> for LenientCve {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<LenientCve, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientCve;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cve object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut cve = RawCve::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key.0.as_str() {
                        "id" => cve.id = map.next_value::<Lenient<String>>()?.0,
                        "published" => cve.published = map.next_value::<Lenient<String>>()?.0,
                        "lastModified" => {
                            cve.last_modified = map.next_value::<Lenient<String>>()?.0
                        }
                        "descriptions" => cve.descriptions = map.next_value::<Lenient<_>>()?.0,
                        "metrics" => cve.metrics = map.next_value::<Lenient<_>>()?.0,
                        "weaknesses" => cve.weaknesses = map.next_value::<Lenient<_>>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(LenientCve(Some(cve)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LenientCve(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientCve(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct LangString {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    // Each read whole and taken apart entry by entry ([`rating`]): one malformed group or
    // entry loses only itself.
    #[serde(default)]
    cvss_metric_v40: serde_json::Value,
    #[serde(default)]
    cvss_metric_v31: serde_json::Value,
    #[serde(default)]
    cvss_metric_v30: serde_json::Value,
    #[serde(default)]
    cvss_metric_v2: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    #[serde(default)]
    source: String,
    #[serde(default, rename = "type")]
    kind: String,
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    #[serde(default)]
    version: String,
    vector_string: String,
}

#[derive(Deserialize)]
struct Weakness {
    #[serde(default)]
    description: Vec<LangString>,
}

/// NVD's own source identifier.
const NVD_SOURCE: &str = "nvd@nist.gov";

/// The kept form of one `cve` object, or why it is skipped.
fn record(raw: RawCve) -> Result<NvdRecord, &'static str> {
    let cve = raw
        .id
        .as_deref()
        .and_then(cve_id)
        .ok_or("no CVE id (`cve.id`)")?;
    let mut ratings = Vec::new();
    if let Some(m) = raw.metrics {
        let groups = [
            (RatingKind::CvssV4, "4.0", m.cvss_metric_v40),
            (RatingKind::CvssV3, "3.1", m.cvss_metric_v31),
            (RatingKind::CvssV3, "3.0", m.cvss_metric_v30),
            (RatingKind::CvssV2, "2.0", m.cvss_metric_v2),
        ];
        for (kind, default_version, metrics) in groups {
            let serde_json::Value::Array(metrics) = metrics else {
                continue;
            };
            for value in metrics {
                if ratings.len() >= MAX_RATINGS {
                    break;
                }
                if let Some(r) = rating(kind, default_version, value) {
                    ratings.push(r);
                }
            }
        }
    }
    let mut cwes: Vec<String> = Vec::new();
    for w in raw.weaknesses.into_iter().flatten() {
        for d in w.description {
            let v = d.value.trim();
            let ok = v.len() <= 32
                && v.strip_prefix("CWE-")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if ok && cwes.len() < MAX_CWES && !cwes.iter().any(|c| c == v) {
                cwes.push(v.to_string());
            }
        }
    }
    let description = raw
        .descriptions
        .into_iter()
        .flatten()
        .find(|d| d.lang.eq_ignore_ascii_case("en"))
        .and_then(|d| bounded(&d.value, MAX_DESCRIPTION));
    let time = |t: Option<String>| t.and_then(|t| bounded(&t, 40));
    Ok(NvdRecord {
        cve,
        published: time(raw.published),
        last_modified: time(raw.last_modified),
        ratings,
        cwes,
        description,
    })
}

/// One `cvssMetricV…` entry; `None` when it lacks a usable vector.
fn rating(kind: RatingKind, default_version: &str, value: serde_json::Value) -> Option<NvdRating> {
    let m = Metric::deserialize(value).ok()?;
    let vector = m.cvss_data.vector_string.trim();
    if vector.is_empty() || vector.len() > MAX_VECTOR || crate::cvss::score(vector).is_none() {
        return None;
    }
    let version = match m.cvss_data.version.trim() {
        v @ ("2.0" | "3.0" | "3.1" | "4.0") => v.to_string(),
        _ => default_version.to_string(),
    };
    let source = match m.source.trim() {
        NVD_SOURCE => SOURCE.to_string(),
        other => bounded(other, MAX_SHORT).unwrap_or_else(|| "unknown".into()),
    };
    Some(NvdRating {
        kind,
        vector: vector.to_string(),
        version,
        source,
        primary: m.kind.trim().eq_ignore_ascii_case("primary"),
    })
}

/// Whether the first bytes (inflated when gzip) look like an NVD 2.0 feed.
pub fn sniff(head: &str) -> bool {
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with('{')
        && (head.contains("\"NVD_CVE\"")
            || (head.contains("\"vulnerabilities\"")
                && head.contains("\"cve\"")
                && head.contains("\"sourceIdentifier\"")))
}

/// The first `max` inflated bytes of a gzip stream (as many as can be read).
pub(crate) fn gunzip_head(bytes: &[u8], max: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::GzDecoder::new(bytes)
        .take(max)
        .read_to_end(&mut out);
    out
}
