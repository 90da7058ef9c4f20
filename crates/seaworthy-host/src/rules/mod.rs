//! The CIS Docker Benchmark 1.6.0 host checks, sections 1, 2, 3, 6 and 7: one rule per CIS id
//! (`SW-HOST-<cis id>`), declared with [`seaworthy_core::declare_rule!`] and grouped in one file
//! per section or family. A rule's check is a pure function of [`HostFacts`] in its
//! [`HostCheck`]; manual checks report the facts as `info`.

use seaworthy_core::rule::{Registry, Rule};
use seaworthy_core::{Area, CheckResult, Evidence, Level, Location, Peer, RuleMeta, Status};

use crate::config::DaemonConfig;
use crate::hostfiles::HostFiles;
use seaworthy_engine::facts::DaemonFacts;

/// Everything the checks read, gathered once.
#[derive(Debug, Clone)]
pub struct HostFacts {
    /// The host as reported (`localhost` for the local daemon).
    pub host: String,
    /// The daemon's facts, or why it could not be reached.
    pub daemon: Result<DaemonFacts, String>,
    pub config: DaemonConfig,
    pub files: HostFiles,
    /// The dockerd process was found (its command line is part of the configuration).
    pub dockerd_pid: Option<u32>,
}

/// What a check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Overrides the rule's location object (e.g. the exact file path).
    pub object: Option<String>,
}

impl Verdict {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Verdict {
            status,
            message: message.into(),
            evidence: Vec::new(),
            object: None,
        }
    }
    pub fn pass(m: impl Into<String>) -> Self {
        Self::new(Status::Pass, m)
    }
    pub fn warn(m: impl Into<String>) -> Self {
        Self::new(Status::Warn, m)
    }
    pub fn info(m: impl Into<String>) -> Self {
        Self::new(Status::Info, m)
    }
    pub fn not_applicable(m: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, m)
    }
    pub fn with(mut self, value: impl Into<String>, source: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(value, source));
        self
    }
    pub fn at(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }
    /// Evidence from every source that set a daemon setting (or its default).
    pub fn with_setting(
        mut self,
        cfg: &DaemonConfig,
        key: &str,
        default: serde_json::Value,
    ) -> Self {
        let all = cfg.all(key);
        if all.is_empty() {
            let d = cfg.get_or(key, default);
            self.evidence
                .push(Evidence::new(format!("{key}={}", d.display()), d.source));
        }
        for s in all {
            self.evidence.push(Evidence::new(
                format!("{key}={}", s.display()),
                s.source.clone(),
            ));
        }
        self
    }
}

/// What a host rule keeps beside its metadata (its CIS id is its `Cis` cross-reference).
pub struct HostCheck {
    pub level: Level,
    pub automated: bool,
    /// What the location names by default (`daemon:icc`, a file path, `swarm:autolock`).
    pub object: &'static str,
    pub check: fn(&HostFacts) -> Verdict,
}

/// A declared host rule: its check is part of its [`HostCheck`].
pub trait HostRule: Rule<Extra = HostCheck> {
    /// The CIS id, e.g. `2.2`.
    fn cis_id(&self) -> &'static str {
        self.meta().cross_ref(Peer::Cis).next().unwrap_or_default()
    }

    fn run(&self, facts: &HostFacts) -> CheckResult {
        let (meta, x) = (self.meta(), self.extra());
        let v = (x.check)(facts);
        CheckResult {
            rule_id: meta.id.to_string(),
            cis_id: self.cis_id().to_string(),
            title: meta.title.to_string(),
            level: x.level,
            automated: x.automated,
            status: v.status,
            severity: meta.severity,
            message: v.message,
            evidence: v.evidence,
            remediation: meta.remediation.to_string(),
            location: Location::Host {
                host: facts.host.clone(),
                object: v.object.unwrap_or_else(|| x.object.to_string()),
            },
        }
    }
}
impl<T: Rule<Extra = HostCheck>> HostRule for T {}

mod audit;
mod daemon;
mod files;
mod host;
mod operations;
mod swarm;

/// Every host rule, in CIS order; found by CIS id too (`2.2`).
pub static REGISTRY: Registry<dyn HostRule> = Registry::new(Area::Host, RULES, &[Peer::Cis]);

static RULES: &[&dyn HostRule] = &[
    &host::DataRootPartition,
    &host::DockerGroupMembers,
    &audit::AuditDockerd,
    &audit::AuditRunContainerd,
    &audit::AuditDataRoot,
    &audit::AuditEtcDocker,
    &audit::AuditDockerService,
    &audit::AuditContainerdSock,
    &audit::AuditDockerSocket,
    &audit::AuditEtcDefaultDocker,
    &audit::AuditDaemonJson,
    &audit::AuditContainerdConfig,
    &audit::AuditEtcSysconfigDocker,
    &audit::AuditContainerd,
    &audit::AuditContainerdShim,
    &audit::AuditContainerdShimRuncV1,
    &audit::AuditContainerdShimRuncV2,
    &audit::AuditRunc,
    &host::HostHardened,
    &host::DockerVersion,
    &daemon::Rootless,
    &daemon::IccDisabled,
    &daemon::LogLevelInfo,
    &daemon::IptablesEnabled,
    &daemon::NoInsecureRegistries,
    &daemon::NoAufs,
    &daemon::TcpTls,
    &daemon::DefaultUlimit,
    &daemon::UsernsRemap,
    &daemon::DefaultCgroup,
    &daemon::BaseDeviceSize,
    &daemon::AuthorizationPlugin,
    &daemon::RemoteLogging,
    &daemon::NoNewPrivileges,
    &daemon::LiveRestore,
    &daemon::UserlandProxyDisabled,
    &daemon::DaemonSeccomp,
    &daemon::NoExperimental,
    &files::DockerServiceOwner,
    &files::DockerServiceMode,
    &files::DockerSocketUnitOwner,
    &files::DockerSocketUnitMode,
    &files::EtcDockerOwner,
    &files::EtcDockerMode,
    &files::RegistryCertsOwner,
    &files::RegistryCertsMode,
    &files::TlsCaOwner,
    &files::TlsCaMode,
    &files::TlsCertOwner,
    &files::TlsCertMode,
    &files::TlsKeyOwner,
    &files::TlsKeyMode,
    &files::DockerSockOwner,
    &files::DockerSockMode,
    &files::DaemonJsonOwner,
    &files::DaemonJsonMode,
    &files::EtcDefaultDockerOwner,
    &files::EtcDefaultDockerMode,
    &files::EtcSysconfigDockerMode,
    &files::EtcSysconfigDockerOwner,
    &files::ContainerdSockOwner,
    &files::ContainerdSockMode,
    &operations::ImageSprawl,
    &operations::ContainerSprawl,
    &swarm::SwarmManagers,
    &swarm::SwarmBindInterface,
    &swarm::OverlayEncrypted,
    &swarm::SwarmSecrets,
    &swarm::SwarmAutolock,
    &swarm::SwarmUnlockKeyRotation,
    &swarm::SwarmNodeCerts,
    &swarm::SwarmCaRotation,
    &swarm::SwarmPlaneSeparation,
];

/// The metadata of every host rule (for `seaworthy rules`, SARIF).
pub fn metas() -> Vec<&'static RuleMeta> {
    REGISTRY.iter().map(|r| r.meta()).collect()
}

/// Runs every rule of the profile: level 1 runs L1 rules, level 2 runs L1 and L2.
pub fn run(facts: &HostFacts, level: Level) -> Vec<CheckResult> {
    REGISTRY
        .iter()
        .filter(|r| r.extra().level <= level)
        .map(|r| r.run(facts))
        .collect()
}

/// The daemon facts, or an `info` verdict saying the daemon could not be reached.
pub(crate) fn daemon(facts: &HostFacts) -> Result<&DaemonFacts, Verdict> {
    facts
        .daemon
        .as_ref()
        .map_err(|e| Verdict::info(format!("daemon not reachable: {e}")))
}

#[cfg(test)]
mod tests;
