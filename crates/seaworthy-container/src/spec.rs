//! The container model the rules read. Every setting carries the [`Field`] it came from, so a
//! finding can name the inspect field, compose key (with line) or `docker run` flag to change.
//! `None` means "not set": the engine default applies.

use serde::Serialize;

/// What is being checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A container known to the daemon.
    Running {
        id: String,
        name: String,
        /// The image as the container names it (`Config.Image`).
        image: String,
        /// The image id (`Image`), the key of the per-image vulnerability cache.
        image_id: String,
    },
    /// A service of a compose file; `line`/`column` locate the service's key.
    Compose {
        file: String,
        service: String,
        line: u32,
        column: u32,
    },
    /// A `docker run` command line.
    Run { command: String },
}

/// Where a setting was read: an inspect field path, a compose key with its position, or a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// `HostConfig.Privileged`, `services.web.privileged`, `--privileged`.
    pub name: String,
    /// 1-based position in a compose file; for a command line, the argument index in `column`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Field {
    pub fn named(name: impl Into<String>) -> Self {
        Field {
            name: name.into(),
            line: None,
            column: None,
        }
    }
}

/// A value and where it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Set<T> {
    pub value: T,
    pub at: Field,
}

impl<T> Set<T> {
    pub fn new(value: T, at: Field) -> Self {
        Set { value, at }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
    /// Named pipes, cluster volumes and kinds this model does not know.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path for a bind mount, volume name for a volume, empty for tmpfs.
    pub source: String,
    /// Path inside the container.
    pub target: String,
    pub read_only: bool,
    /// `private`, `rprivate`, `shared`, `rshared`, `slave`, `rslave`; `None` when not set.
    pub propagation: Option<String>,
    pub at: Field,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortBinding {
    /// `0.0.0.0`, `::` or empty means every interface.
    pub host_ip: String,
    /// `None`: an ephemeral port chosen by the engine.
    pub host_port: Option<u16>,
    pub container_port: u16,
    /// `tcp`, `udp`, `sctp`.
    pub protocol: String,
    pub at: Field,
}

/// One environment variable given to the container (`-e`, compose `environment:`,
/// `Config.Env`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// The value as written. `None` when it is not written here: taken from the caller's
    /// environment (`-e NAME`, compose `NAME:` or `- NAME`) or a variable reference
    /// (`${DB_PASSWORD}`, `$TOKEN`) filled in from elsewhere. Never serialized: it may be a
    /// secret.
    #[serde(skip)]
    pub value: Option<String>,
    pub at: Field,
}

/// One `docker exec` session of a running container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecSession {
    pub id: String,
    /// `docker exec --privileged`.
    pub privileged: bool,
    /// `docker exec --user`; empty means the container's user.
    pub user: String,
    pub command: String,
}

/// How a container runs. Fields are `None`/empty when not set (engine default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerSpec {
    pub subject: Subject,
    pub image: String,
    /// Where the image was named (compose `image` key, the `docker run` argument).
    pub image_at: Option<Field>,
    pub user: Option<Set<String>>,
    pub privileged: Option<Set<bool>>,
    pub cap_add: Vec<Set<String>>,
    pub cap_drop: Vec<Set<String>>,
    /// Raw `security_opt` entries (`apparmor=…`, `label=…`, `seccomp=…`, `no-new-privileges…`).
    pub security_opt: Vec<Set<String>>,
    /// The AppArmor profile in effect when known (inspect `AppArmorProfile`).
    pub apparmor_profile: Option<Set<String>>,
    pub mounts: Vec<Mount>,
    pub ports: Vec<PortBinding>,
    /// `host`, `bridge`, `none`, `container:<id>`, a network name.
    pub network_mode: Option<Set<String>>,
    pub pid_mode: Option<Set<String>>,
    pub ipc_mode: Option<Set<String>>,
    pub uts_mode: Option<Set<String>>,
    pub userns_mode: Option<Set<String>>,
    pub cgroupns_mode: Option<Set<String>>,
    /// Bytes; 0 or `None` means unlimited.
    pub memory: Option<Set<i64>>,
    /// Relative weight (`--cpu-shares`); 0/1024 or `None` is the default.
    pub cpu_shares: Option<Set<i64>>,
    /// `--cpus` in billionths of a CPU.
    pub nano_cpus: Option<Set<i64>>,
    pub cpu_quota: Option<Set<i64>>,
    pub pids_limit: Option<Set<i64>>,
    pub read_only_rootfs: Option<Set<bool>>,
    /// Policy name (`no`, `always`, `unless-stopped`, `on-failure`) and maximum retries.
    pub restart: Option<Set<(String, i64)>>,
    /// `Some(false)` when explicitly disabled (`--no-healthcheck`, `disable: true`,
    /// test `NONE`); `None` when unknown (a compose/run spec without a healthcheck whose image
    /// may define one).
    pub healthcheck: Option<Set<bool>>,
    pub cgroup_parent: Option<Set<String>>,
    /// Host devices, as `host:container[:perms]`.
    pub devices: Vec<Set<String>>,
    /// Resource limits as `name=soft[:hard]` (`--ulimit`, compose `ulimits`, `HostConfig.Ulimits`).
    pub ulimits: Vec<Set<String>>,
    /// Command lines of the processes running inside (runtime only, from the top API).
    pub processes: Option<Vec<String>>,
    /// `docker exec` sessions known for the container (runtime only: inspect `ExecIDs`, then
    /// exec inspect); `None` when not known.
    pub execs: Option<Vec<ExecSession>>,
    /// Labels (for `seaworthy.ignore=true` and filters).
    pub labels: Vec<(String, String)>,
    /// Environment variables, in order (a running container's include its image's `ENV`).
    pub env: Vec<EnvVar>,
}

impl ContainerSpec {
    /// An empty spec for a subject: every setting at the engine default.
    pub fn new(subject: Subject, image: impl Into<String>) -> Self {
        ContainerSpec {
            subject,
            image: image.into(),
            image_at: None,
            user: None,
            privileged: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            security_opt: Vec::new(),
            apparmor_profile: None,
            mounts: Vec::new(),
            ports: Vec::new(),
            network_mode: None,
            pid_mode: None,
            ipc_mode: None,
            uts_mode: None,
            userns_mode: None,
            cgroupns_mode: None,
            memory: None,
            cpu_shares: None,
            nano_cpus: None,
            cpu_quota: None,
            pids_limit: None,
            read_only_rootfs: None,
            restart: None,
            healthcheck: None,
            cgroup_parent: None,
            devices: Vec::new(),
            ulimits: Vec::new(),
            processes: None,
            execs: None,
            labels: Vec::new(),
            env: Vec::new(),
        }
    }
}
