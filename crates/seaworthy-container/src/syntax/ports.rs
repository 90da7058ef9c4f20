//! Port publications: `[ip:][host[-end]:]container[-end][/proto]`, IPv6 addresses in brackets
//! (`[::1]:8080:80`), as `docker run -p` and compose short syntax write them.

use crate::spec::{Field, PortBinding};

/// One binding per published port; a range yields its first port (the lowest decides the rules).
pub fn parse_ports(text: &str, at: &Field) -> Result<Vec<PortBinding>, String> {
    let bad = |why: &str| format!("invalid port publication `{text}`: {why}");
    let t = text.trim();
    let (rest, protocol) = match t.rsplit_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (t, "tcp".to_string()),
    };
    if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Err(bad("protocol must be tcp, udp or sctp"));
    }
    let (host_ip, rest) = if let Some(after) = rest.strip_prefix('[') {
        let (ip, tail) = after
            .split_once(']')
            .ok_or_else(|| bad("unclosed `[` in the address"))?;
        let tail = tail
            .strip_prefix(':')
            .ok_or_else(|| bad("expected `:` after the address"))?;
        (ip.to_string(), tail)
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.len() {
            1 | 2 => (String::new(), rest),
            3 => (
                parts[0].to_string(),
                rest.split_once(':').map(|(_, r)| r).unwrap_or(rest),
            ),
            _ => return Err(bad("too many `:` (write IPv6 addresses in brackets)")),
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (h, c),
        None => ("", rest),
    };
    let (c_start, c_end) = range(container).ok_or_else(|| bad("invalid container port"))?;
    let host_port = if host.is_empty() {
        None
    } else {
        let (h_start, h_end) = range(host).ok_or_else(|| bad("invalid host port"))?;
        if h_end - h_start != c_end - c_start && h_start != h_end {
            return Err(bad("host and container port ranges differ in size"));
        }
        Some(h_start)
    };
    Ok(vec![PortBinding {
        host_ip,
        host_port,
        container_port: c_start,
        protocol,
        at: at.clone(),
    }])
}

/// `80` or `8000-8010`.
fn range(text: &str) -> Option<(u16, u16)> {
    let port = |s: &str| s.trim().parse::<u16>().ok();
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            (a <= b).then_some((a, b))
        }
        None => port(text).map(|p| (p, p)),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn one(text: &str) -> (String, Option<u16>, u16, String) {
        let b = parse_ports(text, &Field::named("-p")).unwrap().remove(0);
        (b.host_ip, b.host_port, b.container_port, b.protocol)
    }

    #[test]
    fn forms_of_the_cli() {
        assert_eq!(one("80"), ("".into(), None, 80, "tcp".into()));
        assert_eq!(one("8080:80"), ("".into(), Some(8080), 80, "tcp".into()));
        assert_eq!(
            one("127.0.0.1:53:53/udp"),
            ("127.0.0.1".into(), Some(53), 53, "udp".into())
        );
        assert_eq!(
            one("127.0.0.1::80"),
            ("127.0.0.1".into(), None, 80, "tcp".into())
        );
        assert_eq!(
            one("[::1]:22:22"),
            ("::1".into(), Some(22), 22, "tcp".into())
        );
        assert_eq!(
            one("8000-8010:80-90"),
            ("".into(), Some(8000), 80, "tcp".into())
        );
        for bad in [
            "", "x:80", "80/icmp", "1:2:3:4", "[::1", "70000", "90-80", "1-3:1-2",
        ] {
            assert!(parse_ports(bad, &Field::named("-p")).is_err(), "{bad}");
        }
    }
}
