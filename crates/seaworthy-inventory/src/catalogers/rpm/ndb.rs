//! rpm's ndb package database (`Packages.db`, SUSE): little-endian throughout. A 32-byte
//! header (`RpmP`, version 0, generation, slot page count, next package index) shares the
//! first of the 4 KiB slot pages; each 16-byte slot (`Slot`, package index, block offset,
//! block count) points to a blob in 16-byte blocks: `BlbS`, package index, generation,
//! length, the header image, padding, then a tail (checksum, length, `BlbE`).

use super::{Blobs, Order, u32_at};

const DB_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_MAGIC: &[u8; 4] = b"BlbS";
const TAIL_MAGIC: &[u8; 4] = b"BlbE";
const SLOT_PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const HEADER_SIZE: usize = 32;
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

/// The header blobs of the used slots, ordered by package index (see [`ndb_blobs`]).
pub fn read_ndb(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    ndb_blobs(data).map(|b| b.blobs)
}

/// The header blobs of the used slots, ordered by package index. Damaged slots and blobs are
/// skipped, each noted, while others can be read; an `Err` when nothing could be, naming the
/// first problem.
pub fn ndb_blobs(data: &[u8]) -> Result<Blobs, String> {
    if data.get(..4) != Some(DB_MAGIC) {
        return Err("ndb: no RpmP magic".into());
    }
    let le = |off: usize| u32_at(data, off, Order::Little);
    let version = le(4).ok_or("ndb: truncated header")?;
    if version != 0 {
        return Err(format!("ndb: version {version} (supported 0)"));
    }
    let slot_pages = le(12).ok_or("ndb: truncated header")? as usize;
    let slots_end = slot_pages
        .checked_mul(SLOT_PAGE_SIZE)
        .filter(|&end| end > 0 && end <= data.len())
        .ok_or_else(|| format!("ndb: {slot_pages} slot pages do not fit the file"))?;
    let slots = data.get(HEADER_SIZE..slots_end).unwrap_or_default();
    let mut found: Vec<(u32, &[u8])> = Vec::new();
    let mut found_bytes = 0usize;
    let mut skipped = Vec::new();
    for (n, slot) in slots.chunks_exact(SLOT_SIZE).enumerate() {
        let field = |off: usize| u32_at(slot, off, Order::Little).unwrap_or_default();
        let (pkgidx, blkoff, blkcnt) = (field(4), field(8), field(12));
        if slot.get(..4) != Some(SLOT_MAGIC) {
            skipped.push(format!("ndb: slot {n} has no Slot magic"));
            continue;
        }
        if pkgidx == 0 {
            continue;
        }
        match blob(data, pkgidx, blkoff as usize, blkcnt as usize) {
            // Sound slots point to disjoint blobs; overlapping ones would multiply the output.
            Ok(b) if found_bytes.saturating_add(b.len()) > data.len() => {
                skipped.push(format!("ndb: slot {n} overlaps other blobs"));
            }
            Ok(b) => {
                found_bytes = found_bytes.saturating_add(b.len());
                found.push((pkgidx, b));
            }
            Err(e) => {
                skipped.push(format!("ndb: package {pkgidx}: {e}"));
            }
        }
    }
    if found.is_empty()
        && let Some(e) = skipped.first()
    {
        return Err(e.clone());
    }
    found.sort_by_key(|(idx, _)| *idx);
    Ok(Blobs {
        blobs: found.into_iter().map(|(_, b)| b.to_vec()).collect(),
        skipped,
    })
}

/// The header image a slot points to, checked against its head and tail.
fn blob(data: &[u8], pkgidx: u32, blkoff: usize, blkcnt: usize) -> Result<&[u8], String> {
    let start = blkoff
        .checked_mul(BLOCK_SIZE)
        .ok_or("block offset overflows")?;
    let end = blkcnt
        .checked_mul(BLOCK_SIZE)
        .and_then(|n| n.checked_add(start))
        .ok_or("block count overflows")?;
    let area = data
        .get(start..end)
        .filter(|a| a.len() >= BLOB_HEAD_SIZE + BLOB_TAIL_SIZE)
        .ok_or_else(|| format!("blocks {blkoff}+{blkcnt} are outside the file"))?;
    let head = |off: usize| u32_at(area, off, Order::Little).unwrap_or_default();
    if area.get(..4) != Some(BLOB_MAGIC) || head(4) != pkgidx {
        return Err(format!("no blob head for it at byte {start}"));
    }
    let len = head(12) as usize;
    let tail_start = area.len().saturating_sub(BLOB_TAIL_SIZE);
    let tail = area.get(tail_start..).unwrap_or_default();
    if tail.get(8..12) != Some(TAIL_MAGIC) || u32_at(tail, 4, Order::Little) != Some(head(12)) {
        return Err(format!("blob at byte {start} has no matching tail"));
    }
    BLOB_HEAD_SIZE
        .checked_add(len)
        .filter(|&blob_end| blob_end <= tail_start)
        .and_then(|blob_end| area.get(BLOB_HEAD_SIZE..blob_end))
        .ok_or_else(|| format!("blob of {len} bytes overflows its {blkcnt} blocks"))
}
