//! The Debian security tracker JSON (`https://security-tracker.debian.org/tracker/data/json`):
//! source package → CVE (or TEMP) id → release codename → status, fixed version, urgency.
//!
//! The file is large (~70 MB), so it is read with serde visitors that borrow strings from the
//! input and hand each package to the builder as soon as it is read; nothing keeps a tree of the
//! whole document. Values of an unexpected type are read past and the record they hold is
//! counted as skipped; only invalid JSON (or a document that is not an object) fails the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{FeedError, Parsed};
use crate::ecosystem;
use crate::model::{Advisory, Affected, Event, Range, Status};

/// Source name of the advisories this parser returns.
pub const SOURCE: &str = "debian-tracker";

/// Longest summary kept, in characters (the tracker repeats NVD's full description).
pub(crate) const SUMMARY_CHARS: usize = 300;

/// Longest id, package or release name accepted; longer ones are junk.
const MAX_NAME: usize = 200;

/// Reads the tracker JSON: one advisory per CVE id, one [`Affected`] per (package, release).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut builder = Builder::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    TopSeed(&mut builder)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| FeedError::new(file, format!("invalid tracker JSON: {e}")))?;
    Ok(builder.finish())
}

/// Collects advisories across packages (the same CVE appears under every package it affects).
#[derive(Default)]
struct Builder {
    parsed: Parsed,
    by_id: HashMap<String, usize>,
}

impl Builder {
    fn add_package(&mut self, package: &str, entries: Option<Vec<(Text<'_>, Lenient<Entry<'_>>)>>) {
        let package = package.trim();
        let Some(entries) = entries else {
            self.parsed
                .skip(format!("{}: package is not an object", clip(package)));
            return;
        };
        if package.is_empty() || package.len() > MAX_NAME || package.contains(char::is_whitespace) {
            self.parsed
                .skip(format!("invalid package name {:?}", clip(package)));
            return;
        }
        for (id, entry) in entries {
            let id = id.as_str().trim();
            let Some(entry) = entry.0 else {
                self.parsed
                    .skip(format!("{package}/{id}: entry is not an object"));
                continue;
            };
            if id.is_empty() || id.len() > MAX_NAME || id.contains(char::is_whitespace) {
                self.parsed
                    .skip(format!("{package}: invalid id {:?}", clip(id)));
                continue;
            }
            self.add_entry(package, id, entry);
        }
    }

    fn add_entry(&mut self, package: &str, id: &str, entry: Entry<'_>) {
        let index = match self.by_id.get(id) {
            Some(&i) => i,
            None => {
                self.parsed.advisories.push(Advisory {
                    id: id.to_string(),
                    source: SOURCE.to_string(),
                    ..Advisory::default()
                });
                let i = self.parsed.advisories.len() - 1;
                self.by_id.insert(id.to_string(), i);
                i
            }
        };
        let mut problems = Vec::new();
        let advisory = &mut self.parsed.advisories[index];
        if advisory.summary.is_none() {
            advisory.summary = entry.description.as_deref().and_then(summary_of);
        }
        for (release, state) in entry.releases.unwrap_or_default() {
            let release = release.as_str().trim();
            let Some(state) = state.0 else {
                problems.push(format!(
                    "{id} {package}/{release}: release is not an object"
                ));
                continue;
            };
            if release.is_empty() || release.len() > MAX_NAME {
                problems.push(format!(
                    "{id} {package}: invalid release {:?}",
                    clip(release)
                ));
                continue;
            }
            match affected_of(package, release, &state) {
                Ok(affected) => advisory.affected.push(affected),
                Err(what) => problems.push(format!("{id} {package}/{release}: {what}")),
            }
        }
        for p in problems {
            self.parsed.skip(p);
        }
    }

    fn finish(self) -> Parsed {
        self.parsed
    }
}

/// What one release entry says, in our model.
fn affected_of(package: &str, release: &str, state: &ReleaseState<'_>) -> Result<Affected, String> {
    let urgency = state.urgency.as_deref().unwrap_or("");
    let mut affected = Affected {
        ecosystem: ecosystem::debian(release),
        package: package.to_string(),
        status: Status::Unfixed,
        ranges: Vec::new(),
        versions: Vec::new(),
        severity: severity_of(urgency),
        note: None,
    };
    let status = state.status.as_deref().map(str::trim).unwrap_or("");
    match status {
        "resolved" => {
            let fixed = state.fixed_version.as_deref().map(str::trim).unwrap_or("");
            if fixed.is_empty() {
                return Err("resolved without a fixed_version".to_string());
            }
            if fixed == "0" {
                affected.status = Status::NotAffected;
            } else {
                affected.status = Status::Affected;
                affected.ranges.push(fixed_range(fixed));
            }
        }
        "open" => {
            let nodsa = state.nodsa.as_deref().map(str::trim);
            let reason = state.nodsa_reason.as_deref().map(str::trim).unwrap_or("");
            match nodsa {
                Some(text) => {
                    let (status, tag) = match reason {
                        "ignored" => (Status::Ignored, "ignored"),
                        "postponed" => (Status::Postponed, "postponed"),
                        _ => (Status::NoDsa, "no-dsa"),
                    };
                    affected.status = status;
                    affected.note = Some(tagged_note(tag, text));
                }
                // The tracker marks releases out of security support with this urgency.
                None if urgency_word(urgency) == "end-of-life" => {
                    affected.status = Status::EndOfLife;
                }
                None => affected.status = Status::Unfixed,
            }
        }
        "undetermined" => {
            affected.status = Status::Unfixed;
            affected.note = Some("undetermined".to_string());
        }
        "" => return Err("no status".to_string()),
        other => return Err(format!("unknown status {:?}", clip(other))),
    }
    Ok(affected)
}

/// `Affected` below `fixed`: every version from the first one up to the fix.
pub(crate) fn fixed_range(fixed: &str) -> Range {
    Range::Events {
        semver: false,
        events: vec![
            Event::Introduced("0".to_string()),
            Event::Fixed(fixed.to_string()),
        ],
    }
}

/// `no-dsa: Minor issue`, or just the tag when the source gave no text.
pub(crate) fn tagged_note(tag: &str, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        tag.to_string()
    } else {
        format!("{tag}: {text}")
    }
}

/// The urgency without the tracker's `*`/`**` marks (which say it came from NVD).
fn urgency_word(urgency: &str) -> &str {
    urgency.trim().trim_end_matches('*').trim_end()
}

/// The tracker urgency as a severity label; `None` when not assigned.
pub(crate) fn severity_of(urgency: &str) -> Option<String> {
    match urgency_word(urgency) {
        "" | "not yet assigned" | "end-of-life" => None,
        word if word.len() <= 40 => Some(word.to_string()),
        _ => None,
    }
}

/// A description shortened to [`SUMMARY_CHARS`] characters (at a word break where possible),
/// whitespace collapsed; `None` when empty.
pub(crate) fn summary_of(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = 0;
    let mut cut = false;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let sep = usize::from(!out.is_empty());
        if chars + sep + len > SUMMARY_CHARS {
            if out.is_empty() {
                // One giant word: cut inside it.
                out.extend(word.chars().take(SUMMARY_CHARS));
            }
            cut = true;
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
        chars += sep + len;
    }
    if out.is_empty() {
        return None;
    }
    if cut {
        out.push('…');
    }
    Some(out)
}

/// At most 60 characters of untrusted text for a problem message.
pub(crate) fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

// ---------------------------------------------------------------------------------------------
// Lenient serde types: each reads any JSON value and keeps it only when it has the expected
// type, so one odd value never fails the file.

/// The visit methods for every non-object JSON value: read past it and give `$value`.
macro_rules! other_values_give {
    ($de:lifetime, $value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_seq<A: SeqAccess<$de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// A string, borrowed from the input when it has no escapes; any other value reads as `None`.
#[derive(Default)]
struct Text<'de>(Option<Cow<'de, str>>);

impl Text<'_> {
    fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An object read field by field.
trait Fields<'de>: Default {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// An object of the expected shape, or `None` when the value is not an object.
struct Lenient<T>(Option<T>);

impl<'de, T: Fields<'de>> de::Deserialize<'de> for Lenient<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Fields<'de>> Visitor<'de> for V<T> {
            type Value = Lenient<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values_give!('de, Lenient(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient<T>, A::Error> {
                let mut value = T::default();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    value.field(key.as_str(), &mut map)?;
                }
                Ok(Lenient(Some(value)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The members of an object in file order, or `None` when the value is not an object.
struct Members<'de, V>(Option<Vec<(Text<'de>, V)>>);

impl<V> Default for Members<'_, V> {
    fn default() -> Self {
        Members(None)
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Members<'de, T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Members<'de, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            other_values_give!('de, Members(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de, T>, A::Error> {
                let mut members = Vec::new();
                while let Some(pair) = map.next_entry::<Text<'de>, T>()? {
                    members.push(pair);
                }
                Ok(Members(Some(members)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// One `package → id` entry.
#[derive(Default)]
struct Entry<'de> {
    description: Option<Cow<'de, str>>,
    /// `None` when not an object (the tracker writes `[]` for "no releases").
    releases: Option<Vec<(Text<'de>, Lenient<ReleaseState<'de>>)>>,
}

impl<'de> Fields<'de> for Entry<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "description" => self.description = map.next_value::<Text<'de>>()?.0,
            "releases" => self.releases = map.next_value::<Members<'de, _>>()?.0,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// One `release` object of an entry.
#[derive(Default)]
struct ReleaseState<'de> {
    status: Option<Cow<'de, str>>,
    fixed_version: Option<Cow<'de, str>>,
    urgency: Option<Cow<'de, str>>,
    nodsa: Option<Cow<'de, str>>,
    nodsa_reason: Option<Cow<'de, str>>,
}

impl<'de> Fields<'de> for ReleaseState<'de> {
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let slot = match key {
            "status" => &mut self.status,
            "fixed_version" => &mut self.fixed_version,
            "urgency" => &mut self.urgency,
            "nodsa" => &mut self.nodsa,
            "nodsa_reason" => &mut self.nodsa_reason,
            _ => {
                map.next_value::<IgnoredAny>()?;
                return Ok(());
            }
        };
        *slot = map.next_value::<Text<'de>>()?.0;
        Ok(())
    }
}

/// The whole document: an object of packages, each handed to the builder once read.
struct TopSeed<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of source packages")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<Text<'de>>()? {
            let entries = map.next_value::<Members<'de, Lenient<Entry<'de>>>>()?;
            self.0.add_package(package.as_str(), entries.0);
        }
        Ok(())
    }
}
