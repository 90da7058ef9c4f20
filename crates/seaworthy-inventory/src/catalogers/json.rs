//! JSON fields read without building what is not used: a manifest's `name` kept only when it is
//! a string, its licenses only as strings. Everything else is skipped as it is parsed, so a
//! hostile `[0,0,…]` or a 30 MB array under an ignored key costs no memory (a
//! `serde_json::Value` of it would cost 16 times its size).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Most licenses kept for one package; a longer list is cut (and deduplicated) here.
pub const MAX_LICENSES: usize = 32;

/// A JSON value that is kept only when it is a string (trimmed, not empty); any other value is
/// skipped without being built.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl Text {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// Licenses as npm and Composer write them: a string, an object with a `type` string, or an
/// array of those. Other values and items are skipped; at most [`MAX_LICENSES`] distinct
/// names are kept, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Licenses(pub Vec<String>);

impl Licenses {
    fn add(&mut self, name: Option<String>) {
        if let Some(name) = name
            && self.0.len() < MAX_LICENSES
            && !self.0.contains(&name)
        {
            self.0.push(name);
        }
    }

    /// Both lists, in order, without repeats.
    pub fn merged(mut self, other: Licenses) -> Vec<String> {
        for l in other.0 {
            self.add(Some(l));
        }
        self.0
    }
}

impl<'de> Deserialize<'de> for Licenses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LicensesVisitor)
    }
}

struct LicensesVisitor;

impl<'de> Visitor<'de> for LicensesVisitor {
    type Value = Licenses;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a license string, object or array")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Licenses, E> {
        let mut out = Licenses::default();
        out.add(TextVisitor.visit_str(v)?);
        Ok(out)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Licenses, E> {
        Ok(Licenses::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Licenses, A::Error> {
        let mut out = Licenses::default();
        out.add(type_of(map)?);
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Licenses, A::Error> {
        let mut out = Licenses::default();
        while let Some(item) = seq.next_element::<LicenseItem>()? {
            out.add(item.0);
        }
        Ok(out)
    }
}

/// The `type` string of a license object; other keys skipped.
fn type_of<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<String>, A::Error> {
    let mut found = None;
    while let Some(key) = map.next_key::<Text>()? {
        if key.as_deref() == Some("type") && found.is_none() {
            found = map.next_value::<Text>()?.0;
        } else {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(found)
}

/// One item of a license array: a string or an object with a `type`; nested arrays skipped.
struct LicenseItem(Option<String>);

impl<'de> Deserialize<'de> for LicenseItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LicenseItemVisitor).map(LicenseItem)
    }
}

struct LicenseItemVisitor;

impl<'de> Visitor<'de> for LicenseItemVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a license string or object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        type_of(map)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        TextVisitor.visit_str(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        TextVisitor.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        TextVisitor.visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        TextVisitor.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        TextVisitor.visit_f64(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        TextVisitor.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        TextVisitor.visit_none()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        TextVisitor.visit_seq(seq)
    }
}

thread_local! {
    /// Items the parse running on this thread may still read into [`Capped`] containers, and
    /// how many it could at first.
    static ITEMS_LEFT: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Runs `parse` (a serde parse on this thread) with every [`Capped`] array and map it reads
/// counting against one allowance of `max` items: the next item is an error naming
/// `max_packages_per_file`, so a file of tiny records never becomes millions of structs.
pub fn with_max_items<T>(max: usize, parse: impl FnOnce() -> T) -> T {
    struct Restore(Option<(usize, usize)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ITEMS_LEFT.set(self.0);
        }
    }
    let _restore = Restore(ITEMS_LEFT.replace(Some((max, max))));
    parse()
}

/// Counts one item against the allowance of [`with_max_items`] (none outside it).
pub fn take_item<E: de::Error>() -> Result<(), E> {
    match ITEMS_LEFT.get() {
        None => Ok(()),
        Some((0, max)) => Err(E::custom(format!(
            "more than {max} packages (records) in one file (max_packages_per_file)"
        ))),
        Some((n, max)) => {
            ITEMS_LEFT.set(Some((n - 1, max)));
            Ok(())
        }
    }
}

/// True when a parse error is the allowance of [`with_max_items`] running out.
pub fn is_over_limit(message: &str) -> bool {
    message.contains("(max_packages_per_file)")
}

/// A JSON (or YAML, TOML) array or map whose items count against [`with_max_items`].
#[derive(Debug)]
pub struct Capped<C>(pub C);

impl<C: Default> Default for Capped<C> {
    fn default() -> Self {
        Capped(C::default())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Capped<Vec<T>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    take_item()?;
                    out.push(item);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(SeqVisitor(PhantomData)).map(Capped)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Capped<BTreeMap<String, V>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = BTreeMap<String, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<BTreeMap<String, V>, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry()? {
                    take_item()?;
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(MapVisitor(PhantomData)).map(Capped)
    }
}

/// `Err` unless the document is a JSON object (after whitespace): arrays and scalars are
/// refused before any parsing.
pub fn expect_object(data: &[u8]) -> Result<(), String> {
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err("not a JSON object".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        name: Text,
        #[serde(default)]
        license: Licenses,
    }

    fn doc(json: &str) -> Doc {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn strings_are_kept_everything_else_skipped() {
        assert_eq!(doc(r#"{"name": " a "}"#).name.0.as_deref(), Some("a"));
        assert_eq!(doc(r#"{"name": [1, {"x": [2]}]}"#).name.0, None);
        assert_eq!(doc(r#"{"name": ""}"#).name.0, None);
        assert_eq!(doc(r#"{"other": [0, 0, 0]}"#).name.0, None);
    }

    #[test]
    fn capped_containers_share_one_allowance() {
        #[derive(serde::Deserialize)]
        struct Two {
            a: Capped<Vec<u8>>,
            b: Capped<BTreeMap<String, u8>>,
        }
        let json = r#"{"a": [1, 2], "b": {"x": 1, "y": 2}}"#;
        let parse = |max| with_max_items(max, || serde_json::from_str::<Two>(json));
        assert!(parse(4).is_ok_and(|t| t.a.0.len() == 2 && t.b.0.len() == 2));
        let err = parse(3).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(is_over_limit(&err), "{err}");
        // Outside with_max_items nothing is counted.
        assert!(serde_json::from_str::<Two>(json).is_ok());
    }

    #[test]
    fn licenses_in_every_shape() {
        let l = |json: &str| doc(json).license.0;
        assert_eq!(l(r#"{"license": "MIT"}"#), ["MIT"]);
        assert_eq!(l(r#"{"license": {"type": "ISC", "url": "x"}}"#), ["ISC"]);
        assert_eq!(
            l(r#"{"license": ["MIT", {"type": "ISC"}, "MIT", [1], 2]}"#),
            ["MIT", "ISC"]
        );
        let many: Vec<String> = (0..100).map(|i| format!("\"L{i}\"")).collect();
        let json = format!(r#"{{"license": [{}]}}"#, many.join(","));
        assert_eq!(l(&json).len(), MAX_LICENSES);
    }
}
