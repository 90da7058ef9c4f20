//! Go build info (`.go.buildinfo`, Go ≥ 1.18 inline format): the toolchain version and the
//! module list that `go version -m` prints.

use serde::{Deserialize, Serialize};

/// `\xff Go buildinf:`, at a 16-byte aligned offset in the section.
const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const ALIGN: usize = 16;
/// Flag: strings follow the header inline (Go ≥ 1.18); otherwise they sit behind pointers.
const FLAG_INLINE: u8 = 0x2;
/// How far into the section (or data segment) the header is looked for, as Go itself does.
const SEARCH_LIMIT: usize = 64 * 1024;
/// Build settings kept on the main module.
const KEPT_SETTINGS: &[&str] = &[
    "CGO_ENABLED",
    "GOARCH",
    "GOOS",
    "vcs",
    "vcs.modified",
    "vcs.revision",
    "vcs.time",
];

/// What a binary's build info says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct GoBuildInfo {
    /// `go1.22.1`, as recorded.
    pub(super) go_version: String,
    /// `path` line: the main package's import path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) main: Option<GoModule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) deps: Vec<GoModule>,
    /// Selected `build` settings (GOARCH, vcs.revision, …), in recorded order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) settings: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct GoModule {
    pub(super) path: String,
    pub(super) version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) sum: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) replace: Option<Box<GoModule>>,
}

/// Outcome of looking for build info in a section or segment.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found {
    Info(GoBuildInfo),
    /// Pre-1.18 pointer format: versions sit behind virtual addresses. Not read.
    Unsupported,
    /// No build info header in these bytes.
    Absent,
}

/// Reads build info from the bytes of `.go.buildinfo` (or a data segment).
pub(super) fn read(section: &[u8]) -> Result<Found, String> {
    let window = section.get(..SEARCH_LIMIT).unwrap_or(section);
    let Some(at) = find_header(window) else {
        return Ok(Found::Absent);
    };
    let flags = section.get(at + 15).copied().unwrap_or(0);
    if flags & FLAG_INLINE == 0 {
        return Ok(Found::Unsupported);
    }
    // Inline strings may run past the search window, so read them from the whole section.
    let mut rest = section.get(at + HEADER_LEN..).unwrap_or_default();
    let version = read_string(&mut rest).map_err(|e| format!("Go version: {e}"))?;
    let modinfo = read_string(&mut rest).map_err(|e| format!("module info: {e}"))?;
    let go_version = String::from_utf8_lossy(version).into_owned();
    if go_version.is_empty() {
        return Err("empty Go version".into());
    }
    Ok(Found::Info(parse_modinfo(
        go_version,
        &strip_sentinels(modinfo),
    )))
}

/// Offset of the first 16-byte aligned magic followed by a whole header.
fn find_header(window: &[u8]) -> Option<usize> {
    let mut from = 0usize;
    while let Some(found) = window
        .get(from..)
        .and_then(|w| memchr::memmem::find(w, MAGIC))
    {
        let at = from.checked_add(found)?;
        if at % ALIGN == 0 {
            return (window.len().saturating_sub(at) >= HEADER_LEN).then_some(at);
        }
        from = at.checked_add(1)?;
    }
    None
}

/// A uvarint-length-prefixed string, advancing `rest`.
fn read_string<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], String> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let byte = *rest.get(used).ok_or("truncated length")?;
        used += 1;
        if shift >= 64 || used > 10 {
            return Err("length varint too long".into());
        }
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let body = rest.get(used..).unwrap_or_default();
    let len = usize::try_from(len).map_err(|_| "length too large".to_string())?;
    let value = body.get(..len).ok_or_else(|| {
        format!(
            "length {len} runs past the section ({} bytes left)",
            body.len()
        )
    })?;
    *rest = body.get(len..).unwrap_or_default();
    Ok(value)
}

/// The module info string is wrapped in two 16-byte sentinels; anything else means none.
fn strip_sentinels(modinfo: &[u8]) -> String {
    let len = modinfo.len();
    if len >= 33 && modinfo.get(len - 17) == Some(&b'\n') {
        String::from_utf8_lossy(modinfo.get(16..len - 16).unwrap_or_default()).into_owned()
    } else {
        String::new()
    }
}

/// Parses `path`/`mod`/`dep`/`=>`/`build` lines, as `debug.ParseBuildInfo` does.
fn parse_modinfo(go_version: String, text: &str) -> GoBuildInfo {
    let mut info = GoBuildInfo {
        go_version,
        path: String::new(),
        main: None,
        deps: Vec::new(),
        settings: Vec::new(),
    };
    // Which module a `=>` line replaces: the main module or the last dep.
    let mut last_is_main = false;
    for line in text.lines() {
        let mut fields = line.split('\t');
        let key = fields.next().unwrap_or_default();
        match key {
            "path" => info.path = fields.next().unwrap_or_default().to_string(),
            "mod" | "dep" => {
                let Some(module) = module(fields) else {
                    continue;
                };
                if key == "mod" {
                    info.main = Some(module);
                    last_is_main = true;
                } else {
                    info.deps.push(module);
                    last_is_main = false;
                }
            }
            "=>" => {
                let Some(replacement) = module(fields) else {
                    continue;
                };
                let target = if last_is_main {
                    info.main.as_mut()
                } else {
                    info.deps.last_mut()
                };
                if let Some(target) = target {
                    target.replace = Some(Box::new(replacement));
                }
            }
            "build" => {
                let setting = fields.next().unwrap_or_default();
                if let Some((k, v)) = setting.split_once('=') {
                    let k = unquote(k);
                    if KEPT_SETTINGS.contains(&k.as_str()) {
                        info.settings.push((k, unquote(v)));
                    }
                }
            }
            _ => {}
        }
    }
    info
}

fn module<'a>(mut fields: impl Iterator<Item = &'a str>) -> Option<GoModule> {
    let path = fields.next().filter(|p| !p.is_empty())?;
    Some(GoModule {
        path: path.to_string(),
        version: fields.next().unwrap_or_default().to_string(),
        sum: fields.next().unwrap_or_default().to_string(),
        replace: None,
    })
}

/// Undoes Go's `strconv.Quote` for the simple escapes build settings use.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(modinfo: &str) -> Vec<u8> {
        let mut data = vec![0u8; 16];
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&[8, FLAG_INLINE]);
        data.resize(16 + HEADER_LEN, 0);
        for s in ["go1.22.1".as_bytes(), modinfo.as_bytes()] {
            let mut len = s.len();
            while len >= 0x80 {
                data.push((len as u8) | 0x80);
                len >>= 7;
            }
            data.push(len as u8);
            data.extend_from_slice(s);
        }
        data
    }

    fn wrapped(text: &str) -> String {
        format!("0123456789abcdef{text}fedcba9876543210")
    }

    #[test]
    fn parses_modules_replacements_and_settings() {
        let text = "path\texample.com/x/cmd/x\nmod\texample.com/x\t(devel)\t\n\
            dep\tgolang.org/x/net\tv0.1.0\th1:abc=\n=>\tgithub.com/fork/net\tv0.2.0\th1:def=\n\
            build\tGOARCH=arm64\nbuild\t\"-ldflags=x y\"=\"-s -w\"\nbuild\tvcs.revision=0123\n";
        let Ok(Found::Info(info)) = read(&section(&wrapped(text))) else {
            panic!("no build info")
        };
        assert_eq!(info.go_version, "go1.22.1");
        assert_eq!(info.path, "example.com/x/cmd/x");
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        let dep = &info.deps[0];
        assert_eq!(
            (dep.path.as_str(), dep.sum.as_str()),
            ("golang.org/x/net", "h1:abc=")
        );
        assert_eq!(
            dep.replace.as_ref().map(|r| r.version.as_str()),
            Some("v0.2.0")
        );
        assert_eq!(
            info.settings,
            vec![
                ("GOARCH".into(), "arm64".into()),
                ("vcs.revision".into(), "0123".into())
            ]
        );
    }

    #[test]
    fn unwrapped_module_info_means_no_modules() {
        let Ok(Found::Info(info)) = read(&section("mod\tx\tv1\t\n")) else {
            panic!("no build info")
        };
        assert!(info.main.is_none());
    }

    #[test]
    fn pointer_format_is_unsupported_and_misaligned_magic_absent() {
        let mut old = section("");
        old[16 + 15] = 0;
        assert_eq!(read(&old), Ok(Found::Unsupported));
        let mut shifted = vec![0u8; 3];
        shifted.extend_from_slice(&section(""));
        assert_eq!(read(&shifted), Ok(Found::Absent));
    }

    #[test]
    fn lying_lengths_are_errors() {
        let mut data = section("x");
        data.truncate(16 + HEADER_LEN);
        data.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(read(&data).is_err_and(|e| e.contains("runs past")));
        data.truncate(16 + HEADER_LEN);
        data.extend_from_slice(&[0xff; 11]);
        assert!(read(&data).is_err_and(|e| e.contains("too long")));
    }
}
