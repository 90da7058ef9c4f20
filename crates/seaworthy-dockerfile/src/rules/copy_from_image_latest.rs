use crate::context::{Context, Hit};
use crate::image_ref::ImageRef;
use crate::rules::Check;
use crate::rules::unknown_stage_reference::{Resolved, looks_like_image, resolve, stage_refs};

seaworthy_core::declare_rule! {
    /// Flags `COPY --from` and `RUN --mount=…,from=` naming an external image without a tag, or
    /// with `:latest`, and no digest.
    ///
    /// Only values written as image references (with `/`, `:`, `.` or `@`) are judged here; a
    /// bare name that matches no stage is reported by SW-DF-005.
    ///
    /// ## Why
    /// Copying from an image brings its files into yours exactly like a base image does, so the
    /// same rule applies: `latest` changes under you, and the build is neither reproducible nor
    /// reviewable. A common case is `COPY --from=composer:latest /usr/bin/composer …`.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// COPY --from=composer:latest /usr/bin/composer /usr/local/bin/
    /// # good
    /// COPY --from=composer:2.8@sha256:<digest> /usr/bin/composer /usr/local/bin/
    /// ```
    CopyFromImageLatest {
        id: "SW-DF-093",
        name: "copy-from-image-latest",
        title: "COPY --from an image without a version tag (or :latest)",
        area: Dockerfile,
        group: "trust",
        severity: Medium,
        remediation: "Pin images used in COPY --from and RUN --mount to a release tag and ideally a digest.",
        refs: [],
        fire: [
            "FROM php:8.3-fpm\nCOPY --from=composer:latest /usr/bin/composer /usr/local/bin/\n",
            "FROM alpine:3.20\nRUN --mount=type=bind,from=ghcr.io/org/tools,target=/t cp /t/x /bin/\n",
        ],
        quiet: [
            "FROM php:8.3-fpm\nCOPY --from=composer:2.8 /usr/bin/composer /usr/local/bin/\n",
            "FROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=build /app /app\nCOPY --from=docker.io/library/busybox@sha256:1e42bbe2508154c9126d48c2b8a75420c3544343bf86fd041fb7527e017a4b4a /bin/busybox /bin/\n",
        ],
    }
}

impl Check for CopyFromImageLatest {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for r in stage_refs(cx) {
            if !looks_like_image(&r.value)
                || !matches!(resolve(cx.model, &r.value), Resolved::Image)
            {
                continue;
            }
            let Some(image) = ImageRef::parse(&r.value) else {
                continue;
            };
            if image.digest.is_some() {
                continue;
            }
            let problem = match image.tag.as_deref() {
                None => "has no tag, so it means `latest`",
                Some("latest") => "uses the moving `latest` tag",
                Some(_) => continue,
            };
            out.push(cx.hit_at(
                r.instr,
                r.range,
                format!(
                    "{} image `{}` {problem}; pin a release tag",
                    r.what, r.value
                ),
            ));
        }
    }
}
