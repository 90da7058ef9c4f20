use crate::context::{Context, Hit};
use crate::parser::Kind;
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags `ADD` of an HTTP(S) URL without `--checksum`, and `ADD` of a git repository that is
    /// not pinned to a commit.
    ///
    /// A git source counts as pinned when its `#ref` is a full commit hash or `--checksum` gives
    /// the commit. SW-DF-078 (hadolint DL3020, Trivy DS-0005, CIS 4.9) is about ADD of *local*
    /// files; this rule is the remote half: ADD is the right tool for a URL only when the content
    /// is verified.
    ///
    /// ## Why
    /// The download happens at every uncached build and nothing checks what arrives: a
    /// compromised server, a moved release asset or a man in the middle (for `http://`) changes
    /// the image without any change to the Dockerfile. Branches and tags of a git repository
    /// move the same way.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// ADD https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz /tmp/
    /// ADD https://github.com/moby/buildkit.git#v0.18.0 /src
    /// # good
    /// ADD --checksum=sha256:<digest> https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz /tmp/
    /// ADD https://github.com/moby/buildkit.git#<40-hex commit> /src
    /// ```
    /// Or download in a RUN step and verify with `sha256sum -c`.
    AddRemoteWithoutChecksum {
        id: "SW-DF-040",
        name: "add-remote-without-checksum",
        title: "ADD of a remote source without a checksum",
        area: Dockerfile,
        group: "trust",
        severity: Medium,
        remediation: "Add --checksum=sha256:… to ADD of URLs, pin git sources to a commit, or verify downloads in RUN.",
        refs: [],
        fire: [
            "FROM alpine:3.20\nARG V=3.2.0.2\nADD https://github.com/just-containers/s6-overlay/releases/download/v${V}/s6-overlay-noarch.tar.xz /tmp/\n",
            "FROM alpine:3.20\nadd --chmod=755 \"http://example.com/install.sh\" /usr/local/bin/install\n",
            "FROM alpine:3.20\nADD https://github.com/moby/buildkit.git#v0.18.0 /src\n",
            "FROM alpine:3.20\nADD git@github.com:moby/buildkit.git /src\n",
        ],
        quiet: [
            "FROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /tmp/\n",
            "FROM alpine:3.20\nADD https://github.com/moby/buildkit.git#6ad7d6f1b2c4f3a6b8d2e5c7f9a1b3c5d7e9f1a2 /src\n",
            "FROM alpine:3.20\nADD rootfs.tar.gz /\nCOPY https-notes.txt /srv/\n",
        ],
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Remote<'a> {
    Http,
    /// A git repository, with its `#ref` when one is given.
    Git(Option<&'a str>),
}

fn classify(source: &str) -> Option<Remote<'_>> {
    let lower = source.to_ascii_lowercase();
    let (url, fragment) = match source.split_once('#') {
        Some((u, f)) => (u.to_ascii_lowercase(), Some(f)),
        None => (lower.clone(), None),
    };
    let git = lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || ((url.starts_with("http://") || url.starts_with("https://")) && url.ends_with(".git"));
    if git {
        // `#ref:subdir`: the ref is before the colon.
        let git_ref = fragment.map(|f| f.split(':').next().unwrap_or(f));
        return Some(Remote::Git(git_ref.filter(|r| !r.is_empty())));
    }
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(Remote::Http)
}

fn is_commit(r: &str) -> bool {
    (r.len() == 40 || r.len() == 64) && r.chars().all(|c| c.is_ascii_hexdigit())
}

impl Check for AddRemoteWithoutChecksum {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for (i, ins) in cx.instructions() {
            let Kind::Add(args) = &ins.kind else { continue };
            let checksum = ins.flag_value("checksum").is_some_and(|v| !v.is_empty());
            if checksum {
                continue;
            }
            for src in &args.sources {
                let message = match classify(&src.value) {
                    Some(Remote::Http) => {
                        let plain = if src.value.to_ascii_lowercase().starts_with("http://") {
                            " over plain HTTP"
                        } else {
                            ""
                        };
                        format!(
                            "ADD downloads this URL{plain} without --checksum; nothing verifies what ends up in the image"
                        )
                    }
                    Some(Remote::Git(Some(r))) if is_commit(r) => continue,
                    Some(Remote::Git(Some(r))) => format!(
                        "this git source follows `{r}`, a branch or tag that can move; pin a commit hash"
                    ),
                    Some(Remote::Git(None)) => {
                        "this git source follows the default branch; pin a commit hash (#<commit>)"
                            .to_string()
                    }
                    None => continue,
                };
                out.push(cx.hit_at(i, src.range, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Remote, classify};

    #[test]
    fn classifies_sources() {
        assert_eq!(classify("HTTPS://x.io/a.tgz"), Some(Remote::Http));
        assert_eq!(
            classify("https://github.com/a/b.git#v1:sub"),
            Some(Remote::Git(Some("v1")))
        );
        assert_eq!(classify("git@github.com:a/b.git"), Some(Remote::Git(None)));
        assert_eq!(classify("app.tar.gz"), None);
    }
}
