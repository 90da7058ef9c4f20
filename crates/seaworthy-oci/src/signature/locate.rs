//! Finding an image's `.sig` manifests where the image came from (OCI layout or registry) and
//! reading their layers: payload bytes (bounded, digest-checked) and signature annotations.

use crate::LoadOptions;
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::ImageInfo;
use crate::limits::Limits;
use crate::manifest::{Descriptor, ManifestDoc};
use crate::reference::Reference;
use crate::sources::oci_layout;
use crate::sources::registry::Connection;
use crate::store::{BlobStore, DirStore, TarStore};

use super::payload::MAX_PAYLOAD_BYTES;
use super::{MAX_SIGNATURES, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, signature_tag};

/// Most bytes of a `.sig` manifest read.
const MAX_SIG_MANIFEST_BYTES: u64 = 1 << 20;
/// Registries refuse longer tags (a sha512 `.sig` tag would be one).
const MAX_TAG_LEN: usize = 128;

pub(crate) enum Lookup {
    NotApplicable(String),
    Searched(Found),
}

/// The `.sig` manifests that exist for the image's digests.
pub(crate) struct Found {
    pub looked_for: Vec<String>,
    pub manifests: Vec<SigManifest>,
}

pub(crate) struct SigManifest {
    /// The digest whose signatures these are (the `.sig` tag names it).
    pub subject: Digest,
    pub tag: String,
    /// The manifest itself is unusable (an index, not JSON, …).
    pub problem: Option<String>,
    pub signatures: Vec<RawSignature>,
}

/// One layer of a `.sig` manifest, as read.
pub(crate) struct RawSignature {
    /// `TAG layer N (DIGEST)`, for messages.
    pub name: String,
    /// Payload bytes, or why they cannot be had.
    pub payload: Result<Vec<u8>, String>,
    /// The base64 signature annotation, or why it is unusable.
    pub signature: Result<String, String>,
}

/// Looks in the image's own source for signatures of its manifest (and of the index it was
/// picked from, when there is one).
pub(crate) fn locate(
    image: &ImageInfo,
    manifest_digest: &Digest,
    opts: &LoadOptions<'_>,
) -> Result<Lookup> {
    let reference = Reference::parse(&image.reference);
    match (image.source, reference) {
        ("oci-dir", Reference::OciDir { path, tag }) => {
            let store = DirStore::open(&path)?;
            in_layout(&store, tag.as_deref(), manifest_digest, &opts.limits).map(Lookup::Searched)
        }
        (
            "oci-archive",
            Reference::OciArchive { path, tag } | Reference::DockerArchive { path, tag },
        ) => {
            let store = TarStore::open(&path)?;
            in_layout(&store, tag.as_deref(), manifest_digest, &opts.limits).map(Lookup::Searched)
        }
        ("registry", Reference::Registry(name) | Reference::Name(name)) => {
            in_registry(&name, &image.reference, manifest_digest, opts).map(Lookup::Searched)
        }
        (source, _) => Ok(Lookup::NotApplicable(format!(
            "signatures are looked up in OCI layouts and registries; this image was read from \
             {source}"
        ))),
    }
}

/// `first`, then `second` when it differs.
fn subjects(first: &Digest, second: Option<Digest>) -> Vec<Digest> {
    let mut out = vec![first.clone()];
    if let Some(second) = second
        && &second != first
    {
        out.push(second);
    }
    out
}

fn in_layout<S: BlobStore>(
    store: &S,
    tag: Option<&str>,
    manifest_digest: &Digest,
    limits: &Limits,
) -> Result<Found> {
    let name = store.name();
    let entries = oci_layout::read_index(store, limits)?;
    // The entry the image was picked from may be an index: its signatures count too.
    let top = oci_layout::choose_tagged(&entries, tag)
        .ok()
        .and_then(|d| d.digest().ok());
    let payload_limits = Limits {
        max_json_bytes: MAX_PAYLOAD_BYTES as u64,
        ..limits.clone()
    };
    let manifest_limits = Limits {
        max_json_bytes: MAX_SIG_MANIFEST_BYTES,
        ..limits.clone()
    };
    let mut found = Found {
        looked_for: Vec::new(),
        manifests: Vec::new(),
    };
    for subject in subjects(manifest_digest, top) {
        let tag = signature_tag(&subject);
        found.looked_for.push(tag.clone());
        let Some(desc) = oci_layout::find_tagged(&entries, &tag) else {
            continue;
        };
        let mut manifest = SigManifest {
            subject,
            tag: tag.clone(),
            problem: None,
            signatures: Vec::new(),
        };
        let layers = match oci_layout::read_verified(store, desc, &manifest_limits) {
            Ok((_, bytes)) => signature_layers(&bytes, Some(&desc.media_type))
                .map_err(|m| format!("{name}: {tag}: {m}")),
            Err(e @ ImageError::Io { .. }) => return Err(e),
            Err(e) => Err(e.to_string()),
        };
        add_signatures(&mut manifest, layers, |layer, _, _| {
            Ok(oci_layout::read_verified(store, layer, &payload_limits)
                .map(|(_, bytes)| bytes)
                .map_err(|e| e.to_string()))
        })?;
        found.manifests.push(manifest);
    }
    Ok(found)
}

fn in_registry(
    name: &str,
    reference: &str,
    manifest_digest: &Digest,
    opts: &LoadOptions<'_>,
) -> Result<Found> {
    let connection = Connection::open(name, reference, opts)?;
    // When the name points at an index, cosign usually signed the index's digest.
    let top = connection.top_digest(opts.limits.max_json_bytes)?;
    let mut found = Found {
        looked_for: Vec::new(),
        manifests: Vec::new(),
    };
    for subject in subjects(manifest_digest, Some(top)) {
        let tag = signature_tag(&subject);
        if tag.len() > MAX_TAG_LEN {
            continue;
        }
        found.looked_for.push(tag.clone());
        let what = format!("{reference}: {tag}");
        let fetched = match connection.manifest(&tag, MAX_SIG_MANIFEST_BYTES) {
            Ok(fetched) => fetched,
            Err(ImageError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let mut manifest = SigManifest {
            subject,
            tag: tag.clone(),
            problem: None,
            signatures: Vec::new(),
        };
        let layers = signature_layers(&fetched.bytes, fetched.media_type.as_deref())
            .map_err(|m| format!("{what}: {m}"));
        add_signatures(
            &mut manifest,
            layers,
            |layer, digest, label| match connection.blob(
                &digest,
                layer.size,
                MAX_PAYLOAD_BYTES as u64,
                label,
            ) {
                Ok(bytes) => Ok(Ok(bytes)),
                Err(e @ ImageError::Io { .. }) => Err(e),
                Err(e) => Ok(Err(e.to_string())),
            },
        )?;
        found.manifests.push(manifest);
    }
    Ok(found)
}

/// Adds the signatures of a `.sig` manifest's layers (at most [`MAX_SIGNATURES`]), each payload
/// read by `fetch(layer, digest, label)`: `Err` aborts the lookup (an I/O failure), `Ok(Err)`
/// marks that one signature unreadable.
fn add_signatures(
    manifest: &mut SigManifest,
    layers: Result<Vec<Descriptor>, String>,
    mut fetch: impl FnMut(&Descriptor, Digest, &str) -> Result<Result<Vec<u8>, String>>,
) -> Result<()> {
    let layers = match layers {
        Ok(layers) => layers,
        Err(m) => {
            manifest.problem = Some(m);
            return Ok(());
        }
    };
    for (i, layer) in layers.iter().take(MAX_SIGNATURES).enumerate() {
        let (label, signature) = describe(&manifest.tag, i, layer);
        let payload = match layer_digest(layer) {
            Ok(digest) => fetch(layer, digest, &label)?,
            Err(m) => Err(m),
        };
        manifest.signatures.push(RawSignature {
            name: label,
            payload,
            signature,
        });
    }
    manifest.problem = too_many(layers.len());
    Ok(())
}

/// The layers of a `.sig` manifest.
fn signature_layers(bytes: &[u8], media_type: Option<&str>) -> Result<Vec<Descriptor>, String> {
    match ManifestDoc::parse(bytes, media_type)? {
        ManifestDoc::Image { layers, .. } if layers.is_empty() => {
            Err("signature manifest has no layers".into())
        }
        ManifestDoc::Image { layers, .. } => Ok(layers),
        ManifestDoc::Index(_) => Err("signature tag names an index, not a manifest".into()),
    }
}

fn too_many(count: usize) -> Option<String> {
    (count > MAX_SIGNATURES)
        .then(|| format!("{count} signature layers; only the first {MAX_SIGNATURES} were checked"))
}

/// A layer's label for messages and its signature annotation (checked for the media type).
fn describe(tag: &str, index: usize, layer: &Descriptor) -> (String, Result<String, String>) {
    let label = format!("{tag} layer {index} ({})", short(&layer.digest));
    let signature = if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
        Err(format!(
            "layer media type {:?} is not {SIMPLE_SIGNING_MEDIA_TYPE}",
            short(&layer.media_type)
        ))
    } else {
        layer
            .annotations
            .get(SIGNATURE_ANNOTATION)
            .cloned()
            .ok_or_else(|| format!("no {SIGNATURE_ANNOTATION} annotation"))
    };
    (label, signature)
}

/// The payload blob's digest, refused before fetching when it says it is too large.
fn layer_digest(layer: &Descriptor) -> Result<Digest, String> {
    let digest = layer.digest()?;
    if layer.size.is_some_and(|s| s > MAX_PAYLOAD_BYTES as u64) {
        return Err(format!(
            "payload of {} bytes is over the {MAX_PAYLOAD_BYTES} byte limit",
            layer.size.unwrap_or_default()
        ));
    }
    Ok(digest)
}

fn short(s: &str) -> String {
    s.chars().take(100).collect()
}
