//! Images in an OCI distribution (v2) registry (`registry:` and bare names): the manifest is
//! resolved (index → platform), every document's digest checked, and layers streamed on demand.

pub mod artifact;
mod client;
mod credentials;
mod name;
mod stream;

use std::io::Read;

use crate::LoadOptions;
use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::image::{ImageConfig, ImageInfo};
use crate::manifest::{ManifestDoc, select_platform};
use crate::sources::oci_layout::image_info;
use crate::sources::{ImageSource, LayerBlob};

use client::{Challenge, RegistryClient};
use name::ImageName;

/// Indexes nested deeper than this are refused.
const MAX_INDEX_DEPTH: usize = 4;

pub(crate) use client::FetchedManifest;

pub struct RegistryImage {
    info: ImageInfo,
    connection: Connection,
}

/// An authenticated client for one image name and the runtime that drives it; blocking
/// methods for callers outside async code.
pub(crate) struct Connection {
    image: ImageName,
    client: RegistryClient,
    /// Drives the HTTP requests; layer readers block on channels fed by its tasks.
    runtime: tokio::runtime::Runtime,
}

impl Connection {
    /// Parses `name` (`[host[:port]/]repo[:tag][@digest]`), pings the registry and
    /// authenticates. `reference` is what the user typed, kept for messages.
    pub fn open(name: &str, reference: &str, opts: &LoadOptions<'_>) -> Result<Connection> {
        Connection::open_for(name, reference, opts, oci_client::RegistryOperation::Pull)
    }

    /// As [`Connection::open`], with a token for `operation` (push for `db push`).
    fn open_for(
        name: &str,
        reference: &str,
        opts: &LoadOptions<'_>,
        operation: oci_client::RegistryOperation,
    ) -> Result<Connection> {
        let image = ImageName::parse(name).map_err(|m| ImageError::bad(reference, m))?;
        name::check_insecure(&opts.insecure_registries)
            .map_err(|m| ImageError::bad(reference, m))?;
        let insecure = name::is_insecure(&image.host, &opts.insecure_registries);
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ImageError::io(
                reference,
                std::io::Error::other("registry images cannot be opened from async code"),
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("seaworthy-registry")
            .enable_all()
            .build()
            .map_err(|e| ImageError::io(reference, e))?;
        let mut client = RegistryClient::new(image.clone(), reference, insecure)?;
        client.operation = operation;

        let challenge = runtime.block_on(client.ping())?;
        let found = if challenge == Challenge::None {
            credentials::Found::default()
        } else {
            credentials::lookup(
                image.auth_key(),
                opts.credentials.as_ref(),
                opts.docker_config.as_deref(),
            )?
        };
        runtime.block_on(client.authenticate(challenge, found))?;
        Ok(Connection {
            image,
            client,
            runtime,
        })
    }

    /// The manifest or index `target` (a tag or digest) of this repository, at most `limit`
    /// bytes; a missing one is [`ImageError::NotFound`].
    pub fn manifest(&self, target: &str, limit: u64) -> Result<FetchedManifest> {
        self.runtime.block_on(self.client.manifest(target, limit))
    }

    /// A small blob whole, checked against its digest (and size, when given).
    pub fn blob(
        &self,
        digest: &Digest,
        size: Option<u64>,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>> {
        let bytes = self
            .runtime
            .block_on(self.client.small_blob(digest, limit, what))?;
        verify(&bytes, digest, size).map_err(|m| ImageError::bad(what, m))?;
        Ok(bytes)
    }

    /// The digest of what the name points to (an index or a manifest), as served.
    pub fn top_digest(&self, limit: u64) -> Result<Digest> {
        if let Some(digest) = &self.image.digest {
            return Ok(digest.clone());
        }
        let reference = self.client_reference();
        let fetched = self.manifest(&self.image.reference(), limit)?;
        let digest = Digest::sha256_of(&fetched.bytes);
        check_header_digest(&digest, fetched.digest_header.as_deref())
            .map_err(|m| ImageError::bad(format!("{reference}: manifest"), m))?;
        Ok(digest)
    }

    fn client_reference(&self) -> String {
        self.image
            .tagged()
            .unwrap_or_else(|| self.image.repository.clone())
    }
}

impl RegistryImage {
    /// Resolves `name` (`[host[:port]/]repo[:tag][@digest]`) to one image manifest and its
    /// config. `reference` is what the user typed, kept for messages.
    pub fn open(name: &str, reference: &str, opts: &LoadOptions<'_>) -> Result<Self> {
        let connection = Connection::open(name, reference, opts)?;
        let image = &connection.image;
        let mut info =
            connection
                .runtime
                .block_on(resolve(&connection.client, image, reference, opts))?;
        info.repo_tags = image.tagged().into_iter().collect();
        Ok(RegistryImage { info, connection })
    }
}

/// Follows the reference to an image manifest, checking each document against its digest.
async fn resolve(
    client: &RegistryClient,
    image: &ImageName,
    reference: &str,
    opts: &LoadOptions<'_>,
) -> Result<ImageInfo> {
    let limit = opts.limits.max_json_bytes;
    let mut target = image.reference();
    let mut expected: Option<(Digest, Option<u64>)> = image.digest.clone().map(|d| (d, None));
    let mut media_hint: Option<String> = None;
    for _ in 0..MAX_INDEX_DEPTH {
        let fetched = client.manifest(&target, limit).await?;
        let digest = match &expected {
            Some((digest, size)) => {
                verify(&fetched.bytes, digest, *size)
                    .map_err(|m| ImageError::bad(format!("{reference}: manifest"), m))?;
                digest.clone()
            }
            None => {
                let digest = Digest::sha256_of(&fetched.bytes);
                check_header_digest(&digest, fetched.digest_header.as_deref())
                    .map_err(|m| ImageError::bad(format!("{reference}: manifest"), m))?;
                digest
            }
        };
        let what = format!("{reference}: manifest {digest}");
        let media_type = fetched.media_type.as_deref().or(media_hint.as_deref());
        match ManifestDoc::parse(&fetched.bytes, media_type)
            .map_err(|m| ImageError::bad(&what, m))?
        {
            ManifestDoc::Index(entries) => {
                let chosen = select_platform(&entries, &opts.platform())
                    .map_err(|m| ImageError::bad(&what, m))?;
                let chosen_digest = chosen.digest().map_err(|m| ImageError::bad(&what, m))?;
                target = chosen_digest.to_string();
                expected = Some((chosen_digest, chosen.size));
                media_hint = Some(chosen.media_type.clone());
            }
            ManifestDoc::Image { config, layers } => {
                let config_digest = config.digest().map_err(|m| ImageError::bad(&what, m))?;
                let config_what = format!("{reference}: config {config_digest}");
                if config.size.is_some_and(|s| s > limit) {
                    return Err(ImageError::bad(
                        config_what,
                        format!("larger than the {limit} byte limit"),
                    ));
                }
                let bytes = client
                    .small_blob(&config_digest, limit, &config_what)
                    .await?;
                verify(&bytes, &config_digest, config.size)
                    .map_err(|m| ImageError::bad(&config_what, m))?;
                let parsed =
                    ImageConfig::parse(&bytes).map_err(|m| ImageError::bad(&config_what, m))?;
                return image_info(
                    reference,
                    "registry",
                    digest,
                    config_digest,
                    parsed,
                    &layers,
                    &opts.limits,
                )
                .map_err(|m| ImageError::bad(&what, m));
            }
        }
    }
    Err(ImageError::bad(
        reference,
        format!("indexes nested more than {MAX_INDEX_DEPTH} deep"),
    ))
}

/// Checks a whole document against its digest and size.
pub(crate) fn verify(bytes: &[u8], digest: &Digest, size: Option<u64>) -> Result<(), String> {
    let mut sink = std::io::sink();
    std::io::copy(
        &mut VerifyingReader::new(bytes, digest.clone(), size),
        &mut sink,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// When pulled by tag, the registry's `Docker-Content-Digest` (if sha256) must match the bytes.
pub(crate) fn check_header_digest(actual: &Digest, header: Option<&str>) -> Result<(), String> {
    let Some(claimed) = header.and_then(|h| Digest::parse(h.trim()).ok()) else {
        return Ok(());
    };
    if claimed.algorithm() == actual.algorithm() && &claimed != actual {
        return Err(format!(
            "digest mismatch: the registry says {claimed}, the content hashes to {actual}"
        ));
    }
    Ok(())
}

impl ImageSource for RegistryImage {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>> {
        let layer =
            self.info.layers.get(index).ok_or_else(|| {
                ImageError::bad(&self.info.reference, format!("no layer {index}"))
            })?;
        let digest = layer
            .digest
            .clone()
            .ok_or_else(|| ImageError::bad(&self.info.reference, "layer without digest"))?;
        let what = crate::scan::layer_name(&self.info, index);
        let connection = &self.connection;
        let response = connection
            .runtime
            .block_on(connection.client.blob(&digest, &what))?;
        let reader: Box<dyn Read + Send + '_> =
            Box::new(stream::spawn(connection.runtime.handle(), response, what));
        Ok(LayerBlob {
            reader,
            verify: Some(digest),
            size: layer.size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_digest_must_match_content() {
        let actual = Digest::sha256_of(b"{}");
        assert!(check_header_digest(&actual, None).is_ok());
        assert!(check_header_digest(&actual, Some(&actual.to_string())).is_ok());
        let other = Digest::sha256_of(b"[]").to_string();
        assert!(check_header_digest(&actual, Some(&other)).is_err_and(|m| m.contains("mismatch")));
    }

    #[test]
    fn documents_are_verified() {
        let d = Digest::sha256_of(b"abc");
        assert!(verify(b"abc", &d, Some(3)).is_ok());
        assert!(verify(b"abd", &d, None).is_err());
        assert!(verify(b"abc", &d, Some(4)).is_err());
    }
}
