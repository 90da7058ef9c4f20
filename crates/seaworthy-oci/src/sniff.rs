//! What a file given as an image archive is, judged by its first bytes, so that a file that is
//! not a tar archive (an SBOM, a Dockerfile, a compressed archive, any text) is named for what
//! it is, with what to do, instead of a tar parser's complaint. Nothing of the file is quoted.

/// Bytes read to judge a file: one tar header block.
pub const HEAD_LEN: usize = 512;

/// `None` when `head` (the first [`HEAD_LEN`] bytes, or all of a shorter file) starts a tar
/// archive; else what the file is and what to do, for an error message.
pub fn not_a_tar(head: &[u8]) -> Option<&'static str> {
    if is_tar_header(head) {
        return None;
    }
    Some(describe(head))
}

/// A ustar, GNU or v7 header block: its checksum field matches the block.
fn is_tar_header(head: &[u8]) -> bool {
    let Some(block) = head.get(..HEAD_LEN) else {
        return false;
    };
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .filter(|c| !matches!(c, ' ' | '\0'))
        .collect();
    let Ok(stored) = u32::from_str_radix(&digits, 8) else {
        return false;
    };
    // The checksum counts its own field as eight spaces.
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    !digits.is_empty() && stored == sum
}

fn describe(head: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    match head {
        [] => return "is empty, not an image archive",
        [0x1f, 0x8b, ..] => {
            return "is gzip-compressed, not a tar archive: decompress it first (`gunzip`), \
                    or save the image uncompressed (`docker save -o image.tar NAME`)";
        }
        [0x28, 0xb5, 0x2f, 0xfd, ..] => {
            return "is zstd-compressed, not a tar archive: decompress it first (`unzstd`)";
        }
        [b'P', b'K', 3, 4, ..] => return "is a zip archive, not an image archive",
        [0x7f, b'E', b'L', b'F', ..] => return "is an executable (ELF), not an image archive",
        _ if head.starts_with(b"SQLite format 3\0") => {
            return "is an SQLite database, not an image archive";
        }
        _ => {}
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return describe_json(trimmed);
    }
    if looks_like_dockerfile(trimmed) {
        return "looks like a Dockerfile, not an image: lint it with `seaworthy dockerfile`; \
                to scan its image, build it (`docker build -t NAME .`) and give NAME";
    }
    if head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'))
    {
        return "is a text file, not an image archive (`docker save -o image.tar NAME` writes one)";
    }
    "is not a tar archive: give a `docker save` archive, an OCI layout or archive, or an image name"
}

fn describe_json(json: &str) -> &'static str {
    let has = |key: &str| json.contains(&format!("\"{key}\""));
    if has("bomFormat") {
        "is a CycloneDX SBOM, not an image: scan it with `seaworthy image sbom:FILE`"
    } else if has("spdxVersion") {
        "is an SPDX SBOM, not an image: scan it with `seaworthy image sbom:FILE`"
    } else if has("artifacts") && (has("descriptor") || has("source")) {
        "is a Syft JSON SBOM, not an image: scan it with `seaworthy image sbom:FILE`"
    } else if has("schemaVersion") && (has("layers") || has("manifests")) {
        "is an image manifest or index alone: give the whole OCI layout directory \
         (`oci-dir:PATH`) or archive"
    } else {
        "is a JSON document, not an image archive"
    }
}

/// The first line that is neither blank nor a comment starts with a Dockerfile instruction
/// that may open one (`FROM`, `ARG`), or a parser directive comes first.
fn looks_like_dockerfile(text: &str) -> bool {
    if text.starts_with("# syntax=") || text.starts_with("# escape=") {
        return true;
    }
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|word| word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        let _ = b.append_data(&mut h, name, data);
        b.into_inner().unwrap_or_default()
    }

    #[test]
    fn tar_archives_pass() {
        let tar = tar_of("manifest.json", b"[]");
        assert_eq!(not_a_tar(&tar[..HEAD_LEN]), None);
        let mut gnu = tar.clone();
        gnu[100] ^= 1;
        assert!(
            not_a_tar(&gnu).is_some(),
            "a changed header fails its checksum"
        );
    }

    #[test]
    fn other_files_are_named() {
        let says = |head: &[u8], what: &str| {
            let m = not_a_tar(head).unwrap_or_default();
            assert!(m.contains(what), "{m}");
        };
        says(
            br#"{"$schema": "x", "bomFormat": "CycloneDX"}"#,
            "CycloneDX SBOM",
        );
        says(br#"{"spdxVersion": "SPDX-2.3"}"#, "SPDX SBOM");
        says(br#"{"artifacts": [], "source": {}}"#, "Syft JSON SBOM");
        says(br#"{"schemaVersion": 2, "layers": []}"#, "manifest");
        says(b"# comment\n\nfrom debian:12\nRUN true\n", "Dockerfile");
        says(b"# syntax=docker/dockerfile:1\n", "Dockerfile");
        says(b"myhost\n", "text file");
        says(&[0x1f, 0x8b, 8, 0], "gzip");
        says(&[0x28, 0xb5, 0x2f, 0xfd], "zstd");
        says(b"", "empty");
        says(&[0, 1, 2, 3], "not a tar archive");
    }
}
