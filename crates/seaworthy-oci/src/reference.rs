//! What the user asked for: `docker-archive:`, `oci-dir:`, `oci-archive:`, `docker:`,
//! `registry:`, an unpacked root filesystem (`dir:`, `rootfs:`), an SBOM (`sbom:`) or a bare
//! reference resolved by looking (path, then daemon, then registry).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    DockerArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    OciDir {
        path: PathBuf,
        tag: Option<String>,
    },
    OciArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    Daemon(String),
    Registry(String),
    /// `dir:PATH` or `rootfs:PATH`: an unpacked root filesystem, read as one layer.
    Rootfs(PathBuf),
    /// `sbom:FILE`: a CycloneDX, SPDX or Syft JSON document, read without any image.
    Sbom(PathBuf),
    /// No scheme and no such path: the daemon if it has the image, else a registry.
    Name(String),
}

impl Reference {
    pub fn parse(input: &str) -> Reference {
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            let (path, tag) = split_tag(rest);
            return Reference::DockerArchive { path, tag };
        }
        if let Some(rest) = input.strip_prefix("oci-dir:") {
            let (path, tag) = split_tag(rest);
            return Reference::OciDir { path, tag };
        }
        if let Some(rest) = input.strip_prefix("oci-archive:") {
            let (path, tag) = split_tag(rest);
            return Reference::OciArchive { path, tag };
        }
        if let Some(rest) = input.strip_prefix("docker:") {
            return Reference::Daemon(rest.trim_start_matches("//").to_string());
        }
        if let Some(rest) = input
            .strip_prefix("dir:")
            .or_else(|| input.strip_prefix("rootfs:"))
        {
            return Reference::Rootfs(PathBuf::from(rest));
        }
        if let Some(rest) = input.strip_prefix("sbom:") {
            return Reference::Sbom(PathBuf::from(rest));
        }
        if let Some(rest) = input.strip_prefix("registry:") {
            return Reference::Registry(rest.trim_start_matches("//").to_string());
        }
        let path = Path::new(input);
        if path.is_dir() {
            return Reference::OciDir {
                path: path.to_path_buf(),
                tag: None,
            };
        }
        if path.is_file() {
            // Both archive kinds are tars; which one is settled when it is opened.
            return Reference::DockerArchive {
                path: path.to_path_buf(),
                tag: None,
            };
        }
        if looks_like_a_path(input) {
            // A file that does not exist: "no such file", not an image-name error.
            return Reference::DockerArchive {
                path: path.to_path_buf(),
                tag: None,
            };
        }
        Reference::Name(input.to_string())
    }
}

/// Spelled as a path (`/…`, `./…`, `../…`, `~/…`) or an archive's file name (`x.tar`): never
/// an image name, even when nothing is there.
fn looks_like_a_path(input: &str) -> bool {
    const ARCHIVES: [&str; 5] = [".tar", ".tar.gz", ".tgz", ".tar.zst", ".oci"];
    ["/", "./", "../", "~/"]
        .iter()
        .any(|p| input.starts_with(p))
        || ARCHIVES.iter().any(|ext| input.ends_with(ext))
}

/// `path:tag` when `path` does not itself exist and the tag has no `/`.
fn split_tag(rest: &str) -> (PathBuf, Option<String>) {
    if Path::new(rest).exists() {
        return (PathBuf::from(rest), None);
    }
    match rest.rsplit_once(':') {
        Some((path, tag)) if !tag.is_empty() && !tag.contains('/') && !path.is_empty() => {
            (PathBuf::from(path), Some(tag.to_string()))
        }
        _ => (PathBuf::from(rest), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(
            Reference::parse("oci-dir:/nonexistent/x:image"),
            Reference::OciDir {
                path: "/nonexistent/x".into(),
                tag: Some("image".into())
            }
        );
        assert_eq!(
            Reference::parse("docker:alpine:3.20"),
            Reference::Daemon("alpine:3.20".into())
        );
        assert_eq!(
            Reference::parse("registry://127.0.0.1:5000/a/b:1"),
            Reference::Registry("127.0.0.1:5000/a/b:1".into())
        );
        assert_eq!(
            Reference::parse("dir:/srv/root"),
            Reference::Rootfs("/srv/root".into())
        );
        assert_eq!(
            Reference::parse("rootfs:./r:x"),
            Reference::Rootfs("./r:x".into())
        );
        assert_eq!(
            Reference::parse("sbom:app.cdx.json"),
            Reference::Sbom("app.cdx.json".into())
        );
        assert_eq!(
            Reference::parse("nosuchthing:latest"),
            Reference::Name("nosuchthing:latest".into())
        );
        for path in ["/nonexistent/app.tar", "./app", "app.tar.gz", "~/img"] {
            assert_eq!(
                Reference::parse(path),
                Reference::DockerArchive {
                    path: path.into(),
                    tag: None
                },
                "{path} is a path that does not exist"
            );
        }
    }
}
