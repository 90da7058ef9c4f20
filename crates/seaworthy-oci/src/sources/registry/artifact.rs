//! The vulnerability database as an OCI artifact (`seaworthy db push` and `db pull`): one
//! zstd-compressed SQLite blob, a small JSON config, and an OCI image manifest carrying an
//! `artifactType` and the database's facts as annotations, in any distribution (v2) registry.
//! Authentication, `--insecure-registry` and the error messages are those of image pulls.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::client::{RegistryClient, Subject};
use super::{Connection, check_header_digest, verify};
use crate::LoadOptions;
use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::manifest::OCI_MANIFEST;

/// The manifest's `artifactType`.
pub const ARTIFACT_TYPE: &str = "application/vnd.seaworthy.db.v1";
/// The config blob's media type (a JSON object of the annotations).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.seaworthy.db.config.v1+json";
/// The database blob's media type: the SQLite file `db export` writes, zstd-compressed.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.seaworthy.db.v1.sqlite+zstd";

/// When the database was built (RFC 3339).
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
/// The database schema version.
pub const ANNOTATION_SCHEMA: &str = "dev.seaworthy.db.schema-version";
/// Followed by a feed's name (`debian-tracker`, `osv:PyPI`): when it was last updated.
pub const ANNOTATION_FEED_PREFIX: &str = "dev.seaworthy.db.feed.";

const ZSTD_LEVEL: i32 = 9;

/// Decompression bounds for a pulled database.
#[derive(Debug, Clone, Copy)]
pub struct PullLimits {
    /// Largest database file accepted (uncompressed); the compressed blob too.
    pub max_bytes: u64,
    /// Largest uncompressed/compressed ratio once past `ratio_floor_bytes`.
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
}

/// What `push` uploaded.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub manifest: Digest,
    pub blob: Digest,
    pub compressed: u64,
    pub uncompressed: u64,
}

/// `registry:NAME` and `oci://NAME` are accepted for `NAME`.
fn registry_name(target: &str) -> &str {
    target
        .strip_prefix("registry:")
        .or_else(|| target.strip_prefix("oci://"))
        .unwrap_or(target)
}

/// Compresses the database file `db_file` and uploads it, a config and a manifest with
/// `annotations` to `target` (`host[:port]/repo[:tag]`).
pub fn push(
    target: &str,
    db_file: &Path,
    annotations: &BTreeMap<String, String>,
    opts: &LoadOptions<'_>,
) -> Result<Pushed> {
    let connection = Connection::open_for(
        registry_name(target),
        target,
        opts,
        oci_client::RegistryOperation::Push,
    )?;
    let what = db_file.display().to_string();
    let data = std::fs::read(db_file).map_err(|e| ImageError::io(&what, e))?;
    let uncompressed = data.len() as u64;
    let blob = zstd::bulk::compress(&data, ZSTD_LEVEL).map_err(|e| ImageError::io(&what, e))?;
    drop(data);
    let blob_digest = Digest::sha256_of(&blob);
    let config =
        serde_json::to_vec(annotations).map_err(|e| ImageError::io(&what, io::Error::other(e)))?;
    let config_digest = Digest::sha256_of(&config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": CONFIG_MEDIA_TYPE,
            "digest": config_digest.to_string(),
            "size": config.len(),
        },
        "layers": [{
            "mediaType": LAYER_MEDIA_TYPE,
            "digest": blob_digest.to_string(),
            "size": blob.len(),
            "annotations": {"org.opencontainers.image.title": "vuln.db.zst"},
        }],
        "annotations": annotations,
    });
    let manifest =
        serde_json::to_vec(&manifest).map_err(|e| ImageError::io(&what, io::Error::other(e)))?;
    let client = &connection.client;
    let tag = connection.image.reference();
    connection.runtime.block_on(async {
        upload_blob(client, &config_digest, &config, target).await?;
        upload_blob(client, &blob_digest, &blob, target).await?;
        put_manifest(client, &tag, &manifest, target).await
    })?;
    Ok(Pushed {
        manifest: Digest::sha256_of(&manifest),
        blob: blob_digest,
        compressed: blob.len() as u64,
        uncompressed,
    })
}

/// Uploads a blob unless the registry has it (monolithic upload: POST, then PUT with the digest).
async fn upload_blob(
    client: &RegistryClient,
    digest: &Digest,
    data: &[u8],
    target: &str,
) -> Result<()> {
    let full = format!("{}@{digest}", client.full_name());
    let what = format!("{target}: blob {digest}");
    let head_url = client.repository_url(&format!("blobs/{digest}"));
    let head = client.send(Method::HEAD, &head_url, None, None).await?;
    if head.status().is_success() {
        return Ok(());
    }
    let start = client
        .send(
            Method::POST,
            &client.repository_url("blobs/uploads/"),
            None,
            None,
        )
        .await?;
    if start.status() != StatusCode::ACCEPTED {
        return Err(client
            .status_error(start, &what, &full, Subject::Blob)
            .await);
    }
    let location = start
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ImageError::bad(&what, "the registry started an upload without a Location")
        })?;
    let mut url = client.absolute_url(location);
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(&format!("digest={}%3A{}", digest.algorithm(), digest.hex()));
    let done = client
        .send(
            Method::PUT,
            &url,
            None,
            Some(("application/octet-stream", data)),
        )
        .await?;
    if done.status() != StatusCode::CREATED {
        return Err(client.status_error(done, &what, &full, Subject::Blob).await);
    }
    Ok(())
}

async fn put_manifest(
    client: &RegistryClient,
    tag: &str,
    manifest: &[u8],
    target: &str,
) -> Result<()> {
    let url = client.repository_url(&format!("manifests/{tag}"));
    let resp = client
        .send(Method::PUT, &url, None, Some((OCI_MANIFEST, manifest)))
        .await?;
    if resp.status() != StatusCode::CREATED {
        let full = format!("{}:{tag}", client.full_name());
        let what = format!("{target}: manifest");
        return Err(client
            .status_error(resp, &what, &full, Subject::Manifest)
            .await);
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ManifestJson {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    artifact_type: Option<String>,
    config: DescriptorJson,
    #[serde(default)]
    layers: Vec<DescriptorJson>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescriptorJson {
    media_type: String,
    digest: String,
    size: u64,
}

/// A database artifact's manifest, resolved and checked; [`DbArtifact::download`] fetches it.
pub struct DbArtifact {
    connection: Connection,
    target: String,
    /// The manifest's digest.
    pub manifest: Digest,
    /// The compressed database blob and its size.
    pub blob: Digest,
    pub blob_size: u64,
    pub annotations: BTreeMap<String, String>,
}

/// Fetches and checks the manifest `target` names (`host[:port]/repo[:tag][@digest]`).
pub fn resolve(target: &str, opts: &LoadOptions<'_>) -> Result<DbArtifact> {
    let connection = Connection::open(registry_name(target), target, opts)?;
    let image = &connection.image;
    let fetched = connection.manifest(&image.reference(), opts.limits.max_json_bytes)?;
    let what = format!("{target}: manifest");
    let manifest = match &image.digest {
        Some(digest) => {
            verify(&fetched.bytes, digest, None).map_err(|m| ImageError::bad(&what, m))?;
            digest.clone()
        }
        None => {
            let digest = Digest::sha256_of(&fetched.bytes);
            check_header_digest(&digest, fetched.digest_header.as_deref())
                .map_err(|m| ImageError::bad(&what, m))?;
            digest
        }
    };
    let parsed: ManifestJson = serde_json::from_slice(&fetched.bytes).map_err(|e| {
        ImageError::bad(
            &what,
            format!(
                "not an OCI image manifest (line {} column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let media_type = parsed
        .media_type
        .as_deref()
        .or(fetched.media_type.as_deref());
    if media_type != Some(OCI_MANIFEST) {
        return Err(ImageError::bad(
            &what,
            "not a seaworthy database: an index or a manifest other than an OCI image manifest",
        ));
    }
    if parsed.artifact_type.as_deref() != Some(ARTIFACT_TYPE)
        && parsed.config.media_type != CONFIG_MEDIA_TYPE
    {
        return Err(ImageError::bad(
            &what,
            format!(
                "not a seaworthy database (artifact type {:?}, config media type {:?}; expected \
                 {ARTIFACT_TYPE})",
                parsed.artifact_type.as_deref().unwrap_or_default(),
                parsed.config.media_type
            ),
        ));
    }
    let mut layers = parsed
        .layers
        .iter()
        .filter(|l| l.media_type == LAYER_MEDIA_TYPE);
    let (Some(layer), None) = (layers.next(), layers.next()) else {
        return Err(ImageError::bad(
            &what,
            format!("expected exactly one {LAYER_MEDIA_TYPE} layer"),
        ));
    };
    let blob = Digest::parse(&layer.digest).map_err(|m| ImageError::bad(&what, m))?;
    Ok(DbArtifact {
        blob,
        blob_size: layer.size,
        annotations: parsed.annotations,
        manifest,
        target: target.to_string(),
        connection,
    })
}

impl DbArtifact {
    /// Downloads the blob into `scratch` (checked against its digest and size before anything
    /// is decompressed), then decompresses it into `out` within `limits`. Returns the
    /// decompressed size.
    pub fn download(
        &self,
        scratch: &mut File,
        out: &mut dyn Write,
        limits: PullLimits,
    ) -> Result<u64> {
        let what = format!("{}: database blob {}", self.target, self.blob);
        if self.blob_size > limits.max_bytes {
            return Err(ImageError::bad(
                &what,
                format!(
                    "{} bytes, larger than the {} byte limit",
                    self.blob_size, limits.max_bytes
                ),
            ));
        }
        let connection = &self.connection;
        let response = connection
            .runtime
            .block_on(connection.client.blob(&self.blob, &what))?;
        let stream = super::stream::spawn(connection.runtime.handle(), response, what.clone());
        let mut verifying = VerifyingReader::new(stream, self.blob.clone(), Some(self.blob_size));
        io::copy(&mut verifying, scratch).map_err(|e| ImageError::from_read(&what, e))?;
        scratch.rewind().map_err(|e| ImageError::io(&what, e))?;
        decompress(&mut *scratch, self.blob_size, out, limits, &what)
    }
}

/// Decompresses `compressed` (`compressed_size` bytes of zstd) into `out`, refusing more than
/// `limits.max_bytes` or a ratio over `limits.max_ratio` past the floor.
fn decompress(
    compressed: &mut dyn Read,
    compressed_size: u64,
    out: &mut dyn Write,
    limits: PullLimits,
    what: &str,
) -> Result<u64> {
    let mut decoder = zstd::Decoder::new(compressed).map_err(|e| ImageError::io(what, e))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = decoder
            .read(&mut buf)
            .map_err(|e| ImageError::bad(what, format!("not valid zstd data ({e})")))?;
        if n == 0 {
            break;
        }
        total = total.saturating_add(n as u64);
        if total > limits.max_bytes {
            return Err(ImageError::bad(
                what,
                format!(
                    "decompresses to more than the {} byte limit",
                    limits.max_bytes
                ),
            ));
        }
        if total > limits.ratio_floor_bytes
            && total > compressed_size.max(1).saturating_mul(limits.max_ratio)
        {
            return Err(ImageError::bad(
                what,
                format!(
                    "decompresses to more than {} times its size (a compression bomb?)",
                    limits.max_ratio
                ),
            ));
        }
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(|e| ImageError::io(what, e))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_prefixes_are_accepted() {
        assert_eq!(registry_name("registry:h:5000/db:1"), "h:5000/db:1");
        assert_eq!(registry_name("oci://h/db"), "h/db");
        assert_eq!(registry_name("h/db:v3"), "h/db:v3");
    }

    fn limits(max_bytes: u64) -> PullLimits {
        PullLimits {
            max_bytes,
            max_ratio: 200,
            ratio_floor_bytes: 1 << 20,
        }
    }

    #[test]
    fn decompression_is_bounded_in_size_and_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let bomb = zstd::bulk::compress(&zeros, 3).unwrap_or_default();
        let size = bomb.len() as u64;
        let mut out = Vec::new();
        let e = decompress(&mut bomb.as_slice(), size, &mut out, limits(1 << 30), "db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("times its size"), "{e}");
        let mut out = Vec::new();
        let e = decompress(&mut bomb.as_slice(), size, &mut out, limits(1 << 19), "db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("524288 byte limit"), "{e}");

        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let packed = zstd::bulk::compress(&data, 3).unwrap_or_default();
        let mut out = Vec::new();
        let n = decompress(
            &mut packed.as_slice(),
            packed.len() as u64,
            &mut out,
            limits(1 << 30),
            "db",
        );
        assert_eq!(n.ok(), Some(data.len() as u64));
        assert_eq!(out, data);
        let e = decompress(
            &mut &b"not zstd"[..],
            8,
            &mut Vec::new(),
            limits(1 << 30),
            "db",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("not valid zstd"), "{e}");
    }
}
