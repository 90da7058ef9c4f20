//! Berkeley DB hash files (`var/lib/rpm/Packages`): a metadata page, then pages of a fixed
//! size. Hash pages hold key/data item pairs; a large value is an off-page item naming a
//! chain of overflow pages. Every page is visited once in file order (rpm's records have no
//! meaningful order), and every chain is bounded by the page count.

use super::{Blobs, Order, u16_at, u32_at};

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
/// Page header: lsn(8) pgno(4) prev(4) next(4) entries(2) hf_offset(2) level(1) type(1).
const PAGE_HEADER: usize = 26;
const OFF_NEXT: usize = 16;
const OFF_ENTRIES: usize = 20;
const OFF_HF_OFFSET: usize = 22;
const OFF_TYPE: usize = 25;

const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;

const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// rpm's record 0 holds the next header instance number, not a header.
const INSTANCE_COUNTER_KEY: [u8; 4] = [0; 4];

/// The values (rpm header blobs) of a hash database (see [`bdb_blobs`]).
pub fn read_bdb(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    bdb_blobs(data).map(|b| b.blobs)
}

/// The values (rpm header blobs) of a hash database. Pages with damaged items are noted and
/// their sound items kept while others can be read; an `Err` when nothing could be, naming
/// the first problem.
pub fn bdb_blobs(data: &[u8]) -> Result<Blobs, String> {
    let db = Db::open(data)?;
    let mut out = Output {
        values: Vec::new(),
        bytes_left: data.len(),
        visited: vec![false; db.pages],
    };
    let mut skipped = Vec::new();
    for pgno in 1..db.pages {
        let Some(page) = db.page(pgno) else { break };
        if !matches!(page.get(OFF_TYPE), Some(&P_HASH | &P_HASH_UNSORTED)) {
            continue;
        }
        if let Err(e) = db.hash_page(page, &mut out) {
            skipped.push(format!("page {pgno}: {e}"));
        }
    }
    match skipped.first() {
        Some(e) if out.values.is_empty() => Err(e.clone()),
        _ => Ok(Blobs {
            blobs: out.values,
            skipped,
        }),
    }
}

/// Values found so far. In a sound file every item and overflow page belongs to one value,
/// so the values add up to less than the file and each overflow page is visited once; items
/// or chains that a hostile file shares or loops hit these limits instead of multiplying
/// the output.
struct Output {
    values: Vec<Vec<u8>>,
    bytes_left: usize,
    /// Overflow pages already read, by page number.
    visited: Vec<bool>,
}

impl Output {
    fn push(&mut self, value: Vec<u8>) -> Result<(), String> {
        self.bytes_left = self
            .bytes_left
            .checked_sub(value.len())
            .ok_or("values add up to more than the file (shared items)")?;
        self.values.push(value);
        Ok(())
    }
}

struct Db<'a> {
    data: &'a [u8],
    order: Order,
    page_size: usize,
    /// Pages that are both declared and present in the file.
    pages: usize,
}

impl<'a> Db<'a> {
    fn open(data: &'a [u8]) -> Result<Db<'a>, String> {
        let magic_le =
            u32_at(data, 12, Order::Little).ok_or("bdb: shorter than its metadata page")?;
        let order = match magic_le {
            HASH_MAGIC => Order::Little,
            _ if magic_le.swap_bytes() == HASH_MAGIC => Order::Big,
            BTREE_MAGIC => return Err("bdb: a btree database, expected hash".into()),
            _ => return Err("bdb: not a Berkeley DB hash file (bad magic)".into()),
        };
        let field = |off: usize| u32_at(data, off, order).ok_or("bdb: truncated metadata page");
        let version = field(16)?;
        if !(8..=10).contains(&version) {
            return Err(format!("bdb: hash version {version} (supported 8 to 10)"));
        }
        let page_size = field(20)? as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("bdb: page size {page_size}"));
        }
        if data.get(24).copied().unwrap_or_default() != 0 {
            return Err("bdb: encrypted database".into());
        }
        let declared = (field(32)? as usize).saturating_add(1);
        let pages = declared.min(data.len() / page_size);
        Ok(Db {
            data,
            order,
            page_size,
            pages,
        })
    }

    fn page(&self, pgno: usize) -> Option<&'a [u8]> {
        let start = pgno.checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }

    /// Adds the values of one hash page's key/data pairs.
    fn hash_page(&self, page: &[u8], out: &mut Output) -> Result<(), String> {
        let entries = usize::from(u16_at(page, OFF_ENTRIES, self.order).unwrap_or_default());
        let index_end = entries.saturating_mul(2).saturating_add(PAGE_HEADER);
        if index_end > page.len() {
            return Err(format!("{entries} entries do not fit"));
        }
        let offset = |i: usize| -> Option<usize> {
            u16_at(
                page,
                PAGE_HEADER.checked_add(i.checked_mul(2)?)?,
                self.order,
            )
            .map(usize::from)
        };
        // Items are packed from the end of the page down: item i ends where item i-1 starts.
        let item = |i: usize| -> Result<&[u8], String> {
            let start = offset(i).ok_or("index truncated")?;
            let end = match i.checked_sub(1) {
                Some(prev) => offset(prev).ok_or("index truncated")?,
                None => page.len(),
            };
            page.get(start..end)
                .filter(|it| !it.is_empty() && start >= index_end)
                .ok_or_else(|| format!("item {i} at {start}..{end} is outside the page"))
        };
        let mut problem = None;
        for pair in 0..entries / 2 {
            let key = pair.saturating_mul(2);
            let result = item(key).and_then(|k| {
                let v = item(key.saturating_add(1))?;
                if k.first() == Some(&H_KEYDATA) && k.get(1..) == Some(&INSTANCE_COUNTER_KEY[..]) {
                    return Ok(None);
                }
                self.value(v, &mut out.visited).map(Some)
            });
            if let Err(e) = result.and_then(|v| v.map_or(Ok(()), |v| out.push(v))) {
                problem.get_or_insert(e);
            }
        }
        problem.map_or(Ok(()), Err)
    }

    /// The bytes of a data item: inline, or assembled from its overflow chain.
    fn value(&self, item: &[u8], visited: &mut [bool]) -> Result<Vec<u8>, String> {
        match item.first() {
            Some(&H_KEYDATA) => Ok(item.get(1..).unwrap_or_default().to_vec()),
            Some(&H_OFFPAGE) => {
                let pgno = u32_at(item, 4, self.order).ok_or("off-page item truncated")?;
                let len = u32_at(item, 8, self.order).ok_or("off-page item truncated")?;
                self.overflow(pgno as usize, len as usize, visited)
            }
            Some(other) => Err(format!("unsupported item type {other}")),
            None => Err("empty item".into()),
        }
    }

    /// Follows an overflow chain from `pgno`, collecting `len` bytes. A page already in
    /// `visited` ends it with an error: every iteration reads a new page, so all chains
    /// together read at most every page once.
    fn overflow(
        &self,
        mut pgno: usize,
        len: usize,
        visited: &mut [bool],
    ) -> Result<Vec<u8>, String> {
        if len > self.data.len() {
            return Err(format!("value of {len} bytes is larger than the file"));
        }
        let mut out = Vec::with_capacity(len);
        loop {
            let seen = visited
                .get_mut(pgno)
                .filter(|_| pgno != 0)
                .ok_or_else(|| format!("overflow chain reaches page {pgno}"))?;
            if *seen {
                return Err(format!(
                    "overflow page {pgno} read twice (cycle or shared chain)"
                ));
            }
            *seen = true;
            let page = self
                .page(pgno)
                .ok_or_else(|| format!("overflow page {pgno} missing"))?;
            if page.get(OFF_TYPE) != Some(&P_OVERFLOW) {
                return Err(format!(
                    "page {pgno} in an overflow chain is not an overflow page"
                ));
            }
            let used = usize::from(u16_at(page, OFF_HF_OFFSET, self.order).unwrap_or_default());
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER.saturating_add(used))
                .ok_or_else(|| format!("overflow page {pgno} claims {used} bytes"))?;
            let want = len.saturating_sub(out.len());
            out.extend_from_slice(chunk.get(..want.min(chunk.len())).unwrap_or_default());
            if out.len() == len {
                return Ok(out);
            }
            pgno = u32_at(page, OFF_NEXT, self.order).unwrap_or_default() as usize;
        }
    }
}
