//! rpm header images as stored in every rpmdb backend: `il` and `dl` (big-endian u32), `il`
//! index entries of 16 bytes (tag, type, offset, count), then `dl` bytes of data store. Only
//! the tags a package needs are read; every offset is checked against the data store.

use super::be_u32;

/// rpm's own bound on the number of index entries (`hdrchkTags`).
const MAX_ENTRIES: usize = 0xffff;
/// rpm's own bound on the data store (`hdrchkData`): 16 MiB.
const MAX_DATA: usize = 0x00ff_ffff;
/// Magic of a header with its lead-in (`rpmdb --exportdb` output, package files).
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];
const ENTRY_SIZE: usize = 16;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_MODULARITYLABEL: u32 = 5096;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// The fields of one installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmHeader {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    pub modularity_label: Option<String>,
}

/// One index entry.
#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: u32,
    count: u32,
}

/// The index entries and the data store of a header image.
fn split(blob: &[u8]) -> Result<(Vec<Entry>, &[u8]), String> {
    let blob = match blob.strip_prefix(&HEADER_MAGIC) {
        Some(rest) => rest.get(4..).ok_or("header: truncated after magic")?,
        None => blob,
    };
    let il = be_u32(blob, 0).ok_or("header: shorter than 8 bytes")? as usize;
    let dl = be_u32(blob, 4).ok_or("header: shorter than 8 bytes")? as usize;
    if il == 0 || il > MAX_ENTRIES {
        return Err(format!(
            "header: {il} index entries (allowed 1..={MAX_ENTRIES})"
        ));
    }
    if dl > MAX_DATA {
        return Err(format!(
            "header: data store of {dl} bytes (allowed up to {MAX_DATA})"
        ));
    }
    let store_start = il
        .checked_mul(ENTRY_SIZE)
        .and_then(|n| n.checked_add(8))
        .ok_or("header: index size overflows")?;
    let store_end = store_start
        .checked_add(dl)
        .ok_or("header: size overflows")?;
    let store = blob.get(store_start..store_end).ok_or_else(|| {
        format!(
            "header: {} bytes, but {il} entries and {dl} data bytes need {store_end}",
            blob.len()
        )
    })?;
    let entries = blob.get(8..store_start).ok_or("header: truncated index")?;
    let index: Vec<Entry> = entries
        .chunks_exact(ENTRY_SIZE)
        .map(|e| Entry {
            tag: be_u32(e, 0).unwrap_or_default(),
            ty: be_u32(e, 4).unwrap_or_default(),
            offset: be_u32(e, 8).unwrap_or_default(),
            count: be_u32(e, 12).unwrap_or_default(),
        })
        .collect();
    Ok((index, store))
}

/// Parses a header image; NAME and VERSION are required.
pub fn parse_header_blob(blob: &[u8]) -> Result<RpmHeader, String> {
    let (index, store) = split(blob)?;
    let find = |tag: u32| index.iter().find(|e| e.tag == tag);
    let string = |tag: u32| -> Result<Option<String>, String> {
        find(tag).map(|e| read_string(store, e)).transpose()
    };
    let name = string(TAG_NAME)?.ok_or("header: no NAME tag")?;
    let version =
        string(TAG_VERSION)?.ok_or_else(|| format!("header of {name}: no VERSION tag"))?;
    let epoch = find(TAG_EPOCH).map(|e| read_int32(store, e)).transpose()?;
    Ok(RpmHeader {
        release: string(TAG_RELEASE)?.unwrap_or_default(),
        arch: string(TAG_ARCH)?,
        source_rpm: string(TAG_SOURCERPM)?,
        license: string(TAG_LICENSE)?,
        vendor: string(TAG_VENDOR)?,
        modularity_label: string(TAG_MODULARITYLABEL)?,
        name,
        version,
        epoch,
    })
}

/// The (first) string of a STRING, STRING_ARRAY or I18NSTRING entry.
fn read_string(store: &[u8], e: &Entry) -> Result<String, String> {
    if !matches!(e.ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || e.count == 0 {
        return Err(format!(
            "header: tag {} has type {} count {}, expected a string",
            e.tag, e.ty, e.count
        ));
    }
    let rest = store
        .get(e.offset as usize..)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            format!(
                "header: tag {} offset {} past the data store",
                e.tag, e.offset
            )
        })?;
    let end = memchr::memchr(0, rest).ok_or_else(|| {
        format!(
            "header: tag {} string at {} is not terminated",
            e.tag, e.offset
        )
    })?;
    Ok(String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned())
}

/// The (first) value of an INT32 entry.
fn read_int32(store: &[u8], e: &Entry) -> Result<u32, String> {
    if e.ty != TYPE_INT32 || e.count == 0 {
        return Err(format!(
            "header: tag {} has type {} count {}, expected INT32",
            e.tag, e.ty, e.count
        ));
    }
    be_u32(store, e.offset as usize).ok_or_else(|| {
        format!(
            "header: tag {} offset {} past the data store",
            e.tag, e.offset
        )
    })
}

/// The package's NAME and those of its files (`DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, or the
/// `OLDFILENAMES` of old packages) that `wanted` accepts: only those are kept, so a database of
/// tens of thousands of files costs no more than the paths asked about.
pub fn owned_files(
    blob: &[u8],
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(String, Vec<String>), String> {
    let (index, store) = split(blob)?;
    let find = |tag: u32| index.iter().find(|e| e.tag == tag);
    let name = find(TAG_NAME)
        .map(|e| read_string(store, e))
        .transpose()?
        .ok_or("header: no NAME tag")?;
    let mut files = Vec::new();
    if let (Some(b), Some(d), Some(i)) = (
        find(TAG_BASENAMES),
        find(TAG_DIRNAMES),
        find(TAG_DIRINDEXES),
    ) {
        let basenames = read_strings(store, b)?;
        let dirnames = read_strings(store, d)?;
        let indexes = read_int32s(store, i)?;
        let mut path = String::new();
        for (base, dir) in basenames.iter().zip(indexes) {
            let dir = dirnames
                .get(dir as usize)
                .ok_or_else(|| format!("header of {name}: dir index {dir} out of range"))?;
            path.clear();
            path.push_str(dir);
            path.push_str(base);
            if wanted(&path) {
                files.push(path.clone());
            }
        }
    } else if let Some(e) = find(TAG_OLDFILENAMES) {
        files.extend(
            read_strings(store, e)?
                .into_iter()
                .filter(|p| wanted(p))
                .map(str::to_string),
        );
    }
    Ok((name, files))
}

/// Every string of a STRING_ARRAY entry (borrowed from the store; not UTF-8 ones are left out:
/// they name no path seaworthy reports).
fn read_strings<'s>(store: &'s [u8], e: &Entry) -> Result<Vec<&'s str>, String> {
    if e.ty != TYPE_STRING_ARRAY {
        return Err(format!(
            "header: tag {} has type {}, expected a string array",
            e.tag, e.ty
        ));
    }
    let mut rest = store.get(e.offset as usize..).ok_or_else(|| {
        format!(
            "header: tag {} offset {} past the data store",
            e.tag, e.offset
        )
    })?;
    // Each string takes at least its terminator: a count over the store's size is a lie.
    let mut out = Vec::with_capacity((e.count as usize).min(rest.len()));
    for n in 0..e.count {
        let end = memchr::memchr(0, rest)
            .ok_or_else(|| format!("header: tag {} string {n} is not terminated", e.tag))?;
        out.push(std::str::from_utf8(rest.get(..end).unwrap_or_default()).unwrap_or_default());
        rest = rest.get(end.saturating_add(1)..).unwrap_or_default();
    }
    Ok(out)
}

/// Every value of an INT32 array entry.
fn read_int32s(store: &[u8], e: &Entry) -> Result<Vec<u32>, String> {
    if e.ty != TYPE_INT32 {
        return Err(format!(
            "header: tag {} has type {}, expected INT32",
            e.tag, e.ty
        ));
    }
    let len = (e.count as usize)
        .checked_mul(4)
        .and_then(|n| n.checked_add(e.offset as usize))
        .filter(|end| *end <= store.len())
        .ok_or_else(|| format!("header: tag {} array past the data store", e.tag))?;
    Ok(store
        .get(e.offset as usize..len)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}
