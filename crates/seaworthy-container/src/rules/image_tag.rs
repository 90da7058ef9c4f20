use seaworthy_core::Level;

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, Field};

seaworthy_core::declare_rule! {
    /// Reports how the container's image is referenced (a manual check): a digest pins it, a
    /// tag may move, `latest` or no tag is whatever was pulled last.
    ///
    /// ## Why
    /// A container started from a stale local copy of a tag misses the fixes of the newer image;
    /// one started from a moving tag may change without review.
    ///
    /// ## Fix
    /// Pin images by digest and update the digest deliberately (`docker pull` before run).
    ///
    /// ## Example
    /// Bad: `docker run nginx`; compose `services: {web: {image: nginx}}`.
    /// Good: `docker run --pull always nginx:1.27@sha256:…`; compose
    /// `services: {web: {image: "nginx:1.27@sha256:…", pull_policy: always}}`.
    ImageTag {
        id: "SW-CTR-5.28",
        name: "container-image-reference",
        title: "Image reference may be stale (review)",
        area: Container,
        group: "runtime",
        severity: Info,
        remediation: "Reference the image by digest (`image@sha256:…`, compose `image:`) and pull before running (`--pull always`, compose `pull_policy: always`).",
        refs: [Cis("5.28")],
        fire: [],
        quiet: ["docker run alpine", "docker run alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
        extra: Cis {
            level: Level::L1,
            automated: false,
            setting: Setting {
                inspect: "Config.Image",
                compose: "image",
                flag: "IMAGE",
            },
        },
    }
}

impl Check for ImageTag {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let at = spec
            .image_at
            .clone()
            .unwrap_or_else(|| Field::named("Config.Image"));
        describe(&spec.image).field(&at, spec.image.clone())
    }
}

fn describe(image: &str) -> Verdict {
    if image.contains("@sha256:") {
        return Verdict::info("the image is pinned by digest");
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) => Verdict::info("the image uses the moving tag `latest`"),
        Some((_, tag)) => {
            Verdict::info(format!("the image uses tag `{tag}` (not pinned by digest)"))
        }
        None => Verdict::info("the image has no tag (`latest` is implied)"),
    }
}
