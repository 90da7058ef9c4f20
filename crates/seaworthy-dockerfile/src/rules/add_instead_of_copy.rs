use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags ADD used for local files and folders, where COPY does the job.
    ///
    /// ## Why
    /// ADD also fetches URLs and silently unpacks local archives. Using it for plain files makes
    /// the intent unclear and can unpack content nobody meant to extract into the image. COPY does
    /// only what it says. Local `.tar*` archives are exempt: unpacking is then the point.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ADD app/ /srv/app/
    /// # good
    /// COPY app/ /srv/app/
    /// ```
    AddInsteadOfCopy {
        id: "SW-DF-078",
        name: "add-instead-of-copy",
        title: "ADD used for local files (use COPY)",
        area: Dockerfile,
        group: "correctness",
        severity: Low,
        remediation: "Use COPY for local files; keep ADD for archives you mean to unpack.",
        refs: [Hadolint("DL3020"), Trivy("DS-0005"), Cis("4.9")],
        fire: ["FROM alpine:3.20\nADD app.py /srv/\n", "FROM alpine:3.20\nADD [\"a b\", \"/srv/\"]\n"],
        quiet: [
            "FROM alpine:3.20\nCOPY app.py /srv/\n",
            "FROM alpine:3.20\nADD rootfs.tar.gz /\n",
            "FROM alpine:3.20\nADD --checksum=sha256:00 https://example.com/a.tgz /tmp/\n",
            "FROM alpine:3.20\nADD git@github.com:moby/buildkit.git /src\n",
        ],
    }
}

/// Whether an ADD source is fetched (URL or git) rather than read from the context.
pub fn is_remote(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("git://")
        || s.ends_with(".git")
}

fn is_archive(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
        ".gz", ".bz2", ".xz", ".zst",
    ]
    .iter()
    .any(|ext| s.ends_with(ext))
        || s.contains('$')
}

impl Check for AddInsteadOfCopy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::Add(args) = &ins.kind else { continue };
            if !ins.heredocs.is_empty() {
                continue;
            }
            if let Some(src) = args
                .sources
                .iter()
                .find(|s| !is_remote(&s.value) && !is_archive(&s.value))
            {
                out.push(cx.hit_at(
                    i,
                    src.range,
                    format!(
                        "ADD copies local `{}`; COPY is explicit and does not unpack",
                        src.value
                    ),
                ));
            }
        }
    }
}
