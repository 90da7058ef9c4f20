//! Images in the local Docker daemon (`docker:`): inspected, then exported as one stream that
//! is indexed as it arrives; nothing is written to disk and no layer is held in memory.

mod assemble;
mod bridge;
mod client;
mod export;
#[cfg(test)]
mod tests;

use bollard::models::ImageInspect;

use crate::LoadOptions;
use crate::error::{ImageError, Result};
use crate::limits::CaptureBudget;
use crate::scan::{Image, merge};
use assemble::Inspected;
use export::Export;

/// Does the local daemon have this image? `Ok(false)` when no daemon is reachable, the name is
/// not a valid reference or the daemon does not know it.
pub fn has_image(name: &str) -> Result<bool> {
    if !client::valid_name(name) {
        return Ok(false);
    }
    let found = client::run(async {
        let docker = client::connect(client::QUICK_TIMEOUT).await?;
        docker.inspect_image(name).await
    })?;
    Ok(found.is_ok())
}

/// Reads image `name` from the daemon; `reference` (as the user wrote it) names it in errors.
pub fn load(name: &str, reference: &str, opts: &LoadOptions<'_>) -> Result<Image> {
    if !client::valid_name(name) {
        return Err(ImageError::bad(
            reference,
            "not a valid image name for the Docker daemon",
        ));
    }
    let inspect = client::run(async {
        let docker = client::connect(client::QUICK_TIMEOUT).await?;
        docker.inspect_image(name).await
    })?
    .map_err(|e| client::map_error(name, e))?;
    let inspected = inspected(inspect);
    opts.progress
        .begin(inspected.layer_count.unwrap_or(0), None);
    let what = format!("{reference}: export");
    let budget = CaptureBudget::of(&opts.limits);
    let export = stream_export(name, &what, opts, &budget)?;
    let (info, indexes, order) =
        assemble::assemble(export, &inspected, name, reference, &what, opts, &budget)?;
    merge(info, indexes, &order)
}

fn inspected(inspect: ImageInspect) -> Inspected {
    Inspected {
        id: inspect.id,
        repo_tags: inspect.repo_tags.unwrap_or_default(),
        repo_digests: inspect.repo_digests.unwrap_or_default(),
        layer_count: inspect.root_fs.and_then(|r| r.layers).map(|l| l.len()),
    }
}

/// Streams `docker save NAME` through the tar walk. The network side runs on its own thread and
/// runtime; the walk reads on this one. A failed transfer is reported as the daemon's fault.
fn stream_export(
    name: &str,
    what: &str,
    opts: &LoadOptions<'_>,
    budget: &CaptureBudget,
) -> Result<Export> {
    let (tx, reader) = bridge::channel();
    std::thread::scope(|s| {
        let producer = s.spawn(move || {
            client::block_on(async move {
                let docker = client::connect(client::EXPORT_TIMEOUT).await?;
                bridge::pump(docker.export_image(name), tx).await
            })
        });
        // The reader is dropped when the walk ends, which stops a producer still sending.
        let walked = export::walk(reader, what, opts, budget);
        match producer.join() {
            Ok(Ok(Ok(()))) => walked,
            Ok(Ok(Err(e))) => Err(client::map_error(name, e)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ImageError::io(
                what,
                std::io::Error::other("the export thread panicked"),
            )),
        }
    })
}
