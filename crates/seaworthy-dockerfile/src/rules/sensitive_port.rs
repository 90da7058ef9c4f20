use crate::context::{Context, Hit};
use crate::parser::{Kind, Word};
use crate::rules::Check;

seaworthy_core::declare_rule! {
    /// Flags EXPOSE of ports whose services should not face the network from a container:
    /// remote shells and desktops (SSH 22, Telnet 23, RDP 3389, VNC 5900), file sharing and RPC
    /// (FTP 21, portmapper 111, MS-RPC 135, NetBIOS 139, SMB 445), the TLS Docker API (2376) and
    /// databases and caches (MySQL 3306, PostgreSQL 5432, Redis 6379, MongoDB 27017,
    /// Elasticsearch 9200, Memcached 11211, SQL Server 1433, Oracle 1521, CouchDB 5984,
    /// Cassandra 9042). Variables are expanded (`EXPOSE $PORT`), `22/tcp` and small ranges that
    /// contain such a port count; ranges over 100 ports are SW-DF-052's business. The unencrypted
    /// Docker API (2375) is SW-DF-053.
    ///
    /// ## Why
    /// EXPOSE documents what the container serves and `docker run -P` publishes every exposed
    /// port on the host. A shell daemon in a container is a second way in that bypasses
    /// `docker exec` auditing; a database port published on all interfaces is a classic source
    /// of data leaks. For images whose purpose is that service (a database image), review that
    /// it is meant to be reachable and keep it on an internal network.
    ///
    /// ## Fix
    /// ```dockerfile
    /// # bad
    /// EXPOSE 22 8080
    /// # good
    /// EXPOSE 8080
    /// ```
    /// Use `docker exec` instead of SSH, and reach databases over a private network rather
    /// than by publishing their port.
    SensitivePort {
        id: "SW-DF-050",
        name: "sensitive-port-exposed",
        title: "Sensitive port exposed",
        area: Dockerfile,
        group: "expose",
        severity: Medium,
        remediation: "Do not expose remote-shell, file-sharing or database ports; use docker exec and private networks instead.",
        refs: [Trivy("DS-0004")],
        fire: [
            "FROM debian:12\nRUN apt-get install -y openssh-server\nEXPOSE 8080 22/tcp\n",
            "FROM postgres:16\nARG DB_PORT=5432\nEXPOSE ${DB_PORT}\n",
            "FROM alpine:3.20\nEXPOSE 5900-5905/tcp \\\n       6000\n",
        ],
        quiet: [
            "FROM nginx:1.27\nEXPOSE 80 443/tcp 8080\n",
            "FROM alpine:3.20\nARG PORT\nEXPOSE $PORT\n",
            "FROM alpine:3.20\nEXPOSE 2222 8022\n",
        ],
    }
}

/// A port or port range from EXPOSE, after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortSpec {
    pub lo: u32,
    pub hi: u32,
}

impl PortSpec {
    pub fn width(&self) -> u32 {
        self.hi - self.lo + 1
    }
}

/// Parses `80`, `80/tcp`, `8000-8100/udp`; the error says what is wrong.
pub(crate) fn parse_port(token: &str) -> Result<PortSpec, String> {
    let (ports, proto) = match token.split_once('/') {
        Some((p, proto)) => (p, Some(proto)),
        None => (token, None),
    };
    if let Some(proto) = proto
        && !matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp")
    {
        return Err(format!("`{proto}` is not a protocol (tcp, udp or sctp)"));
    }
    if ports.contains(':') {
        return Err(
            "EXPOSE takes container ports only; a host:container mapping belongs to docker run -p"
                .to_string(),
        );
    }
    let number = |s: &str| -> Result<u32, String> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{s}` is not a port number"));
        }
        let n: u64 = if s.len() > 10 {
            u64::MAX
        } else {
            s.parse().unwrap_or(u64::MAX)
        };
        if n > 65535 {
            return Err(format!("port {s} is outside 0-65535"));
        }
        u32::try_from(n).map_err(|_| format!("port {s} is outside 0-65535"))
    };
    let (lo, hi) = match ports.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let n = number(ports)?;
            (n, n)
        }
    };
    if lo > hi {
        return Err(format!("range {lo}-{hi} ends before it starts"));
    }
    Ok(PortSpec { lo, hi })
}

/// One EXPOSE item after expansion: instruction, word, the expanded token and its parse.
pub(crate) struct Exposed<'a> {
    pub instr: usize,
    pub word: &'a Word,
    pub token: String,
    pub spec: Result<PortSpec, String>,
}

impl Exposed<'_> {
    /// `22/tcp`, or `$PORT (= 22)` when a variable was expanded.
    pub fn shown(&self) -> String {
        if self.word.raw.contains('$') {
            format!("`{}` (= {})", self.word.raw, self.token)
        } else {
            format!("`{}`", self.token)
        }
    }
}

/// Every port of every EXPOSE; words with unset variables are skipped (a build argument may
/// supply them).
pub(crate) fn exposed<'a>(cx: &Context<'a>) -> Vec<Exposed<'a>> {
    let mut out = Vec::new();
    for (i, ins) in cx.instructions() {
        let Kind::Expose(words) = &ins.kind else {
            continue;
        };
        for word in words {
            let expanded = cx.model.expand_full(cx.df, i, &word.raw);
            if !expanded.unresolved.is_empty() {
                continue;
            }
            for token in expanded.value.split_whitespace() {
                out.push(Exposed {
                    instr: i,
                    word,
                    token: token.to_string(),
                    spec: parse_port(token),
                });
            }
        }
    }
    out
}

pub(crate) const SENSITIVE: &[(u32, &str)] = &[
    (21, "FTP"),
    (22, "SSH"),
    (23, "Telnet"),
    (111, "RPC portmapper"),
    (135, "MS-RPC"),
    (139, "NetBIOS"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle DB"),
    (2376, "Docker API (TLS)"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5900, "VNC"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

impl Check for SensitivePort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>) {
        for e in exposed(cx) {
            let Ok(spec) = &e.spec else { continue };
            if spec.width() > 100 {
                continue;
            }
            let hits: Vec<String> = SENSITIVE
                .iter()
                .filter(|(p, _)| (spec.lo..=spec.hi).contains(p))
                .map(|(p, name)| format!("{name} ({p})"))
                .collect();
            if hits.is_empty() {
                continue;
            }
            let message = if spec.lo == spec.hi {
                format!("EXPOSE {} publishes {}", e.shown(), hits.join(", "))
            } else {
                format!(
                    "EXPOSE {} is a range that includes {}",
                    e.shown(),
                    hits.join(", ")
                )
            };
            out.push(cx.hit_at(e.instr, e.word.range, message));
        }
    }
}
