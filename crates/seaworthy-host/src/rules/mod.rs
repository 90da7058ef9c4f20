//! The CIS Docker Benchmark 1.6.0 host checks, sections 1, 2, 3, 6 and 7: one static
//! [`HostRule`] per CIS id (`SW-HOST-<cis id>`), grouped in one file per section or family.
//! A rule is a pure function of [`HostFacts`]; manual checks report the facts as `info`.

use seaworthy_core::{CheckResult, Evidence, Level, Location, RuleMeta, Status};

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

/// A host check.
pub struct HostRule {
    pub meta: RuleMeta,
    pub cis_id: &'static str,
    pub level: Level,
    pub automated: bool,
    /// What the location names by default (`daemon:icc`, a file path, `swarm:autolock`).
    pub object: &'static str,
    pub check: fn(&HostFacts) -> Verdict,
}

impl HostRule {
    pub fn run(&self, facts: &HostFacts) -> CheckResult {
        let v = (self.check)(facts);
        CheckResult {
            rule_id: self.meta.id.to_string(),
            cis_id: self.cis_id.to_string(),
            title: self.meta.title.to_string(),
            level: self.level,
            automated: self.automated,
            status: v.status,
            severity: self.meta.severity,
            message: v.message,
            evidence: v.evidence,
            remediation: self.meta.remediation.to_string(),
            location: Location::Host {
                host: facts.host.clone(),
                object: v.object.unwrap_or_else(|| self.object.to_string()),
            },
        }
    }
}

/// Declares a host rule: id from the CIS id, metadata, docs and its check.
macro_rules! host_rule {
    (
        $static:ident, cis: $cis:literal, name: $name:literal, level: $level:ident,
        automated: $auto:literal, severity: $sev:ident, group: $group:literal,
        object: $object:literal, title: $title:literal, remediation: $rem:expr,
        docs: $docs:expr, check: $check:expr $(,)?
    ) => {
        pub static $static: $crate::rules::HostRule = $crate::rules::HostRule {
            meta: seaworthy_core::RuleMeta {
                id: concat!("SW-HOST-", $cis),
                name: $name,
                title: $title,
                area: seaworthy_core::Area::Host,
                group: $group,
                severity: seaworthy_core::Severity::$sev,
                remediation: $rem,
                refs: &[seaworthy_core::CrossRef {
                    peer: seaworthy_core::Peer::Cis,
                    id: $cis,
                }],
                docs: $docs,
            },
            cis_id: $cis,
            level: seaworthy_core::Level::$level,
            automated: $auto,
            object: $object,
            check: $check,
        };
    };
}

mod audit;
mod daemon;
mod files;
mod host;
mod operations;
mod swarm;

/// Every host rule, in CIS order.
pub static RULES: &[&HostRule] = &[
    &host::PARTITION,
    &host::TRUSTED_USERS,
    &audit::A_1_1_3,
    &audit::A_1_1_4,
    &audit::A_1_1_5,
    &audit::A_1_1_6,
    &audit::A_1_1_7,
    &audit::A_1_1_8,
    &audit::A_1_1_9,
    &audit::A_1_1_10,
    &audit::A_1_1_11,
    &audit::A_1_1_12,
    &audit::A_1_1_13,
    &audit::A_1_1_14,
    &audit::A_1_1_15,
    &audit::A_1_1_16,
    &audit::A_1_1_17,
    &audit::A_1_1_18,
    &host::HARDENED,
    &host::VERSION,
    &daemon::NON_ROOT,
    &daemon::ICC,
    &daemon::LOG_LEVEL,
    &daemon::IPTABLES,
    &daemon::INSECURE_REGISTRIES,
    &daemon::AUFS,
    &daemon::TLS,
    &daemon::ULIMIT,
    &daemon::USERNS,
    &daemon::CGROUP_PARENT,
    &daemon::BASE_DEVICE_SIZE,
    &daemon::AUTHZ,
    &daemon::REMOTE_LOGGING,
    &daemon::NO_NEW_PRIVILEGES,
    &daemon::LIVE_RESTORE,
    &daemon::USERLAND_PROXY,
    &daemon::SECCOMP,
    &daemon::EXPERIMENTAL,
    &files::F_3_1,
    &files::F_3_2,
    &files::F_3_3,
    &files::F_3_4,
    &files::F_3_5,
    &files::F_3_6,
    &files::F_3_7,
    &files::F_3_8,
    &files::F_3_9,
    &files::F_3_10,
    &files::F_3_11,
    &files::F_3_12,
    &files::F_3_13,
    &files::F_3_14,
    &files::F_3_15,
    &files::F_3_16,
    &files::F_3_17,
    &files::F_3_18,
    &files::F_3_19,
    &files::F_3_20,
    &files::F_3_21,
    &files::F_3_22,
    &files::F_3_23,
    &files::F_3_24,
    &operations::IMAGE_SPRAWL,
    &operations::CONTAINER_SPRAWL,
    &swarm::MANAGERS,
    &swarm::BIND_INTERFACE,
    &swarm::OVERLAY_ENCRYPTED,
    &swarm::SECRETS,
    &swarm::AUTOLOCK,
    &swarm::AUTOLOCK_ROTATION,
    &swarm::NODE_CERTS,
    &swarm::CA_ROTATION,
    &swarm::PLANE_SEPARATION,
];

/// The metadata of every host rule (for `seaworthy rules`, SARIF).
pub fn metas() -> Vec<&'static RuleMeta> {
    RULES.iter().map(|r| &r.meta).collect()
}

/// Runs every rule of the profile: level 1 runs L1 rules, level 2 runs L1 and L2.
pub fn run(facts: &HostFacts, level: Level) -> Vec<CheckResult> {
    RULES
        .iter()
        .filter(|r| r.level <= level)
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
