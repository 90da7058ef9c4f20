//! Which OS the image is: `/etc/os-release`, then `/usr/lib/os-release`, then the
//! distribution-specific release files. Works for distroless images (os-release only).

use seaworthy_oci::FsView;
use serde::Serialize;

/// Files OS detection reads (relative to the image root).
pub const OS_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/redhat-release",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsInfo {
    /// `debian`, `alpine`, `rhel`, `ubuntu`, … (os-release `ID`).
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
}

impl OsInfo {
    /// purl `distro` qualifier: `debian-12`, `alpine-3.20.1`.
    pub fn distro(&self) -> String {
        if self.version_id.is_empty() {
            self.id.clone()
        } else {
            format!("{}-{}", self.id, self.version_id)
        }
    }
}

/// Parses os-release (`KEY=value`, optionally quoted, `#` comments).
pub fn parse_os_release(text: &str) -> Option<OsInfo> {
    let mut info = OsInfo::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "ID" => info.id = value.to_ascii_lowercase(),
            "VERSION_ID" => info.version_id = value,
            "VERSION_CODENAME" if !value.is_empty() => info.version_codename = Some(value),
            "PRETTY_NAME" if !value.is_empty() => info.pretty_name = Some(value),
            "ID_LIKE" => info.id_like = value.split_whitespace().map(str::to_string).collect(),
            _ => {}
        }
    }
    (!info.id.is_empty()).then_some(info)
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// Detects the OS from the view; `None` for images without any release file (scratch).
pub fn detect(fs: &FsView) -> Option<OsInfo> {
    for path in ["etc/os-release", "usr/lib/os-release"] {
        if let Some(f) = fs.read(path)
            && let Some(info) = parse_os_release(&String::from_utf8_lossy(f.data))
        {
            return Some(info);
        }
    }
    let text = |p: &str| {
        fs.read(p)
            .map(|f| String::from_utf8_lossy(f.data).trim().to_string())
    };
    if let Some(v) = text("etc/alpine-release") {
        return Some(OsInfo {
            id: "alpine".into(),
            version_id: v,
            ..OsInfo::default()
        });
    }
    if let Some(v) = text("etc/debian_version") {
        let major = v.split('.').next().unwrap_or_default();
        return Some(OsInfo {
            id: "debian".into(),
            version_id: if major.chars().all(|c| c.is_ascii_digit()) {
                major.to_string()
            } else {
                String::new()
            },
            version_codename: None,
            pretty_name: Some(format!("Debian {v}")),
            id_like: Vec::new(),
        });
    }
    if let Some(v) = text("etc/redhat-release") {
        return Some(parse_redhat_release(&v));
    }
    None
}

/// `CentOS Linux release 7.9.2009 (Core)`, `Red Hat Enterprise Linux release 8.9 (Ootpa)`.
fn parse_redhat_release(line: &str) -> OsInfo {
    let lower = line.to_ascii_lowercase();
    let id = if lower.starts_with("centos") {
        "centos"
    } else if lower.starts_with("rocky") {
        "rocky"
    } else if lower.starts_with("almalinux") {
        "almalinux"
    } else if lower.starts_with("fedora") {
        "fedora"
    } else {
        "rhel"
    };
    let version = line
        .split_whitespace()
        .skip_while(|w| *w != "release")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    OsInfo {
        id: id.into(),
        version_id: version,
        pretty_name: Some(line.to_string()),
        ..OsInfo::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_os_release_through_symlinked_path() {
        let fs = FsView::from_files([(
            "usr/lib/os-release".to_string(),
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n".to_vec(),
        )]);
        let os = detect(&fs).unwrap_or_default();
        assert_eq!(os.id, "debian");
        assert_eq!(os.distro(), "debian-12");
        assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
    }

    #[test]
    fn fallbacks() {
        let fs = FsView::from_files([("etc/alpine-release".to_string(), b"3.20.3\n".to_vec())]);
        assert_eq!(
            detect(&fs).map(|o| o.distro()),
            Some("alpine-3.20.3".into())
        );
        let fs = FsView::from_files([(
            "etc/redhat-release".to_string(),
            b"CentOS Linux release 7.9.2009 (Core)\n".to_vec(),
        )]);
        assert_eq!(
            detect(&fs).map(|o| o.distro()),
            Some("centos-7.9.2009".into())
        );
        assert_eq!(detect(&FsView::default()), None);
    }
}
