use std::collections::BTreeMap;

use seaworthy_oci::EntryKind;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags files that never belong in a shipped image: version-control directories (`.git`,
    /// `.svn`, `.hg`), editor leftovers (`*~`, `.*.swp`, `.DS_Store`, `.idea`, `.vscode`) and
    /// build caches (`.cache/go-build`, `node_modules/.cache`, `.gradle/caches`). One finding per
    /// directory or file.
    ///
    /// ## Why
    /// A `.git` directory ships the whole history, deleted secrets included; editor swap files hold
    /// unsaved edits; build caches only make the image bigger. They arrive through a broad `COPY . .`.
    ///
    /// ## Fix
    /// List them in `.dockerignore`, and copy only what the image needs.
    UnnecessaryFiles {
        id: "SW-IMG-013",
        name: "unnecessary-files",
        title: "Unnecessary file in the image",
        area: Image,
        group: "volume",
        severity: Low,
        remediation: "Exclude VCS directories, editor files and build caches with .dockerignore.",
        refs: [Dockle("CIS-DI-0010")],
        fire: [
            "step COPY . /app # buildkit\ndir app/.git 755\nfile app/.git/config 644 [core]\n",
            "file app/main.py~ 644 print(1)\n",
            "file root/.cache/go-build/00/abc-d 644 x\n",
        ],
        quiet: [
            "file app/main.py 644 print(1)\nfile app/.gitignore 644 *.pyc\n",
            "file usr/share/doc/git/README 644 x\n",
        ],
    }
}

/// A directory named so, anywhere, and what it is.
const DIRS: &[(&str, &str)] = &[
    (".git", "a git repository"),
    (".svn", "a Subversion working copy"),
    (".hg", "a Mercurial repository"),
    (".idea", "IDE settings"),
    (".vscode", "editor settings"),
];

/// A directory at this path suffix, and what it is.
const CACHES: &[(&str, &str)] = &[
    (".cache/go-build", "the Go build cache"),
    ("node_modules/.cache", "a JavaScript build cache"),
    (".gradle/caches", "the Gradle cache"),
];

/// What a file is, by name.
fn stray_file(name: &str) -> Option<&'static str> {
    if name.ends_with('~') && name.len() > 1 {
        return Some("an editor backup");
    }
    if name.starts_with('.') && (name.ends_with(".swp") || name.ends_with(".swo")) {
        return Some("an editor swap file");
    }
    match name {
        ".DS_Store" => Some("macOS folder metadata"),
        "Thumbs.db" => Some("Windows thumbnail cache"),
        _ => None,
    }
}

impl Check for UnnecessaryFiles {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        // Reported directory -> (what, last layer); files under one are not reported again.
        let mut found: BTreeMap<String, (&str, usize)> = BTreeMap::new();
        for (path, node) in image.fs.nodes() {
            if path.starts_with("usr/share/") || path.starts_with("usr/lib/") {
                continue;
            }
            let parts: Vec<&str> = path.split('/').collect();
            let dir_hit = parts.iter().enumerate().find_map(|(i, part)| {
                let is_dir_part = i + 1 < parts.len() || node.kind == EntryKind::Dir;
                let what = DIRS.iter().find(|(d, _)| d == part).map(|(_, w)| *w)?;
                is_dir_part.then(|| (parts[..=i].join("/"), what))
            });
            let cache_hit = || {
                CACHES.iter().find_map(|(suffix, what)| {
                    let at = path.find(suffix)?;
                    let end = at + suffix.len();
                    let boundary = (at == 0 || path.as_bytes().get(at - 1) == Some(&b'/'))
                        && (end == path.len() || path.as_bytes().get(end) == Some(&b'/'));
                    boundary.then(|| (path[..end].to_string(), *what))
                })
            };
            let file_hit = || {
                (node.kind == EntryKind::File)
                    .then(|| stray_file(parts.last().copied().unwrap_or_default()))
                    .flatten()
                    .map(|what| (path.to_string(), what))
            };
            if let Some((key, what)) = dir_hit.or_else(cache_hit).or_else(file_hit) {
                let e = found.entry(key).or_insert((what, node.layer));
                e.1 = e.1.max(node.layer);
            }
        }
        for (path, (what, layer)) in found {
            out.push(Hit {
                message: format!("/{path} is {what}"),
                path: Some(path),
                layer: Some(layer),
                ..Hit::default()
            });
        }
    }
}
