//! Volume specs (`-v src:dst[:opts]`, compose short syntax) and `--mount` key=value lists.

use crate::spec::{Field, Mount, MountKind};

const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// `[src:]dst[:opts]`. A source starting with `/`, `.` or `~` is a bind mount, any other a named
/// volume; without a source, an anonymous volume.
pub fn parse_volume(text: &str, at: &Field) -> Result<Mount, String> {
    let bad = |why: &str| {
        let text = seaworthy_core::text::shown(text);
        format!("invalid volume `{text}`: {why}")
    };
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, opts) = match parts.as_slice() {
        [dst] => ("", *dst, ""),
        [src, dst] => (*src, *dst, ""),
        [src, dst, opts] => (*src, *dst, *opts),
        _ => return Err(bad("expected [source:]target[:options]")),
    };
    if target.is_empty() {
        return Err(bad("empty target"));
    }
    let mut mount = Mount {
        kind: kind_of_source(source),
        source: normalize_source(source),
        target: target.to_string(),
        read_only: false,
        propagation: None,
        at: at.clone(),
    };
    for opt in opts.split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" | "readonly" => mount.read_only = true,
            "rw" => mount.read_only = false,
            "z" | "Z" | "nocopy" | "consistent" | "cached" | "delegated" => {}
            p if PROPAGATIONS.contains(&p) => mount.propagation = Some(p.to_string()),
            other => return Err(bad(&format!("unknown option `{other}`"))),
        }
    }
    Ok(mount)
}

/// `type=bind,source=/,target=/host,readonly,bind-propagation=shared` (keys as the CLI knows them;
/// keys this model does not need are accepted and ignored).
pub fn parse_mount(text: &str, at: &Field) -> Result<Mount, String> {
    let bad = |why: &str| format!("invalid mount `{text}`: {why}");
    let mut kind = MountKind::Volume;
    let (mut source, mut target) = (String::new(), None);
    let (mut read_only, mut propagation) = (false, None);
    for item in text.split(',') {
        let item = item.trim().trim_matches('"');
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_lowercase(),
                Some(v.trim().trim_matches('"')),
            ),
            None => (item.to_ascii_lowercase(), None),
        };
        match (key.as_str(), value) {
            ("type", Some(v)) => {
                kind = match v {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    _ => MountKind::Other,
                }
            }
            ("source" | "src", Some(v)) => source = v.to_string(),
            ("target" | "destination" | "dst", Some(v)) => target = Some(v.to_string()),
            ("readonly" | "ro", v) => {
                read_only = match v.map(str::to_ascii_lowercase).as_deref() {
                    None | Some("true" | "1") => true,
                    Some("false" | "0") => false,
                    Some(_) => return Err(bad("readonly takes true or false")),
                }
            }
            ("bind-propagation", Some(v)) if PROPAGATIONS.contains(&v) => {
                propagation = Some(v.to_string())
            }
            ("bind-propagation", _) => return Err(bad("unknown bind-propagation")),
            ("", None) => {}
            (_, None) => return Err(bad(&format!("`{item}` is not key=value"))),
            _ => {}
        }
    }
    let target = target
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("target is required"))?;
    if kind == MountKind::Bind {
        source = normalize_source(&source);
    }
    Ok(Mount {
        kind,
        source,
        target,
        read_only,
        propagation,
        at: at.clone(),
    })
}

fn kind_of_source(source: &str) -> MountKind {
    if source.is_empty() || !source.starts_with(['/', '.', '~']) {
        MountKind::Volume
    } else {
        MountKind::Bind
    }
}

/// An absolute host path lexically cleaned (`//etc/./x/..` → `/etc`); other sources unchanged.
pub(crate) fn normalize_source(source: &str) -> String {
    if !source.starts_with('/') {
        return source.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn at() -> Field {
        Field::named("-v")
    }

    #[test]
    fn volume_forms() {
        let m = parse_volume("/:/host:ro,rshared", &at()).unwrap();
        assert_eq!(
            (m.kind, m.source.as_str(), m.target.as_str()),
            (MountKind::Bind, "/", "/host")
        );
        assert!(m.read_only);
        assert_eq!(m.propagation.as_deref(), Some("rshared"));
        let m = parse_volume("data:/var/lib/data", &at()).unwrap();
        assert_eq!(m.kind, MountKind::Volume);
        let m = parse_volume("/data", &at()).unwrap();
        assert_eq!((m.kind, m.source.as_str()), (MountKind::Volume, ""));
        let m = parse_volume("//etc/./ssl/..:/x", &at()).unwrap();
        assert_eq!(m.source, "/etc");
        let m = parse_volume("/../..:/x", &at()).unwrap();
        assert_eq!(m.source, "/");
        for bad in ["/a:/b:bogus", "a:b:c:d", "/a:"] {
            assert!(parse_volume(bad, &at()).is_err(), "{bad}");
        }
    }

    #[test]
    fn mount_forms() {
        let m = parse_mount(
            "type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock,readonly",
            &at(),
        )
        .unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(m.source, "/var/run/docker.sock");
        assert!(m.read_only);
        let m = parse_mount(
            "type=bind,source=/,target=/h,ro=false,bind-propagation=shared",
            &at(),
        )
        .unwrap();
        assert!(!m.read_only);
        assert_eq!(m.propagation.as_deref(), Some("shared"));
        let m = parse_mount("type=tmpfs,target=/tmp,tmpfs-size=64m", &at()).unwrap();
        assert_eq!(m.kind, MountKind::Tmpfs);
        for bad in [
            "type=bind,source=/",
            "type=bind,target=/x,bind-propagation=odd",
            "foo,target=/x",
        ] {
            assert!(parse_mount(bad, &at()).is_err(), "{bad}");
        }
    }
}
