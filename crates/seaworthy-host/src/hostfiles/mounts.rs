//! `/proc/mounts` and whether seaworthy runs inside a container.

use crate::root::HostRoot;

const MAX_MOUNTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
}

pub fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .take(MAX_MOUNTS)
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some(Mount {
                device: f.next()?.to_string(),
                mountpoint: unescape(f.next()?),
                fstype: f.next()?.to_string(),
            })
        })
        .collect()
}

/// `\040` and friends (octal escapes of the kernel).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && let Some(Ok(v)) = s.get(i + 1..i + 4).map(|o| u8::from_str_radix(o, 8))
        {
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount that holds `path` (the longest mount point that is a prefix of it).
pub fn mount_of<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    mounts
        .iter()
        .filter(|m| {
            m.mountpoint == "/"
                || path == m.mountpoint
                || (path.starts_with(m.mountpoint.as_str())
                    && path.as_bytes().get(m.mountpoint.len()) == Some(&b'/'))
        })
        .max_by_key(|m| m.mountpoint.len())
}

/// Why the root looks like a container's (only checked when the root is `/`: with `--root`
/// the host's own files are read).
pub fn in_container(root: &HostRoot) -> Option<String> {
    if !root.is_system_root() {
        return None;
    }
    for marker in ["/.dockerenv", "/run/.containerenv"] {
        if root.exists(marker) {
            return Some(format!("{marker} exists"));
        }
    }
    let cgroup = root.read_lossy("/proc/1/cgroup")?;
    ["docker", "kubepods", "containerd", "libpod"]
        .iter()
        .find(|k| cgroup.contains(*k))
        .map(|k| format!("/proc/1/cgroup mentions {k}"))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn finds_the_mount_of_a_path() {
        let m = parse_mounts(
            "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /var/lib/docker xfs rw 0 0\n/dev/sdc /var/lib/docker2 ext4 rw 0 0\nx /mnt/a\\040b ext4 rw 0 0\n",
        );
        assert_eq!(mount_of(&m, "/var/lib/docker").unwrap().device, "/dev/sdb1");
        assert_eq!(
            mount_of(&m, "/var/lib/docker/overlay2").unwrap().device,
            "/dev/sdb1"
        );
        assert_eq!(
            mount_of(&m, "/var/lib/dockerx").unwrap().device,
            "/dev/sda1"
        );
        assert_eq!(m[3].mountpoint, "/mnt/a b");
    }
}
