use std::collections::BTreeMap;

use seaworthy_oci::EntryKind;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags package-manager caches left in the image: apt lists and archives, the apk cache, pip,
    /// npm and yum/dnf caches. One finding per cache directory, with its size and the last layer
    /// that wrote to it.
    ///
    /// ## Why
    /// Caches make images larger and slower to pull and scan, and stale package lists in the image
    /// mislead anyone who installs from them later.
    ///
    /// ## Fix
    /// Clean up in the same RUN that installs: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`,
    /// `pip install --no-cache-dir`, `npm cache clean --force`, `dnf clean all`.
    PackageCache {
        id: "SW-IMG-011",
        name: "package-cache-left",
        title: "Package manager cache left in the image",
        area: Image,
        group: "run",
        severity: Low,
        remediation: "Remove package caches in the RUN that created them (e.g. rm -rf /var/lib/apt/lists/*).",
        refs: [Dockle("DKL-DI-0005"), Hadolint("DL3009")],
        fire: [
            "step RUN apt-get update && apt-get install -y curl\nfile var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease 644 x\n",
            "file root/.cache/pip/http/a/b 644 x\n",
            "file var/cache/apk/APKINDEX.1.tar.gz 644 x\n",
        ],
        quiet: [
            "dir var/lib/apt/lists 755\nfile var/lib/apt/lists/lock 640 \ndir var/lib/apt/lists/partial 700\n",
            "file var/cache/debconf/config.dat 644 x\n",
        ],
    }
}

/// Cache directories (a `*` component matches any one name) and what they hold.
const CACHES: &[(&str, &str)] = &[
    ("var/lib/apt/lists", "apt package lists"),
    ("var/cache/apt/archives", "downloaded .deb archives"),
    ("var/cache/apk", "apk package cache"),
    ("var/cache/yum", "yum cache"),
    ("var/cache/dnf", "dnf cache"),
    ("root/.cache/pip", "pip cache"),
    ("home/*/.cache/pip", "pip cache"),
    ("root/.npm/_cacache", "npm cache"),
    ("home/*/.npm/_cacache", "npm cache"),
];

/// Files that are part of an empty cache directory.
fn is_bookkeeping(rest: &str) -> bool {
    rest == "lock" || rest.starts_with("partial") || rest.starts_with("auxfiles")
}

fn cache_of(path: &str) -> Option<(String, &'static str, &str)> {
    for (pattern, what) in CACHES {
        let want: Vec<&str> = pattern.split('/').collect();
        let parts: Vec<&str> = path.splitn(want.len() + 1, '/').collect();
        if parts.len() <= want.len() {
            continue;
        }
        if want.iter().zip(&parts).all(|(w, p)| *w == "*" || w == p) {
            let dir = parts[..want.len()].join("/");
            let rest = parts[want.len()];
            return Some((dir, what, rest));
        }
    }
    None
}

impl Check for PackageCache {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        // dir -> (what, files, bytes, last layer)
        let mut found: BTreeMap<String, (&str, usize, u64, usize)> = BTreeMap::new();
        for (path, node) in image.fs.nodes() {
            if node.kind != EntryKind::File {
                continue;
            }
            let Some((dir, what, rest)) = cache_of(path) else {
                continue;
            };
            if is_bookkeeping(rest)
                || (what == "downloaded .deb archives" && !rest.ends_with(".deb"))
            {
                continue;
            }
            let e = found.entry(dir).or_insert((what, 0, 0, 0));
            e.1 += 1;
            e.2 += node.size;
            e.3 = e.3.max(node.layer);
        }
        for (dir, (what, files, bytes, layer)) in found {
            out.push(Hit {
                message: format!(
                    "/{dir} holds {what}: {files} file{}, {} KiB",
                    if files == 1 { "" } else { "s" },
                    bytes.div_ceil(1024)
                ),
                path: Some(dir),
                layer: Some(layer),
                ..Hit::default()
            });
        }
    }
}
