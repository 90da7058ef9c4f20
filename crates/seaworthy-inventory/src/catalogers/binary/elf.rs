//! Just enough ELF to find a named section: the file header, the section header table and the
//! section-name string table, for 32/64-bit and either byte order. Every offset is checked
//! against the file, so a truncated or lying header yields an error, never a panic.

/// `\x7fELF`.
pub(super) const MAGIC: &[u8; 4] = b"\x7fELF";

/// Most section headers looked at (real binaries have a few dozen).
const MAX_SECTIONS: usize = 4096;
/// Most program headers looked at.
const MAX_SEGMENTS: usize = 256;

const SHN_XINDEX: u32 = 0xffff;
const SHT_NOBITS: u32 = 8;
const PT_LOAD: u32 = 1;
const PF_X: u32 = 1;
const PF_W: u32 = 2;

/// A parsed ELF file header over the whole file.
pub(super) struct Elf<'a> {
    data: &'a [u8],
    is64: bool,
    big_endian: bool,
    phoff: u64,
    phentsize: u64,
    phnum: u64,
    shoff: u64,
    shentsize: u64,
    shnum: u64,
    shstrndx: u32,
}

/// One section header's fields that matter here.
struct Section {
    name: u32,
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
}

/// `e_type` from a file's first bytes, if they are an ELF header's: the cheap magic check.
pub(super) fn file_type(head: &[u8]) -> Option<u16> {
    if !head.starts_with(MAGIC) {
        return None;
    }
    let big_endian = match head.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    u16_at(head, 16, big_endian)
}

impl<'a> Elf<'a> {
    pub(super) fn parse(data: &'a [u8]) -> Result<Elf<'a>, String> {
        if !data.starts_with(MAGIC) {
            return Err("not an ELF file".into());
        }
        let is64 = match data.get(4) {
            Some(1) => false,
            Some(2) => true,
            other => return Err(format!("bad ELF class {other:?}")),
        };
        let big_endian = match data.get(5) {
            Some(1) => false,
            Some(2) => true,
            other => return Err(format!("bad ELF byte order {other:?}")),
        };
        let short = || "truncated ELF header".to_string();
        let half = |at: usize| {
            u16_at(data, at, big_endian)
                .map(u64::from)
                .ok_or_else(short)
        };
        let word = |at: usize| {
            u32_at(data, at, big_endian)
                .map(u64::from)
                .ok_or_else(short)
        };
        let xword = |at: usize| u64_at(data, at, big_endian).ok_or_else(short);
        let (phoff, shoff, rest) = if is64 {
            (xword(32)?, xword(40)?, 52)
        } else {
            (word(28)?, word(32)?, 40)
        };
        let mut elf = Elf {
            data,
            is64,
            big_endian,
            phoff,
            phentsize: half(rest + 2)?,
            phnum: half(rest + 4)?,
            shoff,
            shentsize: half(rest + 6)?,
            shnum: half(rest + 8)?,
            shstrndx: u32::from(u16_at(data, rest + 10, big_endian).ok_or_else(short)?),
        };
        // Extended numbering: the real counts live in section 0.
        if elf.shoff != 0 && (elf.shnum == 0 || elf.shstrndx == SHN_XINDEX) {
            let zero = elf.section(0)?;
            if elf.shnum == 0 {
                elf.shnum = zero.size;
            }
            if elf.shstrndx == SHN_XINDEX {
                elf.shstrndx = zero.link;
            }
        }
        Ok(elf)
    }

    /// Whether the file has a section header table.
    pub(super) fn has_sections(&self) -> bool {
        self.shoff != 0 && self.shnum != 0
    }

    /// The contents of the first section called `name`, `None` if there is none (or it occupies
    /// no file space).
    pub(super) fn section_data(&self, name: &[u8]) -> Result<Option<&'a [u8]>, String> {
        if !self.has_sections() {
            return Ok(None);
        }
        let names = self.section(u64::from(self.shstrndx))?;
        let names = self
            .range(names.offset, names.size)
            .ok_or("section name table lies outside the file")?;
        let count = usize::try_from(self.shnum)
            .unwrap_or(usize::MAX)
            .min(MAX_SECTIONS);
        for index in 0..count {
            let section = self.section(index as u64)?;
            let start = usize::try_from(section.name).unwrap_or(usize::MAX);
            let Some(rest) = names.get(start..) else {
                continue;
            };
            let found = rest
                .strip_prefix(name)
                .is_some_and(|r| r.first() == Some(&0));
            if !found {
                continue;
            }
            if section.kind == SHT_NOBITS {
                return Ok(None);
            }
            return match self.range(section.offset, section.size) {
                Some(bytes) => Ok(Some(bytes)),
                None => Err(format!(
                    "section {} lies outside the file",
                    String::from_utf8_lossy(name)
                )),
            };
        }
        Ok(None)
    }

    /// The file bytes of the first loadable segment that is writable but not executable, where
    /// the Go linker puts build info (used when a binary has no section headers).
    pub(super) fn first_data_segment(&self) -> Option<&'a [u8]> {
        let count = usize::try_from(self.phnum).ok()?.min(MAX_SEGMENTS);
        for index in 0..count {
            let at = self
                .phoff
                .checked_add(self.phentsize.checked_mul(index as u64)?)?;
            let at = usize::try_from(at).ok()?;
            let be = self.big_endian;
            let kind = u32_at(self.data, at, be)?;
            let (flags, offset, size) = if self.is64 {
                (
                    u32_at(self.data, at.checked_add(4)?, be)?,
                    u64_at(self.data, at.checked_add(8)?, be)?,
                    u64_at(self.data, at.checked_add(32)?, be)?,
                )
            } else {
                (
                    u32_at(self.data, at.checked_add(24)?, be)?,
                    u64::from(u32_at(self.data, at.checked_add(4)?, be)?),
                    u64::from(u32_at(self.data, at.checked_add(16)?, be)?),
                )
            };
            if kind == PT_LOAD && flags & (PF_X | PF_W) == PF_W {
                return self.range(offset, size);
            }
        }
        None
    }

    fn section(&self, index: u64) -> Result<Section, String> {
        let bad = || format!("section header {index} lies outside the file");
        let at = self
            .shentsize
            .checked_mul(index)
            .and_then(|o| o.checked_add(self.shoff))
            .and_then(|o| usize::try_from(o).ok())
            .ok_or_else(bad)?;
        let be = self.big_endian;
        let word = |off: usize| {
            at.checked_add(off)
                .and_then(|a| u32_at(self.data, a, be))
                .ok_or_else(bad)
        };
        let (offset, size, link) = if self.is64 {
            let xword = |off: usize| {
                at.checked_add(off)
                    .and_then(|a| u64_at(self.data, a, be))
                    .ok_or_else(bad)
            };
            (xword(24)?, xword(32)?, word(40)?)
        } else {
            (u64::from(word(16)?), u64::from(word(20)?), word(24)?)
        };
        Ok(Section {
            name: word(0)?,
            kind: word(4)?,
            offset,
            size,
            link,
        })
    }

    fn range(&self, offset: u64, size: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        self.data.get(start..end)
    }
}

fn bytes_at<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn u16_at(data: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let b = bytes_at::<2>(data, at)?;
    Some(if big_endian {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

fn u32_at(data: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b = bytes_at::<4>(data, at)?;
    Some(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

fn u64_at(data: &[u8], at: usize, big_endian: bool) -> Option<u64> {
    let b = bytes_at::<8>(data, at)?;
    Some(if big_endian {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    })
}
