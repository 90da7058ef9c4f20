//! A cheap path filter for an image walk: skip what cannot hold a secret worth reporting.

/// Directories of documentation, translations, fonts, icons and time zones.
const SKIP_DIRS: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/i18n/",
    "usr/share/zoneinfo/",
    "usr/share/icons/",
    "usr/share/fonts/",
    "usr/share/mime/",
    "usr/share/pixmaps/",
    "usr/share/terminfo/",
    "usr/lib/locale/",
    "var/lib/dpkg/info/",
    "var/cache/debconf/templates",
    "proc/",
    "sys/",
    "dev/",
];

/// Extensions of binaries, archives, media, compiled code and translations.
const SKIP_EXTENSIONS: &[&str] = &[
    "a", "o", "so", "pyc", "pyo", "class", "jar", "war", "whl", "egg", "png", "jpg", "jpeg", "gif",
    "bmp", "ico", "svg", "webp", "tif", "tiff", "woff", "woff2", "ttf", "otf", "eot", "gz", "tgz",
    "xz", "bz2", "zst", "lz4", "zip", "7z", "tar", "deb", "rpm", "apk", "mo", "gmo", "mp3", "mp4",
    "ogg", "wav", "wasm", "pdf", "md5sums", "bin", "dat", "db", "sqlite", "pf", "cat",
];

/// Names that are credential files whatever their directory.
const ALWAYS: &[&str] = &[
    ".netrc",
    "_netrc",
    ".pypirc",
    ".npmrc",
    ".git-credentials",
    "config.json",
    ".env",
    "credentials",
];

/// Whether a file at `path` (image-relative, `/` separated) is worth a secret scan: not
/// documentation, translations, media, archives, shared objects or compiled bytecode.
/// Credential files (`.netrc`, `.npmrc`, `.docker/config.json`, …) always are.
pub fn is_candidate_path(path: &str) -> bool {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let name = path.rsplit('/').next().unwrap_or(path);
    if ALWAYS.contains(&name) || name.starts_with(".env") {
        return true;
    }
    if SKIP_DIRS.iter().any(|d| path.starts_with(d)) {
        return false;
    }
    // `libfoo.so.1.2.3` is a shared object too.
    if name.contains(".so.") {
        return false;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            !SKIP_EXTENSIONS.iter().any(|s| ext.eq_ignore_ascii_case(s))
        }
        _ => true,
    }
}
