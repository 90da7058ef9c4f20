//! `GET /containers/{id}/json` → [`ContainerSpec`]. Every setting keeps the inspect path it was
//! read from (`HostConfig.CapAdd[0]`, `Mounts[2]`, `HostConfig.PortBindings["22/tcp"]`), so a
//! finding names the exact field. Pure: no I/O, tested on recorded inspect JSON.

use bollard::models::{
    ContainerInspectResponse, HostConfigCgroupnsModeEnum, RestartPolicyNameEnum,
};
use seaworthy_container::spec::{
    ContainerSpec, EnvVar, ExecSession, Field, Mount, MountKind, PortBinding, Set, Subject,
};

fn at(name: impl Into<String>) -> Field {
    Field::named(name)
}

fn set<T>(value: T, name: &str) -> Set<T> {
    Set::new(value, at(name))
}

/// A non-empty string setting, `None` when empty (the engine default).
fn non_empty(value: Option<&String>, name: &str) -> Option<Set<String>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| set(v.clone(), name))
}

fn list(values: Option<&Vec<String>>, name: &str) -> Vec<Set<String>> {
    values
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| set(v.clone(), &format!("{name}[{i}]")))
        .collect()
}

/// Capabilities as `docker run` spells them: the engine stores `CAP_SYS_ADMIN` for
/// `--cap-add SYS_ADMIN` (20.10+); the spec holds `SYS_ADMIN` (and `ALL`).
fn capabilities(values: Option<&Vec<String>>, name: &str) -> Vec<Set<String>> {
    let mut caps = list(values, name);
    for c in &mut caps {
        let upper = c.value.to_ascii_uppercase();
        c.value = upper.strip_prefix("CAP_").unwrap_or(&upper).to_string();
    }
    caps
}

/// The container name without the leading `/` the API puts there.
pub fn display_name(inspect: &ContainerInspectResponse) -> String {
    inspect
        .name
        .as_deref()
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string()
}

/// Is the container running (or paused/restarting: its processes exist)?
pub fn is_running(inspect: &ContainerInspectResponse) -> bool {
    inspect
        .state
        .as_ref()
        .is_some_and(|s| s.running == Some(true))
}

/// Converts inspect data. `processes` come from the top API (when the container runs), `execs`
/// from inspecting the container's `ExecIDs`.
pub fn to_spec(
    inspect: &ContainerInspectResponse,
    processes: Option<Vec<String>>,
    execs: Option<Vec<ExecSession>>,
) -> ContainerSpec {
    let config = inspect.config.clone().unwrap_or_default();
    let host = inspect.host_config.clone().unwrap_or_default();
    let image = config.image.clone().unwrap_or_default();
    let subject = Subject::Running {
        id: inspect.id.clone().unwrap_or_default(),
        name: display_name(inspect),
        image: image.clone(),
        image_id: inspect.image.clone().unwrap_or_default(),
    };
    let mut spec = ContainerSpec::new(subject, image);
    spec.image_at = Some(at("Config.Image"));
    spec.user = non_empty(config.user.as_ref(), "Config.User");
    spec.privileged = host.privileged.map(|v| set(v, "HostConfig.Privileged"));
    spec.cap_add = capabilities(host.cap_add.as_ref(), "HostConfig.CapAdd");
    spec.cap_drop = capabilities(host.cap_drop.as_ref(), "HostConfig.CapDrop");
    spec.security_opt = list(host.security_opt.as_ref(), "HostConfig.SecurityOpt");
    spec.apparmor_profile = inspect
        .app_armor_profile
        .clone()
        .map(|v| set(v, "AppArmorProfile"));
    spec.mounts = mounts(inspect);
    spec.ports = ports(&host, config.exposed_ports.as_deref());
    spec.network_mode = non_empty(host.network_mode.as_ref(), "HostConfig.NetworkMode");
    spec.pid_mode = non_empty(host.pid_mode.as_ref(), "HostConfig.PidMode");
    spec.ipc_mode = non_empty(host.ipc_mode.as_ref(), "HostConfig.IpcMode");
    spec.uts_mode = non_empty(host.uts_mode.as_ref(), "HostConfig.UTSMode");
    spec.userns_mode = non_empty(host.userns_mode.as_ref(), "HostConfig.UsernsMode");
    spec.cgroupns_mode = match host.cgroupns_mode {
        Some(HostConfigCgroupnsModeEnum::HOST) => {
            Some(set("host".into(), "HostConfig.CgroupnsMode"))
        }
        Some(HostConfigCgroupnsModeEnum::PRIVATE) => {
            Some(set("private".into(), "HostConfig.CgroupnsMode"))
        }
        _ => None,
    };
    spec.memory = host.memory.map(|v| set(v, "HostConfig.Memory"));
    spec.cpu_shares = host.cpu_shares.map(|v| set(v, "HostConfig.CpuShares"));
    spec.nano_cpus = host.nano_cpus.map(|v| set(v, "HostConfig.NanoCpus"));
    spec.cpu_quota = host.cpu_quota.map(|v| set(v, "HostConfig.CpuQuota"));
    spec.pids_limit = host.pids_limit.map(|v| set(v, "HostConfig.PidsLimit"));
    spec.read_only_rootfs = host
        .readonly_rootfs
        .map(|v| set(v, "HostConfig.ReadonlyRootfs"));
    spec.restart = host.restart_policy.as_ref().map(|p| {
        let name = match p.name {
            Some(RestartPolicyNameEnum::ALWAYS) => "always",
            Some(RestartPolicyNameEnum::UNLESS_STOPPED) => "unless-stopped",
            Some(RestartPolicyNameEnum::ON_FAILURE) => "on-failure",
            _ => "no",
        };
        set(
            (name.to_string(), p.maximum_retry_count.unwrap_or(0)),
            "HostConfig.RestartPolicy",
        )
    });
    // The inspect config is the image's merged with the run's: no entry means no healthcheck.
    let healthy = config.healthcheck.as_ref().is_some_and(|h| {
        h.test
            .as_ref()
            .and_then(|t| t.first())
            .is_some_and(|first| first != "NONE")
    });
    spec.healthcheck = Some(set(healthy, "Config.Healthcheck"));
    spec.cgroup_parent = non_empty(host.cgroup_parent.as_ref(), "HostConfig.CgroupParent");
    spec.devices = host
        .devices
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, d)| {
            let mut v = format!(
                "{}:{}",
                d.path_on_host.as_deref().unwrap_or_default(),
                d.path_in_container.as_deref().unwrap_or_default()
            );
            if let Some(p) = d.cgroup_permissions.as_deref().filter(|p| !p.is_empty()) {
                v.push(':');
                v.push_str(p);
            }
            set(v, &format!("HostConfig.Devices[{i}]"))
        })
        .collect();
    spec.ulimits = host
        .ulimits
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, u)| {
            let v = format!(
                "{}={}:{}",
                u.name.as_deref().unwrap_or_default(),
                u.soft.unwrap_or_default(),
                u.hard.unwrap_or_default()
            );
            set(v, &format!("HostConfig.Ulimits[{i}]"))
        })
        .collect();
    spec.processes = processes;
    spec.execs = execs;
    // The image's ENV merged with the run's, as the processes see it.
    spec.env = config
        .env
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, e)| {
            let (name, value) = e.split_once('=').unwrap_or((e, ""));
            EnvVar {
                name: name.to_string(),
                value: Some(value.to_string()),
                at: at(format!("Config.Env[{i}]")),
            }
        })
        .collect();
    let mut labels: Vec<(String, String)> = config.labels.unwrap_or_default().into_iter().collect();
    labels.sort();
    spec.labels = labels;
    spec
}

fn mounts(inspect: &ContainerInspectResponse) -> Vec<Mount> {
    inspect
        .mounts
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, m)| {
            let kind = match m.typ.as_deref() {
                Some("bind") => MountKind::Bind,
                Some("volume") => MountKind::Volume,
                Some("tmpfs") => MountKind::Tmpfs,
                _ => MountKind::Other,
            };
            let source = match kind {
                MountKind::Volume => m.name.clone().or_else(|| m.source.clone()),
                _ => m.source.clone(),
            };
            Mount {
                kind,
                source: source.unwrap_or_default(),
                target: m.destination.clone().unwrap_or_default(),
                read_only: m.rw == Some(false),
                propagation: m.propagation.clone().filter(|p| !p.is_empty()),
                at: at(format!("Mounts[{i}]")),
            }
        })
        .collect()
}

/// `22/tcp` → (22, `tcp`).
fn split_port(key: &str) -> Option<(u16, String)> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    Some((port.parse().ok()?, proto.to_string()))
}

fn ports(host: &bollard::models::HostConfig, exposed: Option<&[String]>) -> Vec<PortBinding> {
    let mut out = Vec::new();
    let mut keys: Vec<&String> = host
        .port_bindings
        .iter()
        .flatten()
        .map(|(k, _)| k)
        .collect();
    keys.sort();
    for key in keys {
        let Some((container_port, protocol)) = split_port(key) else {
            continue;
        };
        let bindings = host
            .port_bindings
            .as_ref()
            .and_then(|m| m.get(key))
            .and_then(|b| b.as_ref());
        for b in bindings.into_iter().flatten() {
            out.push(PortBinding {
                host_ip: b.host_ip.clone().unwrap_or_default(),
                host_port: b.host_port.as_deref().and_then(|p| p.parse().ok()),
                container_port,
                protocol: protocol.clone(),
                at: at(format!("HostConfig.PortBindings[\"{key}\"]")),
            });
        }
    }
    if host.publish_all_ports == Some(true) {
        // `-P`: every exposed port on an ephemeral port of every interface.
        for key in exposed.into_iter().flatten() {
            let Some((container_port, protocol)) = split_port(key) else {
                continue;
            };
            if out
                .iter()
                .any(|p| p.container_port == container_port && p.protocol == protocol)
            {
                continue;
            }
            out.push(PortBinding {
                host_ip: String::new(),
                host_port: None,
                container_port,
                protocol,
                at: at("HostConfig.PublishAllPorts"),
            });
        }
    }
    out
}

/// One `GET /exec/{id}/json` answer as an exec session.
pub fn exec_session(e: &bollard::models::ExecInspectResponse) -> ExecSession {
    let p = e.process_config.clone().unwrap_or_default();
    let mut command = p.entrypoint.unwrap_or_default();
    for a in p.arguments.unwrap_or_default() {
        command.push(' ');
        command.push_str(&a);
    }
    ExecSession {
        id: e.id.clone().unwrap_or_default(),
        privileged: p.privileged == Some(true),
        user: p.user.unwrap_or_default(),
        command,
    }
}

/// The command lines of a top answer (`CMD` or `COMMAND` column).
pub fn processes(top: &bollard::models::ContainerTopResponse) -> Vec<String> {
    let titles = top.titles.as_deref().unwrap_or_default();
    let column = titles
        .iter()
        .position(|t| t == "CMD" || t == "COMMAND")
        .unwrap_or(titles.len().saturating_sub(1));
    top.processes
        .iter()
        .flatten()
        .filter_map(|row| row.get(column).cloned())
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    /// Recorded from containers started on Docker 20.10 (see testdata/SOURCES.md).
    fn recorded(name: &str) -> ContainerInspectResponse {
        let path = format!(
            "{}/testdata/inspect/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn names<T>(sets: &[Set<T>]) -> Vec<(&T, &str)> {
        sets.iter()
            .map(|s| (&s.value, s.at.name.as_str()))
            .collect()
    }

    #[test]
    fn a_badly_configured_container_keeps_every_inspect_path() {
        let spec = to_spec(
            &recorded("bad"),
            Some(vec!["/bin/sleep 3600".into()]),
            Some(vec![]),
        );
        let Subject::Running {
            name,
            image,
            image_id,
            ..
        } = &spec.subject
        else {
            panic!("running subject");
        };
        assert_eq!(
            (name.as_str(), image.as_str()),
            ("h3-bad", "h3-record:latest")
        );
        assert!(image_id.starts_with("sha256:c4d40ef13d7d"));
        let caps = names(&spec.cap_add);
        assert_eq!(
            caps,
            [
                (&"NET_RAW".to_string(), "HostConfig.CapAdd[0]"),
                (&"SYS_ADMIN".to_string(), "HostConfig.CapAdd[1]")
            ]
        );
        let opts: Vec<&str> = spec.security_opt.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(
            opts,
            ["seccomp=unconfined", "apparmor=unconfined", "label=disable"]
        );
        assert_eq!(spec.security_opt[1].at.name, "HostConfig.SecurityOpt[1]");
        let ports: Vec<_> = spec
            .ports
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_str(),
                    p.host_port,
                    p.container_port,
                    p.at.name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            [
                ("", Some(22), 22, "HostConfig.PortBindings[\"22/tcp\"]"),
                (
                    "127.0.0.1",
                    Some(8080),
                    80,
                    "HostConfig.PortBindings[\"80/tcp\"]"
                ),
            ]
        );
        let mounts: Vec<_> = spec
            .mounts
            .iter()
            .map(|m| {
                (
                    m.kind,
                    m.source.as_str(),
                    m.target.as_str(),
                    m.read_only,
                    m.at.name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            mounts,
            [
                (
                    MountKind::Bind,
                    "/var/run/docker.sock",
                    "/var/run/docker.sock",
                    false,
                    "Mounts[0]"
                ),
                (MountKind::Bind, "/", "/host", false, "Mounts[1]"),
            ]
        );
        assert_eq!(spec.mounts[1].propagation.as_deref(), Some("rslave"));
        assert_eq!(
            spec.pid_mode.as_ref().map(|s| s.value.as_str()),
            Some("host")
        );
        assert_eq!(
            spec.ipc_mode.as_ref().map(|s| s.value.as_str()),
            Some("host")
        );
        assert_eq!(
            spec.uts_mode.as_ref().map(|s| s.at.name.as_str()),
            Some("HostConfig.UTSMode")
        );
        assert_eq!(
            spec.network_mode.as_ref().map(|s| s.value.as_str()),
            Some("default")
        );
        assert_eq!(spec.memory.as_ref().map(|s| s.value), Some(0));
        assert_eq!(spec.pids_limit, None, "PidsLimit null: unlimited");
        assert_eq!(
            spec.restart.as_ref().map(|s| s.value.clone()),
            Some(("always".into(), 0))
        );
        assert_eq!(spec.healthcheck.as_ref().map(|s| s.value), Some(false));
        assert_eq!(
            spec.cgroup_parent.as_ref().map(|s| s.value.as_str()),
            Some("/h3parent")
        );
        assert_eq!(
            names(&spec.devices),
            [(
                &"/dev/null:/dev/xnull:rwm".to_string(),
                "HostConfig.Devices[0]"
            )]
        );
        assert_eq!(spec.user, None, "empty Config.User: root by default");
        assert_eq!(
            spec.apparmor_profile.as_ref().map(|s| s.value.as_str()),
            Some("")
        );
        assert_eq!(
            spec.processes.as_deref(),
            Some(&["/bin/sleep 3600".to_string()][..])
        );
        assert!(spec.labels.contains(&("h3-record".into(), "1".into())));
    }

    #[test]
    fn the_environment_with_its_fields() {
        let mut inspect = recorded("bad");
        if let Some(c) = inspect.config.as_mut() {
            c.env = Some(vec!["PATH=/usr/bin".into(), "A=b=c".into(), "EMPTY".into()]);
        }
        let spec = to_spec(&inspect, None, None);
        let env: Vec<_> = spec
            .env
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref(), e.at.name.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("PATH", Some("/usr/bin"), "Config.Env[0]"),
                ("A", Some("b=c"), "Config.Env[1]"),
                ("EMPTY", Some(""), "Config.Env[2]"),
            ]
        );
    }

    #[test]
    fn a_hardened_container() {
        let spec = to_spec(&recorded("hard"), None, None);
        assert_eq!(spec.read_only_rootfs.as_ref().map(|s| s.value), Some(true));
        assert_eq!(
            names(&spec.cap_drop),
            [(&"ALL".to_string(), "HostConfig.CapDrop[0]")]
        );
        assert_eq!(spec.memory.as_ref().map(|s| s.value), Some(64 << 20));
        assert_eq!(spec.nano_cpus.as_ref().map(|s| s.value), Some(500_000_000));
        assert_eq!(spec.cpu_shares.as_ref().map(|s| s.value), Some(512));
        assert_eq!(
            spec.pids_limit
                .as_ref()
                .map(|s| (s.value, s.at.name.as_str())),
            Some((100, "HostConfig.PidsLimit"))
        );
        assert_eq!(
            spec.user.as_ref().map(|s| s.value.as_str()),
            Some("65534:65534")
        );
        assert_eq!(
            spec.healthcheck
                .as_ref()
                .map(|s| (s.value, s.at.name.as_str())),
            Some((true, "Config.Healthcheck"))
        );
        assert_eq!(
            spec.restart.as_ref().map(|s| s.value.clone()),
            Some(("on-failure".into(), 5))
        );
        assert_eq!(spec.mounts[0].kind, MountKind::Volume);
        assert_eq!(spec.mounts[0].source, "h3vol");
        assert!(spec.mounts[0].read_only);
        assert_eq!(spec.mounts[0].propagation, None);
        assert!(spec.ports.is_empty() && spec.cap_add.is_empty() && spec.devices.is_empty());
        assert_eq!(spec.pid_mode, None);
    }

    #[test]
    fn host_network_and_privileged() {
        let spec = to_spec(&recorded("hostnet"), None, None);
        assert_eq!(
            spec.network_mode
                .as_ref()
                .map(|s| (s.value.as_str(), s.at.name.as_str())),
            Some(("host", "HostConfig.NetworkMode"))
        );
        let inspect = recorded("priv");
        assert!(!is_running(&inspect), "created, not started");
        let spec = to_spec(&inspect, None, None);
        assert_eq!(
            spec.privileged
                .as_ref()
                .map(|s| (s.value, s.at.name.as_str())),
            Some((true, "HostConfig.Privileged"))
        );
        assert_eq!(display_name(&inspect), "h3-priv");
    }

    #[test]
    fn publish_all_adds_exposed_ports_on_every_interface() {
        let mut inspect = recorded("hard");
        let host = inspect.host_config.as_mut().unwrap();
        host.publish_all_ports = Some(true);
        inspect.config.as_mut().unwrap().exposed_ports =
            Some(vec!["443/tcp".into(), "junk".into()]);
        let spec = to_spec(&inspect, None, None);
        let ports: Vec<_> = spec
            .ports
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_str(),
                    p.host_port,
                    p.container_port,
                    p.at.name.as_str(),
                )
            })
            .collect();
        assert_eq!(ports, [("", None, 443, "HostConfig.PublishAllPorts")]);
    }

    #[test]
    fn empty_inspect_data_gives_defaults_not_a_panic() {
        let spec = to_spec(&ContainerInspectResponse::default(), None, None);
        assert_eq!(spec.privileged, None);
        assert!(spec.mounts.is_empty());
        assert_eq!(spec.healthcheck.as_ref().map(|s| s.value), Some(false));
    }

    #[test]
    fn top_command_column() {
        let text = std::fs::read_to_string(format!(
            "{}/testdata/top-bad.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let top: bollard::models::ContainerTopResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(processes(&top), ["/bin/sleep 3600"]);
    }
}
