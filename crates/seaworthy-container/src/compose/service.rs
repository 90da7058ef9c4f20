//! One compose service → one [`ContainerSpec`]. Keys this model does not judge are skipped;
//! keys it reads must have the right shape, or the error names file, line and key.

use std::cell::Cell;

use super::interpolate::MAX_INTERPOLATED_BYTES;
use super::node::{Node, Value};
use super::{ComposeError, Env, MAX_SERVICES, has_variables, interpolate};
use crate::run::parse_restart;
use crate::spec::{ContainerSpec, EnvVar, Field, Mount, MountKind, PortBinding, Set, Subject};
use crate::syntax::{normalize_cap, parse_bytes, parse_cpus, parse_ports, parse_volume};

pub fn services(path: &str, root: &Node, env: &Env) -> Result<Vec<ContainerSpec>> {
    let interpolated = Cell::new(0);
    let top = Reader {
        path,
        env,
        service: "",
        interpolated: &interpolated,
    };
    if !matches!(root.value, Value::Map(_)) {
        return Err(top.err(
            root,
            format!("expected a mapping at the top, found {}", root.kind()),
        ));
    }
    let Some(services) = root.get("services") else {
        return Err(top.err(root, "no `services` section".to_string()));
    };
    let Value::Map(entries) = &services.value else {
        return Err(top.err(
            services,
            format!("`services` must be a mapping, found {}", services.kind()),
        ));
    };
    if entries.len() > MAX_SERVICES {
        return Err(top.err(services, format!("more than {MAX_SERVICES} services")));
    }
    entries
        .iter()
        .map(|(key, body)| {
            let name = key
                .scalar()
                .ok_or_else(|| top.err(key, "a service name must be a string".to_string()))?;
            Reader {
                path,
                env,
                service: &name,
                interpolated: &interpolated,
            }
            .service(key, body)
        })
        .collect()
}

struct Reader<'a> {
    path: &'a str,
    env: &'a Env,
    service: &'a str,
    /// Bytes of interpolated text the file has produced (see [`MAX_INTERPOLATED_BYTES`]).
    interpolated: &'a Cell<usize>,
}

type Result<T> = std::result::Result<T, ComposeError>;

impl Reader<'_> {
    /// Messages name the service key and quote values: escaped and capped, never the raw bytes
    /// (a key holding `\n::error file=…::` must not become a line of a CI log).
    fn err(&self, at: &Node, message: String) -> ComposeError {
        ComposeError {
            path: self.path.to_string(),
            line: (at.line > 0).then_some(at.line),
            column: (at.column > 0).then_some(at.column),
            message: seaworthy_core::text::within_owned(message, seaworthy_core::text::MESSAGE_MAX),
        }
    }

    fn field(&self, key: &str, at: &Node) -> Field {
        Field {
            name: format!("services.{}.{key}", self.service),
            line: (at.line > 0).then_some(at.line),
            column: (at.column > 0).then_some(at.column),
        }
    }

    fn bad(&self, key: &str, at: &Node, what: &str) -> ComposeError {
        self.err(
            at,
            format!(
                "services.{}.{key}: expected {what}, found {}",
                self.service,
                at.kind()
            ),
        )
    }

    /// A scalar as interpolated text, charged to the file's interpolation budget.
    fn string(&self, key: &str, node: &Node) -> Result<String> {
        match &node.value {
            Value::Str(s) => {
                let text = interpolate(s, self.env)
                    .map_err(|m| self.err(node, format!("services.{}.{key}: {m}", self.service)))?;
                let total = self.interpolated.get().saturating_add(text.len());
                self.interpolated.set(total);
                if total > MAX_INTERPOLATED_BYTES {
                    return Err(self.err(
                        node,
                        format!(
                            "services.{}.{key}: interpolated values of this file exceed \
                             {MAX_INTERPOLATED_BYTES} bytes in all (the interpolation budget)",
                            self.service
                        ),
                    ));
                }
                Ok(text)
            }
            _ => node.scalar().ok_or_else(|| self.bad(key, node, "a scalar")),
        }
    }

    fn boolean(&self, key: &str, node: &Node) -> Result<bool> {
        if let Value::Bool(b) = node.value {
            return Ok(b);
        }
        match self.string(key, node)?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(self.bad(key, node, "true or false")),
        }
    }

    fn int(&self, key: &str, node: &Node) -> Result<i64> {
        self.string(key, node)?
            .trim()
            .parse()
            .map_err(|_| self.bad(key, node, "an integer"))
    }

    fn with<T>(&self, key: &str, node: &Node, r: std::result::Result<T, String>) -> Result<T> {
        r.map_err(|m| self.err(node, format!("services.{}.{key}: {m}", self.service)))
    }

    /// A list of scalars; a single scalar counts as a one-item list.
    fn items<'n>(&self, key: &str, node: &'n Node) -> Result<Vec<&'n Node>> {
        match &node.value {
            Value::Seq(items) => Ok(items.iter().collect()),
            Value::Null => Ok(Vec::new()),
            Value::Map(_) => Err(self.bad(key, node, "a list")),
            _ => Ok(vec![node]),
        }
    }

    fn service(&self, key: &Node, body: &Node) -> Result<ContainerSpec> {
        let entries: &[(Node, Node)] = match &body.value {
            Value::Map(e) => e,
            Value::Null => &[],
            _ => return Err(self.bad("", body, "a mapping")),
        };
        let mut spec = ContainerSpec::new(
            Subject::Compose {
                file: self.path.to_string(),
                service: self.service.to_string(),
                line: key.line,
                column: key.column,
            },
            String::new(),
        );
        for (k, v) in entries {
            let Some(name) = k.scalar() else { continue };
            self.key(&mut spec, &name, k, v)?;
        }
        if spec.image.is_empty() {
            match body.entry("build") {
                Some((_, b)) => {
                    let context = b.get("context").map_or_else(
                        || self.string("build", b).unwrap_or_default(),
                        |c| self.string("build.context", c).unwrap_or_default(),
                    );
                    spec.image = format!("build:{context}");
                }
                None if body.entry("extends").is_some() => spec.image = "extends".to_string(),
                None => {
                    return Err(self.err(
                        key,
                        format!("service `{}` has neither `image` nor `build`", self.service),
                    ));
                }
            }
        }
        Ok(spec)
    }

    fn key(&self, spec: &mut ContainerSpec, name: &str, k: &Node, v: &Node) -> Result<()> {
        let at = self.field(name, k);
        let text = |r: &Self| r.string(name, v);
        match name {
            "image" => {
                spec.image = text(self)?;
                spec.image_at = Some(at);
            }
            "privileged" => spec.privileged = Some(Set::new(self.boolean(name, v)?, at)),
            "read_only" => spec.read_only_rootfs = Some(Set::new(self.boolean(name, v)?, at)),
            "cap_add" | "cap_drop" => {
                for item in self.items(name, v)? {
                    let cap = Set::new(
                        normalize_cap(&self.string(name, item)?),
                        self.field(name, item),
                    );
                    if name == "cap_add" {
                        spec.cap_add.push(cap)
                    } else {
                        spec.cap_drop.push(cap)
                    }
                }
            }
            "security_opt" => {
                for item in self.items(name, v)? {
                    spec.security_opt
                        .push(Set::new(self.string(name, item)?, self.field(name, item)));
                }
            }
            "volumes" => {
                for item in self.items(name, v)? {
                    spec.mounts.push(self.volume(item)?);
                }
            }
            "tmpfs" => {
                for item in self.items(name, v)? {
                    let t = self.string(name, item)?;
                    spec.mounts.push(Mount {
                        kind: MountKind::Tmpfs,
                        source: String::new(),
                        target: t.split(':').next().unwrap_or_default().to_string(),
                        read_only: false,
                        propagation: None,
                        at: self.field(name, item),
                    });
                }
            }
            "ports" => {
                for item in self.items(name, v)? {
                    spec.ports.extend(self.port(item)?);
                }
            }
            "network_mode" => spec.network_mode = Some(Set::new(text(self)?, at)),
            "pid" => spec.pid_mode = Some(Set::new(text(self)?, at)),
            "ipc" => spec.ipc_mode = Some(Set::new(text(self)?, at)),
            "uts" => spec.uts_mode = Some(Set::new(text(self)?, at)),
            "userns_mode" => spec.userns_mode = Some(Set::new(text(self)?, at)),
            "cgroup" => spec.cgroupns_mode = Some(Set::new(text(self)?, at)),
            "cgroup_parent" => spec.cgroup_parent = Some(Set::new(text(self)?, at)),
            "user" => spec.user = Some(Set::new(text(self)?, at)),
            "mem_limit" => {
                spec.memory = Some(Set::new(self.with(name, v, parse_bytes(&text(self)?))?, at))
            }
            "cpus" => {
                spec.nano_cpus = Some(Set::new(self.with(name, v, parse_cpus(&text(self)?))?, at))
            }
            "cpu_shares" => spec.cpu_shares = Some(Set::new(self.int(name, v)?, at)),
            "cpu_quota" => spec.cpu_quota = Some(Set::new(self.int(name, v)?, at)),
            "pids_limit" => spec.pids_limit = Some(Set::new(self.int(name, v)?, at)),
            "restart" => {
                spec.restart = Some(Set::new(
                    self.with(name, v, parse_restart(&text(self)?))?,
                    at,
                ))
            }
            "deploy" => self.deploy(spec, v)?,
            "environment" => self.environment(spec, v)?,
            "healthcheck" => spec.healthcheck = self.healthcheck(v, at)?,
            "devices" => {
                for item in self.items(name, v)? {
                    let d = match item.value {
                        Value::Map(_) => {
                            let part =
                                |k: &str| item.get(k).map(|n| self.string(name, n)).transpose();
                            let src = part("source")?.unwrap_or_default();
                            let dst = part("target")?.unwrap_or_else(|| src.clone());
                            match part("permissions")? {
                                Some(p) => format!("{src}:{dst}:{p}"),
                                None => format!("{src}:{dst}"),
                            }
                        }
                        _ => self.string(name, item)?,
                    };
                    spec.devices.push(Set::new(d, self.field(name, item)));
                }
            }
            "ulimits" => {
                let Value::Map(limits) = &v.value else {
                    return Err(self.bad(name, v, "a mapping"));
                };
                for (lk, lv) in limits {
                    let limit = lk.scalar().unwrap_or_default();
                    let value = match (lv.get("soft"), lv.get("hard")) {
                        (Some(s), Some(h)) => {
                            format!("{}:{}", self.int(name, s)?, self.int(name, h)?)
                        }
                        _ => self.int(name, lv)?.to_string(),
                    };
                    spec.ulimits
                        .push(Set::new(format!("{limit}={value}"), self.field(name, lk)));
                }
            }
            "labels" => match &v.value {
                Value::Map(labels) => {
                    for (lk, lv) in labels {
                        let value = if matches!(lv.value, Value::Null) {
                            String::new()
                        } else {
                            self.string(name, lv)?
                        };
                        spec.labels.push((lk.scalar().unwrap_or_default(), value));
                    }
                }
                _ => {
                    for item in self.items(name, v)? {
                        let l = self.string(name, item)?;
                        let (lk, lv) = l.split_once('=').unwrap_or((&l, ""));
                        spec.labels.push((lk.to_string(), lv.to_string()));
                    }
                }
            },
            _ => {}
        }
        Ok(())
    }

    /// `environment:` as a mapping (`NAME: value`; `NAME:` takes the caller's value) or a list
    /// (`- NAME=value`, `- NAME`), each entry where it is written. Values are kept as written
    /// and never interpolated: one that names a variable holds what is not in this file (no
    /// value here); `$$` is a `$`.
    fn environment(&self, spec: &mut ContainerSpec, v: &Node) -> Result<()> {
        const KEY: &str = "environment";
        let mut push = |name: String, value: Option<String>, at: &Node| {
            spec.env.push(EnvVar {
                at: self.field(&format!("{KEY}.{name}"), at),
                name,
                value: value
                    .filter(|v| !has_variables(v))
                    .map(|v| interpolate(&v, &Env::new()).unwrap_or(v)),
            });
        };
        if let Value::Map(entries) = &v.value {
            for (k, val) in entries {
                let name = k
                    .scalar()
                    .ok_or_else(|| self.bad(KEY, k, "a variable name"))?;
                let value = match val.value {
                    Value::Null => None,
                    _ => Some(self.raw(KEY, val)?),
                };
                push(name, value, k);
            }
            return Ok(());
        }
        for item in self.items(KEY, v)? {
            let text = self.raw(KEY, item)?;
            match text.split_once('=') {
                Some((name, value)) => push(name.to_string(), Some(value.to_string()), item),
                None => push(text, None, item),
            }
        }
        Ok(())
    }

    /// A scalar as written, not interpolated.
    fn raw(&self, key: &str, node: &Node) -> Result<String> {
        node.scalar().ok_or_else(|| self.bad(key, node, "a scalar"))
    }

    fn volume(&self, item: &Node) -> Result<Mount> {
        let at = self.field("volumes", item);
        if !matches!(item.value, Value::Map(_)) {
            let text = self.string("volumes", item)?;
            return self.with("volumes", item, parse_volume(&text, &at));
        }
        let part = |k: &str| item.get(k).map(|n| self.string("volumes", n)).transpose();
        let kind = match part("type")?.as_deref() {
            Some("bind") => MountKind::Bind,
            Some("volume") | None => MountKind::Volume,
            Some("tmpfs") => MountKind::Tmpfs,
            Some(_) => MountKind::Other,
        };
        let target = part("target")?.filter(|t| !t.is_empty()).ok_or_else(|| {
            self.err(
                item,
                format!("services.{}.volumes: `target` is required", self.service),
            )
        })?;
        let source = part("source")?.unwrap_or_default();
        let read_only = item
            .get("read_only")
            .map(|n| self.boolean("volumes.read_only", n))
            .transpose()?;
        let propagation = item
            .get("bind")
            .and_then(|b| b.get("propagation"))
            .map(|n| self.string("volumes.bind.propagation", n))
            .transpose()?;
        Ok(Mount {
            kind,
            source: if kind == MountKind::Bind {
                crate::syntax::normalize_source(&source)
            } else {
                source
            },
            target,
            read_only: read_only.unwrap_or(false),
            propagation,
            at,
        })
    }

    fn port(&self, item: &Node) -> Result<Vec<PortBinding>> {
        let at = self.field("ports", item);
        if !matches!(item.value, Value::Map(_)) {
            let text = self.string("ports", item)?;
            return self.with("ports", item, parse_ports(&text, &at));
        }
        let target = item.get("target").ok_or_else(|| {
            self.err(
                item,
                format!("services.{}.ports: `target` is required", self.service),
            )
        })?;
        let container_port = self.int("ports.target", target)?;
        let container_port = u16::try_from(container_port)
            .map_err(|_| self.bad("ports.target", target, "a port number"))?;
        let host_port = match item.get("published") {
            Some(p) => {
                let text = self.string("ports.published", p)?;
                let first = text
                    .split('-')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                Some(
                    first
                        .parse::<u16>()
                        .map_err(|_| self.bad("ports.published", p, "a port or range"))?,
                )
            }
            None => None,
        };
        let host_ip = item
            .get("host_ip")
            .map(|n| self.string("ports.host_ip", n))
            .transpose()?;
        let protocol = item
            .get("protocol")
            .map(|n| self.string("ports.protocol", n))
            .transpose()?;
        Ok(vec![PortBinding {
            host_ip: host_ip.unwrap_or_default(),
            host_port,
            container_port,
            protocol: protocol.unwrap_or_else(|| "tcp".to_string()),
            at,
        }])
    }

    fn deploy(&self, spec: &mut ContainerSpec, deploy: &Node) -> Result<()> {
        if let Some(limits) = deploy.get("resources").and_then(|r| r.get("limits")) {
            if let Some((k, v)) = limits.entry("memory").filter(|_| spec.memory.is_none()) {
                let bytes = self.with(
                    "deploy.resources.limits.memory",
                    v,
                    parse_bytes(&self.string("deploy.resources.limits.memory", v)?),
                )?;
                spec.memory = Some(Set::new(
                    bytes,
                    self.field("deploy.resources.limits.memory", k),
                ));
            }
            if let Some((k, v)) = limits.entry("cpus").filter(|_| spec.nano_cpus.is_none()) {
                let nano = self.with(
                    "deploy.resources.limits.cpus",
                    v,
                    parse_cpus(&self.string("deploy.resources.limits.cpus", v)?),
                )?;
                spec.nano_cpus = Some(Set::new(
                    nano,
                    self.field("deploy.resources.limits.cpus", k),
                ));
            }
            if let Some((k, v)) = limits.entry("pids").filter(|_| spec.pids_limit.is_none()) {
                spec.pids_limit = Some(Set::new(
                    self.int("deploy.resources.limits.pids", v)?,
                    self.field("deploy.resources.limits.pids", k),
                ));
            }
        }
        if let Some((k, policy)) = deploy
            .entry("restart_policy")
            .filter(|_| spec.restart.is_none())
        {
            let condition = policy
                .get("condition")
                .map(|c| self.string("deploy.restart_policy.condition", c))
                .transpose()?
                .unwrap_or_else(|| "any".to_string());
            let attempts = policy
                .get("max_attempts")
                .map(|m| self.int("deploy.restart_policy.max_attempts", m))
                .transpose()?
                .unwrap_or(0);
            let value = match condition.as_str() {
                "none" => ("no".to_string(), 0),
                "on-failure" => ("on-failure".to_string(), attempts),
                // `any` restarts after any exit; with max_attempts it is bounded like on-failure.
                _ if attempts > 0 => ("on-failure".to_string(), attempts),
                _ => ("always".to_string(), 0),
            };
            spec.restart = Some(Set::new(value, self.field("deploy.restart_policy", k)));
        }
        Ok(())
    }

    fn healthcheck(&self, v: &Node, at: Field) -> Result<Option<Set<bool>>> {
        if !matches!(v.value, Value::Map(_)) {
            return Err(self.bad("healthcheck", v, "a mapping"));
        }
        if let Some(d) = v.get("disable")
            && self.boolean("healthcheck.disable", d)?
        {
            return Ok(Some(Set::new(false, at)));
        }
        let Some(test) = v.get("test") else {
            return Ok(None);
        };
        let first = match &test.value {
            Value::Seq(items) => items
                .first()
                .map(|i| self.string("healthcheck.test", i))
                .transpose()?,
            _ => Some(self.string("healthcheck.test", test)?),
        };
        let disabled = first
            .as_deref()
            .is_none_or(|f| f.eq_ignore_ascii_case("NONE"));
        Ok(Some(Set::new(!disabled, at)))
    }
}
