//! cargo-auditable dependency lists: the `.dep-v0` section holds zlib-compressed JSON
//! `{"packages":[{"name","version","source","kind","dependencies","root"}]}`.

use std::io::Read;

use flate2::read::ZlibDecoder;
use serde::{Deserialize, Serialize};

/// Largest decompressed JSON accepted (real lists are a few KiB).
const MAX_JSON: u64 = 8 << 20;

/// One crate compiled into the binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Crate {
    pub(super) name: String,
    pub(super) version: String,
    /// `crates.io`, `registry`, `git` or `local`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(super) source: String,
    /// `build` for build-time-only dependencies; absent means runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<String>,
    /// The crate the binary was built from.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) root: bool,
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<Crate>,
}

/// Decompresses and parses a `.dep-v0` section.
pub(super) fn read(section: &[u8]) -> Result<Vec<Crate>, String> {
    let mut json = Vec::new();
    ZlibDecoder::new(section)
        .take(MAX_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!(".dep-v0: bad zlib data: {e}"))?;
    if json.len() as u64 > MAX_JSON {
        return Err(format!(".dep-v0: decompresses past {MAX_JSON} bytes"));
    }
    let info: VersionInfo =
        serde_json::from_slice(&json).map_err(|e| format!(".dep-v0: bad JSON: {e}"))?;
    Ok(info.packages)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{Compression, write::ZlibEncoder};

    use super::*;

    fn compress(data: &[u8]) -> Vec<u8> {
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::best());
        enc.write_all(data).unwrap_or_else(|e| panic!("{e}"));
        enc.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn reads_packages() {
        let json = br#"{"packages":[{"name":"a","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}],"format":1}"#;
        let crates = read(&compress(json)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(crates.len(), 2);
        assert!(crates[0].root);
        assert_eq!(crates[1].kind.as_deref(), Some("build"));
    }

    #[test]
    fn zlib_bomb_is_refused() {
        let bomb = compress(&vec![b' '; (MAX_JSON + 1024) as usize]);
        assert!(bomb.len() < 64 * 1024);
        assert!(read(&bomb).is_err_and(|e| e.contains("decompresses past")));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(read(b"not zlib").is_err());
        assert!(read(&compress(b"{\"packages\":7}")).is_err());
    }
}
