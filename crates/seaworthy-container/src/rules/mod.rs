//! The container rules (`SW-CTR-<CIS id>`): every check of CIS Docker Benchmark 1.6.0 section 5,
//! run on a [`ContainerSpec`] — a running container, a compose service or a `docker run` line —
//! with one [`CheckResult`] per check: pass, warn, info (manual checks) or not applicable.
//! Rules are declared with [`seaworthy_core::declare_rule!`], their CIS facts as [`Cis`]; test
//! cases are written in the small language of [`crate::case`].
//!
//! Checks CIS section 5 does not have (`SW-CTR-<TOPIC>-nnn`: a root user, secrets in the
//! environment) are the same kind of rule on the same spec in a registry of their own,
//! [`NON_CIS_REGISTRY`], reported as findings; [`findings`] gives both.

use seaworthy_core::rule::{Registry, Rule};
use seaworthy_core::{
    Area, CheckResult, Evidence, Finding, Level, Location, Peer, Position, Severity, Span, Status,
};

use crate::spec::{ContainerSpec, Field, Subject};

mod capabilities;
mod cgroup;
mod devices;
pub(crate) mod env_secrets;
mod exec;
mod healthcheck;
mod image_tag;
mod limits;
mod mac;
mod mounts;
mod namespaces;
mod network;
mod no_new_privileges;
mod ports;
mod privileged;
mod read_only;
mod restart;
mod root_user;
mod sshd;
mod swarm;

/// What the caller knows about the host the container runs (or will run) on. `None`: unknown,
/// as for a compose file or command line checked before deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The host kernel enforces AppArmor (`/sys/module/apparmor`, `GET /info` security options).
    pub apparmor: Option<bool>,
    /// The daemon runs with SELinux support (`selinux-enabled`).
    pub selinux: Option<bool>,
    /// The daemon sets `no-new-privileges` for every container (daemon.json).
    pub daemon_no_new_privileges: bool,
}

/// The CIS facts of a rule (its CIS id is its `Cis` cross-reference).
#[derive(Debug)]
pub struct Cis {
    pub level: Level,
    /// Manual checks report their facts as `info`.
    pub automated: bool,
    pub setting: Setting,
}

/// The setting a rule judges, named in each input's terms (for results about an unset value).
#[derive(Debug)]
pub struct Setting {
    /// Inspect field, e.g. `HostConfig.Memory`.
    pub inspect: &'static str,
    /// Compose service key, e.g. `mem_limit`.
    pub compose: &'static str,
    /// `docker run` flag, e.g. `--memory`.
    pub flag: &'static str,
}

/// The check itself: a pure function from the container to a verdict.
pub trait Check {
    fn check(&self, spec: &ContainerSpec, ctx: &Context) -> Verdict;
}

/// A declared rule with its CIS facts and its check.
pub trait ContainerRule: Rule<Extra = Cis> + Check {
    /// The CIS id, e.g. `5.5`.
    fn cis_id(&self) -> &'static str {
        self.meta().cross_ref(Peer::Cis).next().unwrap_or_default()
    }
}
impl<T: Rule<Extra = Cis> + Check> ContainerRule for T {}

/// What a rule decided, and the settings that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub message: String,
    /// Overrides the rule's default severity (e.g. a read-only `/` mount is less bad).
    pub severity: Option<Severity>,
    /// The settings behind the verdict and their values as written; the first is the location.
    pub fields: Vec<(Field, String)>,
    /// Overrides the rule's remediation when the verdict came from another setting than the
    /// one the rule's text is about (AppArmor lost through `--privileged`).
    pub remediation: Option<&'static str>,
}

impl Verdict {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Verdict {
            status,
            message: message.into(),
            severity: None,
            fields: Vec::new(),
            remediation: None,
        }
    }
    pub fn remediation(mut self, text: &'static str) -> Self {
        self.remediation = Some(text);
        self
    }
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }
    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Status::Warn, message)
    }
    pub fn info(message: impl Into<String>) -> Self {
        Self::new(Status::Info, message)
    }
    pub fn not_applicable(message: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, message)
    }
    /// Adds a setting as evidence.
    pub fn field(mut self, at: &Field, value: impl Into<String>) -> Self {
        self.fields.push((at.clone(), value.into()));
        self
    }
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// The registry: one rule per CIS section 5 check, in CIS order; found by CIS id too (`5.5`).
pub static REGISTRY: Registry<dyn ContainerRule> =
    Registry::new(Area::Container, RULES, &[Peer::Cis]);

static RULES: &[&dyn ContainerRule] = &[
    &swarm::SwarmMode,
    &mac::AppArmor,
    &mac::SeLinux,
    &capabilities::Capabilities,
    &privileged::Privileged,
    &mounts::SensitiveHostDirs,
    &sshd::Sshd,
    &ports::PrivilegedPorts,
    &ports::NeededPorts,
    &namespaces::HostNetwork,
    &limits::Memory,
    &limits::Cpu,
    &read_only::ReadOnlyRootfs,
    &ports::HostInterface,
    &restart::RestartPolicy,
    &namespaces::HostPid,
    &namespaces::HostIpc,
    &devices::Devices,
    &limits::Ulimits,
    &mounts::SharedPropagation,
    &namespaces::HostUts,
    &mac::Seccomp,
    &exec::ExecPrivileged,
    &exec::ExecRoot,
    &cgroup::CgroupParent,
    &no_new_privileges::NoNewPrivileges,
    &healthcheck::Healthcheck,
    &image_tag::ImageTag,
    &limits::Pids,
    &network::DefaultBridge,
    &namespaces::HostUserns,
    &mounts::DockerSocket,
];

/// A container rule CIS section 5 has no check for: a [`Check`] on the same spec, its area data
/// the [`Setting`] it judges. Its warning is a finding with the rule's own cross-references.
pub trait NonCisRule: Rule<Extra = Setting> + Check {}
impl<T: Rule<Extra = Setting> + Check> NonCisRule for T {}

/// The container rules beyond CIS section 5 (`SW-CTR-<TOPIC>-nnn`).
pub static NON_CIS_REGISTRY: Registry<dyn NonCisRule> =
    Registry::new(Area::Container, NON_CIS_RULES, &[]);

static NON_CIS_RULES: &[&dyn NonCisRule] = &[&root_user::RootUser, &env_secrets::EnvSecrets];

/// Every check on one container, in CIS order.
pub fn check(spec: &ContainerSpec, ctx: &Context) -> Vec<CheckResult> {
    REGISTRY.iter().map(|r| run_rule(r, spec, ctx)).collect()
}

/// Every finding on one container: the CIS section 5 warnings, then those of the rules beyond.
pub fn findings(spec: &ContainerSpec, ctx: &Context) -> Vec<Finding> {
    check(spec, ctx)
        .iter()
        .filter_map(CheckResult::to_finding)
        .chain(
            NON_CIS_REGISTRY
                .iter()
                .filter_map(|r| run_non_cis(r, spec, ctx)),
        )
        .collect()
}

/// The finding of a rule beyond CIS on one container: `Some` when its verdict is a warning.
pub fn run_non_cis(rule: &dyn NonCisRule, spec: &ContainerSpec, ctx: &Context) -> Option<Finding> {
    let meta = rule.meta();
    let verdict = rule.check(spec, ctx);
    if verdict.status != Status::Warn {
        return None;
    }
    let (evidence, location) = reported(spec, rule.extra(), &verdict);
    Some(Finding {
        rule_id: meta.id.to_string(),
        severity: verdict.severity.unwrap_or(meta.severity),
        title: meta.title.to_string(),
        message: verdict.message,
        location,
        evidence: (!evidence.is_empty()).then(|| {
            evidence
                .iter()
                .map(|e| format!("{} ({})", e.value, e.source))
                .collect::<Vec<_>>()
                .join("; ")
        }),
        remediation: verdict.remediation.unwrap_or(meta.remediation).to_string(),
        references: meta.references(),
        suppressed: None,
        origin: None,
    })
}

/// The result of one rule on one container.
pub fn run_rule(rule: &dyn ContainerRule, spec: &ContainerSpec, ctx: &Context) -> CheckResult {
    let meta = rule.meta();
    let cis = rule.extra();
    let verdict = rule.check(spec, ctx);
    let (evidence, location) = reported(spec, &cis.setting, &verdict);
    CheckResult {
        rule_id: meta.id.to_string(),
        cis_id: rule.cis_id().to_string(),
        title: meta.title.to_string(),
        level: cis.level,
        automated: cis.automated,
        status: verdict.status,
        severity: verdict.severity.unwrap_or(meta.severity),
        message: verdict.message,
        evidence,
        remediation: verdict.remediation.unwrap_or(meta.remediation).to_string(),
        location,
    }
}

/// A verdict's evidence (its settings, or the unset one) and location (its first setting, or
/// where the unset one would go).
fn reported(
    spec: &ContainerSpec,
    setting: &Setting,
    verdict: &Verdict,
) -> (Vec<Evidence>, Location) {
    let default_field = absent_field(spec, setting);
    let at = verdict.fields.first().map_or(&default_field, |(f, _)| f);
    let evidence = if verdict.fields.is_empty() {
        if matches!(verdict.status, Status::NotApplicable) {
            Vec::new()
        } else {
            vec![Evidence::new(
                absent_value(spec, setting),
                source(spec, &default_field),
            )]
        }
    } else {
        verdict
            .fields
            .iter()
            .map(|(f, v)| Evidence::new(value(spec, f, v), source(spec, f)))
            .collect()
    };
    (evidence, location(spec, at))
}

/// Where an unset setting would go: the inspect field, the service key, the flag.
fn absent_field(spec: &ContainerSpec, setting: &Setting) -> Field {
    match &spec.subject {
        Subject::Running { .. } => Field::named(setting.inspect),
        Subject::Compose {
            service,
            line,
            column,
            ..
        } => Field {
            name: format!("services.{service}.{}", setting.compose),
            line: Some(*line),
            column: Some(*column),
        },
        Subject::Run { .. } => Field::named(setting.flag),
    }
}

fn absent_value(spec: &ContainerSpec, setting: &Setting) -> String {
    match &spec.subject {
        Subject::Running { .. } => format!("{} not set", setting.inspect),
        Subject::Compose { service, .. } => {
            format!("services.{service}.{} not set", setting.compose)
        }
        Subject::Run { .. } => format!("no {}", setting.flag),
    }
}

fn value(spec: &ContainerSpec, at: &Field, value: &str) -> String {
    match &spec.subject {
        Subject::Running { .. } => format!("{}={value}", at.name),
        Subject::Compose { .. } => format!("{}: {value}", at.name),
        Subject::Run { .. } if value == "true" || value.is_empty() => at.name.clone(),
        Subject::Run { .. } => format!("{} {value}", at.name),
    }
}

fn source(spec: &ContainerSpec, at: &Field) -> String {
    match &spec.subject {
        Subject::Running { name, .. } => format!("docker inspect {name}"),
        Subject::Compose { file, .. } => match at.line {
            Some(line) => format!("{file} line {line}"),
            None => file.clone(),
        },
        Subject::Run { .. } => match at.column {
            Some(i) => format!("command line argument {i}"),
            None => "command line".to_string(),
        },
    }
}

fn location(spec: &ContainerSpec, at: &Field) -> Location {
    match &spec.subject {
        Subject::Running { name, image, .. } => Location::Container {
            container: name.clone(),
            image: Some(image.clone()),
            field: Some(at.name.clone()),
        },
        Subject::Compose { file, .. } => {
            let pos = Position {
                line: at.line.unwrap_or(1),
                column: at.column.unwrap_or(1),
                offset: 0,
            };
            Location::File {
                path: file.clone(),
                span: Span {
                    start: pos,
                    end: pos,
                },
            }
        }
        Subject::Run { .. } => Location::Container {
            container: "docker run".to_string(),
            image: Some(spec.image.clone()),
            field: Some(at.name.clone()),
        },
    }
}

/// One `security_opt` entry split into key and value (`apparmor=x`, `apparmor:x`, bare
/// `no-new-privileges`), with the entry as written and where.
pub(crate) struct SecurityOpt<'a> {
    pub key: String,
    pub value: String,
    pub raw: &'a str,
    pub at: &'a Field,
}

pub(crate) fn security_opts(spec: &ContainerSpec) -> impl Iterator<Item = SecurityOpt<'_>> {
    spec.security_opt.iter().map(|o| {
        let (k, v) = o
            .value
            .split_once(['=', ':'])
            .unwrap_or((o.value.as_str(), ""));
        SecurityOpt {
            key: k.trim().to_ascii_lowercase(),
            value: v.trim().to_string(),
            raw: &o.value,
            at: &o.at,
        }
    })
}
