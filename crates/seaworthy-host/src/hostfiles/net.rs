//! Listening TCP sockets from `/proc/net/tcp{,6}`, and which of them belong to dockerd (the
//! socket inodes among its open file descriptors).

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::root::HostRoot;

/// Most lines read per table, and most fds of dockerd looked at.
const MAX_LINES: usize = 200_000;
const MAX_FDS: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listener {
    pub addr: String,
    pub port: u16,
    pub inode: u64,
}

impl Listener {
    pub fn is_wildcard(&self) -> bool {
        self.addr == "0.0.0.0" || self.addr == "::"
    }

    pub fn is_loopback(&self) -> bool {
        self.addr.starts_with("127.") || self.addr == "::1"
    }
}

/// Listening sockets in the network namespace of the host's init (or of seaworthy when
/// `/proc/1/net` is not readable).
pub fn listeners(root: &HostRoot) -> Vec<Listener> {
    let mut out = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = root
            .read_lossy(&format!("/proc/1/net/{table}"))
            .or_else(|| root.read_lossy(&format!("/proc/net/{table}")));
        if let Some(text) = text {
            out.extend(parse_table(&text));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Parses a `/proc/net/tcp` table, keeping LISTEN (`0A`) sockets.
pub fn parse_table(text: &str) -> Vec<Listener> {
    text.lines()
        .skip(1)
        .take(MAX_LINES)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                return None;
            }
            let (addr, port) = f[1].split_once(':')?;
            Some(Listener {
                addr: decode_addr(addr)?,
                port: u16::from_str_radix(port, 16).ok()?,
                inode: f[9].parse().ok()?,
            })
        })
        .collect()
}

/// Kernel hex: IPv4 as one little-endian u32, IPv6 as four of them.
fn decode_addr(hex: &str) -> Option<String> {
    match hex.len() {
        8 => {
            let b = u32::from_str_radix(hex, 16).ok()?.to_le_bytes();
            Some(Ipv4Addr::from(b).to_string())
        }
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                let le = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16)
                    .ok()?
                    .to_le_bytes();
                bytes[i * 4..i * 4 + 4].copy_from_slice(&le);
            }
            Some(Ipv6Addr::from(bytes).to_string())
        }
        _ => None,
    }
}

/// Socket inodes among the open fds of process `pid`.
pub fn socket_inodes(root: &HostRoot, pid: u32) -> BTreeSet<u64> {
    let dir = format!("/proc/{pid}/fd");
    root.list(&dir, MAX_FDS)
        .into_iter()
        .filter_map(|fd| root.read_link(&format!("{dir}/{fd}")))
        .filter_map(|l| {
            l.strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse().ok())
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn parses_v4_and_v6_listeners() {
        let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0948 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n   1: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1\n   2: 0100007F:0277 0100007F:1234 01 00000000:00000000 00:00000000 00000000     0        0 8 1\n";
        let l = parse_table(v4);
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].addr.as_str(), l[0].port, l[0].inode),
            ("0.0.0.0", 2376, 4242)
        );
        assert!(l[0].is_wildcard());
        assert_eq!(l[1].addr, "127.0.0.1");
        let v6 = "header\n 0: 00000000000000000000000000000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99 1\n 1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0 0 0 0 0 100 1\n";
        let l = parse_table(v6);
        assert_eq!((l[0].addr.as_str(), l[0].port), ("::", 2375));
        assert_eq!(l[1].addr, "::1");
    }
}
