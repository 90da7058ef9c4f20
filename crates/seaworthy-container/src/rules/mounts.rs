//! Host paths mounted into the container: sensitive directories (5.6), shared propagation
//! (5.20), the Docker socket (5.32).

use seaworthy_core::{Level, Severity};

use crate::rules::{Check, Cis, Context, Setting, Verdict};
use crate::spec::{ContainerSpec, Mount, MountKind};

/// CIS 5.6's sensitive host directories.
pub const SENSITIVE_DIRS: &[&str] = &[
    "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
];

/// The sensitive directory a bind source is (or lies under).
fn sensitive_dir(source: &str) -> Option<&'static str> {
    if source == "/" {
        return Some("/");
    }
    SENSITIVE_DIRS[1..]
        .iter()
        .copied()
        .find(|d| source == *d || source.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
}

fn binds(spec: &ContainerSpec) -> impl Iterator<Item = &Mount> {
    spec.mounts.iter().filter(|m| m.kind == MountKind::Bind)
}

fn shown(m: &Mount) -> String {
    format!(
        "{}:{}{}",
        m.source,
        m.target,
        if m.read_only { ":ro" } else { "" }
    )
}

seaworthy_core::declare_rule! {
    /// Flags bind mounts of sensitive host directories — `/`, `/boot`, `/dev`, `/etc`, `/lib`,
    /// `/proc`, `/sys`, `/usr` or a path below them — worst when writable: `/` read-write is
    /// critical, other writable ones high, read-only ones medium.
    ///
    /// ## Why
    /// Writing `/etc`, `/usr` or `/boot` of the host changes what the host runs; `/` read-write
    /// is the host. Even read-only, `/etc` holds secrets (shadow, keys).
    ///
    /// ## Fix
    /// Mount only the files the application needs, from a dedicated directory, read-only.
    ///
    /// ## Example
    /// Bad: `docker run -v /:/host app`; compose `services: {app: {volumes: ["/etc:/etc"]}}`.
    /// Good: `docker run -v /srv/app/config:/config:ro app`; compose
    /// `services: {app: {volumes: ["./config:/config:ro"]}}`.
    SensitiveHostDirs {
        id: "SW-CTR-5.6",
        name: "container-sensitive-host-mount",
        title: "Sensitive host directory mounted",
        area: Container,
        group: "mounts",
        severity: High,
        remediation: "Remove the `-v`/`--mount` of the host directory (compose `volumes`); mount a dedicated directory with only the needed files, read-only (`:ro`, compose `read_only: true` in the long syntax).",
        refs: [Cis("5.6")],
        fire: [
            "docker run -v /:/host alpine",
            "docker run -v /etc/ssl:/certs:ro alpine",
            "docker run --mount type=bind,src=/usr,dst=/u alpine",
            "services:\n  app:\n    image: app\n    volumes:\n      - /proc:/host/proc\n",
        ],
        quiet: [
            "docker run -v /srv/app:/data alpine",
            "docker run -v etc:/etc alpine",
            "docker run -v /etcetera:/x alpine",
            "services:\n  app:\n    image: app\n    volumes:\n      - ./config:/config:ro\n",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "Mounts",
                compose: "volumes",
                flag: "--volume",
            },
        },
    }
}

impl Check for SensitiveHostDirs {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let hits: Vec<(&Mount, &str)> = binds(spec)
            .filter_map(|m| sensitive_dir(&m.source).map(|d| (m, d)))
            .collect();
        if hits.is_empty() {
            return Verdict::pass("no sensitive host directory is mounted");
        }
        let severity = hits
            .iter()
            .map(|(m, d)| match (*d, m.read_only) {
                ("/", false) => Severity::Critical,
                (_, false) => Severity::High,
                (_, true) => Severity::Medium,
            })
            .max()
            .unwrap_or(Severity::High);
        let what: Vec<String> = hits
            .iter()
            .map(|(m, _)| {
                format!(
                    "{} ({})",
                    m.source,
                    if m.read_only {
                        "read-only"
                    } else {
                        "read-write"
                    }
                )
            })
            .collect();
        let mut v = Verdict::warn(format!(
            "sensitive host directories mounted: {}",
            what.join(", ")
        ))
        .severity(severity);
        for (m, _) in hits {
            v = v.field(&m.at, shown(m));
        }
        v
    }
}

seaworthy_core::declare_rule! {
    /// Flags mounts with shared propagation (`shared`, `rshared`): mounts made inside the
    /// container appear on the host and the other way round.
    ///
    /// ## Why
    /// A container that can mount (or that is compromised) can then plant mounts on the host.
    ///
    /// ## Fix
    /// Use the default `rprivate` propagation.
    ///
    /// ## Example
    /// Bad: `docker run -v /mnt:/mnt:rshared app`; compose
    /// `services: {app: {volumes: [{type: bind, source: /mnt, target: /mnt, bind: {propagation: rshared}}]}}`.
    /// Good: `docker run -v /mnt:/mnt app`; compose `services: {app: {volumes: ["/mnt:/mnt"]}}`.
    SharedPropagation {
        id: "SW-CTR-5.20",
        name: "container-shared-propagation",
        title: "Mount propagation set to shared",
        area: Container,
        group: "mounts",
        severity: Medium,
        remediation: "Drop `shared`/`rshared` from the `-v` options or `bind-propagation=` of `--mount` (compose: `bind.propagation` of the volume); the default `rprivate` keeps mounts apart.",
        refs: [Cis("5.20")],
        fire: [
            "docker run -v /mnt:/mnt:rshared alpine",
            "docker run --mount type=bind,src=/mnt,dst=/mnt,bind-propagation=shared alpine",
            "services:\n  app:\n    image: app\n    volumes:\n      - type: bind\n        source: /mnt\n        target: /mnt\n        bind:\n          propagation: rshared\n",
        ],
        quiet: [
            "docker run -v /mnt:/mnt alpine",
            "docker run -v /mnt:/mnt:rslave alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "Mounts.Propagation",
                compose: "volumes",
                flag: "--volume",
            },
        },
    }
}

impl Check for SharedPropagation {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let shared: Vec<&Mount> = spec
            .mounts
            .iter()
            .filter(|m| matches!(m.propagation.as_deref(), Some("shared" | "rshared")))
            .collect();
        if shared.is_empty() {
            return Verdict::pass("no mount uses shared propagation");
        }
        let mut v = Verdict::warn(format!(
            "mounts with shared propagation: {}",
            shared
                .iter()
                .map(|m| m.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for m in shared {
            v = v.field(
                &m.at,
                format!(
                    "{} propagation={}",
                    shown(m),
                    m.propagation.as_deref().unwrap_or_default()
                ),
            );
        }
        v
    }
}

/// A bind source that exposes the Docker daemon's API socket.
fn exposes_socket(source: &str) -> bool {
    source.ends_with("/docker.sock")
        || matches!(
            source,
            "/var/run" | "/run" | "/var/run/docker" | "/run/docker"
        )
}

seaworthy_core::declare_rule! {
    /// Flags containers that mount the Docker daemon socket (`/var/run/docker.sock`, any
    /// `docker.sock`, or the `/run` directory that holds it; also `docker run --use-api-socket`).
    ///
    /// ## Why
    /// Whoever reaches the socket can start a privileged container with the host's `/` mounted:
    /// the socket is root on the host, read-only mount or not.
    ///
    /// ## Fix
    /// Do not mount the socket; give tools that need the API a narrowly scoped proxy.
    ///
    /// ## Example
    /// Bad: `docker run -v /var/run/docker.sock:/var/run/docker.sock app`; compose
    /// `services: {app: {volumes: ["/var/run/docker.sock:/var/run/docker.sock"]}}`.
    /// Good: `docker run app`; compose `services: {app: {image: app}}` with no socket volume.
    DockerSocket {
        id: "SW-CTR-5.32",
        name: "container-docker-socket",
        title: "Docker socket mounted inside the container",
        area: Container,
        group: "mounts",
        severity: Critical,
        remediation: "Remove the `-v /var/run/docker.sock:…` / `--mount …src=/var/run/docker.sock` / `--use-api-socket` (compose: the `docker.sock` entry of `volumes`); use an API proxy that allows only the calls needed.",
        refs: [Cis("5.32")],
        fire: [
            "docker run -v /var/run/docker.sock:/var/run/docker.sock alpine",
            "docker run --mount type=bind,src=/run/docker.sock,dst=/d.sock,readonly alpine",
            "docker run --use-api-socket alpine",
            "services:\n  app:\n    image: app\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n",
        ],
        quiet: [
            "docker run -v /srv/app:/data alpine",
            "docker run -v docker.sock:/x alpine",
        ],
        extra: Cis {
            level: Level::L1,
            automated: true,
            setting: Setting {
                inspect: "Mounts",
                compose: "volumes",
                flag: "--volume",
            },
        },
    }
}

impl Check for DockerSocket {
    fn check(&self, spec: &ContainerSpec, _ctx: &Context) -> Verdict {
        let hits: Vec<&Mount> = binds(spec).filter(|m| exposes_socket(&m.source)).collect();
        if hits.is_empty() {
            return Verdict::pass("the Docker socket is not mounted");
        }
        let mut v = Verdict::warn(format!(
            "the Docker socket is mounted at {}",
            hits.iter()
                .map(|m| m.target.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for m in hits {
            v = v.field(&m.at, shown(m));
        }
        v
    }
}
