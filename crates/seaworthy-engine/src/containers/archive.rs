//! Reading files out of a container through `GET /containers/{id}/archive?path=…`: the tar
//! stream is bounded, read in memory, and only regular files are kept (links are not followed).

use std::io::Read;

use bollard::Docker;
use bollard::query_parameters::DownloadFromContainerOptionsBuilder;
use futures_util::StreamExt;
pub use seaworthy_container::drift::ContainerFile;

/// Largest archive accepted for one path (package databases are a few MiB).
pub const MAX_ARCHIVE_BYTES: usize = 64 << 20;

/// The regular files at `path` (a file, or the files of a directory). `Ok(vec![])` when the
/// path does not exist.
pub async fn read_path(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Vec<ContainerFile>, String> {
    let options = DownloadFromContainerOptionsBuilder::default()
        .path(path)
        .build();
    let mut stream = docker.download_from_container(container, Some(options));
    let mut tar = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => {
                if tar.len() + bytes.len() > MAX_ARCHIVE_BYTES {
                    return Err(format!(
                        "{path}: archive larger than {} MiB",
                        MAX_ARCHIVE_BYTES >> 20
                    ));
                }
                tar.extend_from_slice(&bytes);
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => return Ok(Vec::new()),
            Err(e) => return Err(format!("{path}: {e}")),
        }
    }
    files_in_tar(path, &tar)
}

/// The regular files of an archive answer for `path`. Entry names start with the base name of
/// `path`, so the absolute path is the parent of `path` joined with the entry name.
pub fn files_in_tar(path: &str, tar: &[u8]) -> Result<Vec<ContainerFile>, String> {
    let parent = path
        .trim_end_matches('/')
        .rsplit_once('/')
        .map_or("", |(p, _)| p);
    let mut archive = tar::Archive::new(tar);
    let entries = archive
        .entries()
        .map_err(|e| format!("{path}: unreadable archive: {e}"))?;
    let mut out = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{path}: unreadable archive: {e}"))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| format!("{path}: bad entry name: {e}"))?
            .to_string_lossy()
            .into_owned();
        if name.split('/').any(|c| c == "..") {
            return Err(format!("{path}: entry `{name}` leaves the directory"));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{path}: reading `{name}`: {e}"))?;
        out.push(ContainerFile {
            path: format!("{parent}/{}", name.trim_start_matches("./")),
            data,
        });
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data, kind) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if *kind == tar::EntryType::Symlink {
                b.append_link(&mut h, name, "/etc/shadow").unwrap();
            } else {
                b.append_data(&mut h, name, *data).unwrap();
            }
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn a_file_and_a_directory_map_to_absolute_paths() {
        let t = tar_of(&[("status", b"Package: a\n", tar::EntryType::Regular)]);
        let files = files_in_tar("/var/lib/dpkg/status", &t).unwrap();
        assert_eq!(files[0].path, "/var/lib/dpkg/status");
        assert_eq!(files[0].data, b"Package: a\n");
        let t = tar_of(&[
            ("status.d/", b"", tar::EntryType::Directory),
            ("status.d/base", b"x", tar::EntryType::Regular),
            ("status.d/link", b"", tar::EntryType::Symlink),
        ]);
        let files = files_in_tar("/var/lib/dpkg/status.d", &t).unwrap();
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/var/lib/dpkg/status.d/base"],
            "links are not followed"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(files_in_tar("/x", &[7u8; 1024]).is_err());
        assert_eq!(files_in_tar("/x", &[]).unwrap(), vec![]);
    }
}
