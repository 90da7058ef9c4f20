//! CIS 2.1–2.18: the daemon's settings, read from every source (see `config`).

use serde_json::json;

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict};

/// A boolean setting: warn when its effective value is `bad`.
fn bool_setting(f: &HostFacts, key: &str, default: bool, bad: bool, why: &str) -> Verdict {
    let s = f.config.get_or(key, json!(default));
    let value = s.as_bool().unwrap_or(default);
    let v = if value == bad {
        Verdict::warn(format!("{key} is {value} ({}): {why}", s.source))
    } else {
        Verdict::pass(format!("{key} is {value} ({})", s.source))
    };
    v.with_setting(&f.config, key, json!(default))
}

fn swarm_active(f: &HostFacts) -> bool {
    f.daemon.as_ref().is_ok_and(|d| d.swarm.active())
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports whether dockerd runs rootless.\n\n## Why\nA rootless daemon limits what a container escape can reach.\n\n## Fix\nSee Docker's rootless mode documentation; not every workload supports it."]
    Rootless {
        id: "SW-HOST-2.1",
        name: "rootless",
        title: "Run the Docker daemon as a non-root user, if possible",
        area: Host,
        group: "daemon",
        severity: Info,
        remediation: "Consider rootless mode (`dockerd-rootless-setuptool.sh install`).",
        refs: [Cis("2.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "daemon:rootless",
            check: |f| {
                let rootless = f.daemon.as_ref().is_ok_and(|d| d.has_security_option("rootless"));
                let v = Verdict::info(if rootless { "dockerd runs rootless" } else { "dockerd runs as root" });
                match f.dockerd_pid {
                    Some(pid) => v.with(format!("dockerd pid {pid}"), "/proc"),
                    None => v,
                }
                .with(format!("rootless={rootless}"), "GET /info (SecurityOptions)")
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that inter-container communication on the default bridge is off.\n\n## Why\nWith `icc` on, every container on the default bridge can reach every other one's ports.\n\n## Fix\n```json\n{ \"icc\": false }\n```\nThe value is read from daemon.json, the dockerd command line, the systemd unit, DOCKER_OPTS, and the default bridge's `com.docker.network.bridge.enable_icc` option."]
    IccDisabled {
        id: "SW-HOST-2.2",
        name: "icc-disabled",
        title: "Ensure network traffic is restricted between containers on the default bridge",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Set `\"icc\": false` in /etc/docker/daemon.json (or `--icc=false`) and restart dockerd; link containers through user-defined networks.",
        refs: [Cis("2.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:icc",
            check: |f| bool_setting(f, "icc", true, true, "containers on the default bridge can talk to each other"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the daemon logs at `info`.\n\n## Why\n`warn` and above lose events worth keeping; `debug` logs far too much, including sensitive data.\n\n## Fix\nLeave `log-level` unset (default `info`) or set it to `info`."]
    LogLevelInfo {
        id: "SW-HOST-2.3",
        name: "log-level-info",
        title: "Ensure the logging level is set to 'info'",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Remove `log-level` or set `\"log-level\": \"info\"` in daemon.json.",
        refs: [Cis("2.3")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:log-level",
            check: |f| {
                let s = f.config.get_or("log-level", json!("info"));
                let level = s.display();
                let v = if level == "info" {
                    Verdict::pass(format!("log-level is info ({})", s.source))
                } else {
                    Verdict::warn(format!("log-level is {level} ({})", s.source))
                };
                v.with_setting(&f.config, "log-level", json!("info"))
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that dockerd manages iptables.\n\n## Why\nWithout it, published ports and container isolation depend on hand-written firewall rules that easily drift.\n\n## Fix\nLeave `iptables` at its default `true`."]
    IptablesEnabled {
        id: "SW-HOST-2.4",
        name: "iptables-enabled",
        title: "Ensure Docker is allowed to make changes to iptables",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Remove `\"iptables\": false` / `--iptables=false`.",
        refs: [Cis("2.4")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:iptables",
            check: |f| bool_setting(f, "iptables", true, false, "dockerd does not manage the firewall rules"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that no registry is reached without TLS verification.\n\n## Why\nAn insecure registry can be impersonated: images pulled from it can be swapped in transit.\n\n## Fix\nDrop `insecure-registries` / `--insecure-registry`; `127.0.0.0/8` is always insecure and not counted."]
    NoInsecureRegistries {
        id: "SW-HOST-2.5",
        name: "no-insecure-registries",
        title: "Ensure insecure registries are not used",
        area: Host,
        group: "daemon",
        severity: High,
        remediation: "Remove `insecure-registries` entries; give the registries TLS certificates (/etc/docker/certs.d).",
        refs: [Cis("2.5")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:insecure-registries",
            check: |f| {
                let mut regs: Vec<String> = f
                    .config
                    .all("insecure-registries")
                    .iter()
                    .flat_map(|s| s.as_list())
                    .filter(|r| r != "127.0.0.0/8" && r != "::1/128")
                    .collect();
                regs.sort();
                regs.dedup();
                let v = if regs.is_empty() {
                    Verdict::pass("no insecure registries")
                } else {
                    Verdict::warn(format!("insecure registries: {}", regs.join(", ")))
                };
                v.with_setting(&f.config, "insecure-registries", json!([]))
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that the storage driver is not `aufs`.\n\n## Why\naufs is deprecated, unmaintained and has known kernel crashes.\n\n## Fix\nUse `overlay2`."]
    NoAufs {
        id: "SW-HOST-2.6",
        name: "no-aufs",
        title: "Ensure aufs storage driver is not used",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Switch to `overlay2` (`\"storage-driver\": \"overlay2\"`).",
        refs: [Cis("2.6")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:storage-driver",
            check: |f| {
                let s = f.config.get_or("storage-driver", json!(""));
                let driver = s.display();
                let v = if driver == "aufs" {
                    Verdict::warn("the aufs storage driver is in use")
                } else if driver.is_empty() {
                    Verdict::pass("no storage driver configured (the daemon picks overlay2 or another supported one)")
                } else {
                    Verdict::pass(format!("storage driver {driver}"))
                };
                v.with_setting(&f.config, "storage-driver", json!(""))
            },
        },
    }
}

/// TCP endpoints dockerd is configured for or listens on (swarm ports excluded).
fn tcp_exposure(f: &HostFacts) -> (Vec<String>, Vec<String>) {
    let hosts: Vec<String> = f
        .config
        .all("hosts")
        .iter()
        .flat_map(|s| s.as_list())
        .filter(|h| h.starts_with("tcp://"))
        .collect();
    let swarm = swarm_active(f);
    let listening = f
        .files
        .listeners
        .iter()
        .filter(|l| f.files.dockerd_sockets.contains(&l.inode))
        .filter(|l| !(swarm && matches!(l.port, 2377 | 7946)))
        .map(|l| format!("{}:{}", l.addr, l.port))
        .collect();
    (hosts, listening)
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that a daemon reachable over TCP requires TLS client certificates.\n\n## Why\nA TCP socket without TLS verification gives root on the host to anyone who can reach the port.\n\n## Fix\n```json\n{ \"tlsverify\": true, \"tlscacert\": \"/etc/docker/ca.pem\", \"tlscert\": \"/etc/docker/server.pem\", \"tlskey\": \"/etc/docker/server-key.pem\" }\n```\nThe TCP endpoints come from `hosts`/`-H` in every configuration source and from the listening sockets dockerd holds (`/proc/net/tcp{,6}`). Not applicable when dockerd listens on unix sockets only."]
    TcpTls {
        id: "SW-HOST-2.7",
        name: "tcp-tls",
        title: "Ensure TLS authentication for Docker daemon is configured",
        area: Host,
        group: "daemon",
        severity: Critical,
        remediation: "Listen on TCP only with `\"tlsverify\": true` and `tlscacert`, `tlscert`, `tlskey` set; otherwise listen on the unix socket only.",
        refs: [Cis("2.7")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:hosts",
            check: |f| {
                let (hosts, listening) = tcp_exposure(f);
                if hosts.is_empty() && listening.is_empty() {
                    return Verdict::not_applicable("dockerd does not listen on TCP")
                        .with_setting(&f.config, "hosts", json!(["unix:///var/run/docker.sock"]));
                }
                let verify = f.config.get("tlsverify").and_then(|s| s.as_bool()).unwrap_or(false);
                let files = ["tlscacert", "tlscert", "tlskey"].iter().all(|k| f.config.get(k).is_some());
                let mut v = if verify && files {
                    Verdict::pass("TCP endpoints require TLS client certificates")
                } else {
                    Verdict::warn(format!(
                        "dockerd is reachable over TCP ({}) without TLS client verification",
                        hosts.iter().chain(&listening).cloned().collect::<Vec<_>>().join(", ")
                    ))
                };
                for l in &listening {
                    v = v.with(format!("dockerd listens on {l}"), "/proc/net/tcp");
                }
                v.with_setting(&f.config, "hosts", json!([]))
                    .with_setting(&f.config, "tlsverify", json!(false))
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports `default-ulimits`.\n\n## Why\nDefault ulimits bound what a runaway container can consume.\n\n## Fix\n```json\n{ \"default-ulimits\": { \"nofile\": { \"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 64000 } } }\n```"]
    DefaultUlimit {
        id: "SW-HOST-2.8",
        name: "default-ulimit",
        title: "Ensure the default ulimit is configured appropriately",
        area: Host,
        group: "daemon",
        severity: Info,
        remediation: "Set `default-ulimits` (e.g. nofile, nproc) to what your workloads need.",
        refs: [Cis("2.8")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "daemon:default-ulimits",
            check: |f| Verdict::info(match f.config.get("default-ulimits") {
                Some(s) => format!("default ulimits: {}", s.display()),
                None => "no default ulimits set (containers inherit dockerd's limits)".to_string(),
            })
            .with_setting(&f.config, "default-ulimits", json!({})),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that containers run in a remapped user namespace.\n\n## Why\nWithout it, root in a container is root on the host after an escape.\n\n## Fix\n`\"userns-remap\": \"default\"`. The daemon's `name=userns` security option also counts."]
    UsernsRemap {
        id: "SW-HOST-2.9",
        name: "userns-remap",
        title: "Enable user namespace support",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Set `\"userns-remap\": \"default\"` in daemon.json and restart dockerd.",
        refs: [Cis("2.9")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon:userns-remap",
            check: |f| {
                let remap = f.config.get("userns-remap").map(|s| s.display()).filter(|s| !s.is_empty());
                let reported = f.daemon.as_ref().is_ok_and(|d| d.has_security_option("userns"));
                let v = match (&remap, reported) {
                    (_, true) => Verdict::pass("user namespace remapping is enabled"),
                    (Some(r), false) => Verdict::pass(format!("userns-remap={r}")),
                    (None, false) => Verdict::warn("user namespace remapping is not enabled"),
                };
                v.with_setting(&f.config, "userns-remap", json!(""))
                    .with(format!("name=userns {}", if reported { "present" } else { "absent" }), "GET /info (SecurityOptions)")
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that containers use the default parent cgroup.\n\n## Why\nA custom parent can move containers out of the limits you expect.\n\n## Fix\nLeave `cgroup-parent` unset, or confirm the value reported here (reported as `info`)."]
    DefaultCgroup {
        id: "SW-HOST-2.10",
        name: "default-cgroup",
        title: "Ensure the default cgroup usage has been confirmed",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Remove `cgroup-parent` unless a specific parent cgroup is intended.",
        refs: [Cis("2.10")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon:cgroup-parent",
            check: |f| match f.config.get("cgroup-parent") {
                None => Verdict::pass("the default cgroup parent is used").with_setting(&f.config, "cgroup-parent", json!("")),
                Some(s) => Verdict::info(format!("cgroup-parent is {}: confirm it is intended", s.display()))
                    .with_setting(&f.config, "cgroup-parent", json!("")),
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that `dm.basesize` is not set.\n\n## Why\nA larger base device lets every container consume more disk.\n\n## Fix\nDrop `--storage-opt dm.basesize=…`."]
    BaseDeviceSize {
        id: "SW-HOST-2.11",
        name: "base-device-size",
        title: "Ensure base device size is not changed until needed",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Remove `dm.basesize` from `storage-opts` unless needed.",
        refs: [Cis("2.11")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon:storage-opts",
            check: |f| match f.config.map_entry("storage-opts", "dm.basesize") {
                Some((v, src)) => Verdict::warn(format!("dm.basesize is {v}")).with(format!("dm.basesize={v}"), src),
                None => Verdict::pass("the base device size is not changed").with_setting(&f.config, "storage-opts", json!([])),
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that an authorization plugin is configured.\n\n## Why\nWithout one, every client of the socket may do everything.\n\n## Fix\n`\"authorization-plugins\": [\"PLUGIN\"]`."]
    AuthorizationPlugin {
        id: "SW-HOST-2.12",
        name: "authorization-plugin",
        title: "Ensure that authorization for Docker client commands is enabled",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Install an authorization plugin and list it in `authorization-plugins`.",
        refs: [Cis("2.12")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon:authorization-plugins",
            check: |f| {
                let plugins: Vec<String> = f.config.all("authorization-plugins").iter().flat_map(|s| s.as_list()).collect();
                let v = if plugins.is_empty() {
                    Verdict::warn("no authorization plugin is configured")
                } else {
                    Verdict::pass(format!("authorization plugins: {}", plugins.join(", ")))
                };
                v.with_setting(&f.config, "authorization-plugins", json!([]))
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that container logs leave the host.\n\n## Why\nLocal logs are lost with the host and can be altered by an intruder.\n\n## Fix\n```json\n{ \"log-driver\": \"syslog\", \"log-opts\": { \"syslog-address\": \"tcp://logs:514\" } }\n```\n`log-opts` in daemon.json and `--log-opt` flags are both read."]
    RemoteLogging {
        id: "SW-HOST-2.13",
        name: "remote-logging",
        title: "Ensure centralized and remote logging is configured",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Set `log-driver` to a remote driver (syslog, journald forwarded, fluentd, gelf, awslogs, splunk…) with its `log-opts`.",
        refs: [Cis("2.13")],
        extra: HostCheck {
            level: Level::L2,
            automated: true,
            object: "daemon:log-driver",
            check: |f| {
                let s = f.config.get_or("log-driver", json!("json-file"));
                let driver = s.display();
                let v = if matches!(driver.as_str(), "json-file" | "local" | "none" | "") {
                    Verdict::warn(format!("log driver {driver} keeps logs on this host"))
                } else {
                    Verdict::pass(format!("log driver {driver}"))
                };
                let mut v = v.with_setting(&f.config, "log-driver", json!("json-file"));
                for s in f.config.all("log-opts") {
                    v = v.with(format!("log-opts={}", s.display()), s.source.clone());
                }
                v
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that containers run with no-new-privileges by default.\n\n## Why\nIt stops setuid binaries in a container from gaining privileges.\n\n## Fix\n`\"no-new-privileges\": true`."]
    NoNewPrivileges {
        id: "SW-HOST-2.14",
        name: "no-new-privileges",
        title: "Ensure containers are restricted from acquiring new privileges",
        area: Host,
        group: "daemon",
        severity: Medium,
        remediation: "Set `\"no-new-privileges\": true` in daemon.json.",
        refs: [Cis("2.14")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:no-new-privileges",
            check: |f| bool_setting(f, "no-new-privileges", false, false, "setuid binaries in containers can gain privileges"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that containers keep running while dockerd restarts.\n\n## Why\nDaemon upgrades and restarts then do not stop the workloads (availability).\n\n## Fix\n`\"live-restore\": true`. Not applicable in swarm mode, which does not support it."]
    LiveRestore {
        id: "SW-HOST-2.15",
        name: "live-restore",
        title: "Ensure live restore is enabled",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Set `\"live-restore\": true` in daemon.json (not with swarm mode).",
        refs: [Cis("2.15")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:live-restore",
            check: |f| {
                if swarm_active(f) {
                    return Verdict::not_applicable("swarm mode is active; live restore does not apply")
                        .with_setting(&f.config, "live-restore", json!(false));
                }
                bool_setting(f, "live-restore", false, false, "containers stop when dockerd restarts")
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that published ports use iptables rules, not docker-proxy.\n\n## Why\nThe userland proxy is an extra process per port and extra attack surface.\n\n## Fix\n`\"userland-proxy\": false`."]
    UserlandProxyDisabled {
        id: "SW-HOST-2.16",
        name: "userland-proxy-disabled",
        title: "Ensure Userland Proxy is Disabled",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Set `\"userland-proxy\": false` in daemon.json.",
        refs: [Cis("2.16")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:userland-proxy",
            check: |f| bool_setting(f, "userland-proxy", true, true, "docker-proxy handles published ports"),
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports the daemon-wide seccomp profile.\n\n## Why\nThe default profile blocks dangerous syscalls; a custom one can tighten it further.\n\n## Fix\n`\"seccomp-profile\": \"/etc/docker/seccomp.json\"`."]
    DaemonSeccomp {
        id: "SW-HOST-2.17",
        name: "daemon-seccomp",
        title: "Ensure that a daemon-wide custom seccomp profile is applied if appropriate",
        area: Host,
        group: "daemon",
        severity: Info,
        remediation: "If your workloads need a different syscall filter, set `seccomp-profile` to a reviewed profile.",
        refs: [Cis("2.17")],
        extra: HostCheck {
            level: Level::L2,
            automated: false,
            object: "daemon:seccomp-profile",
            check: |f| {
                let opt = f.daemon.as_ref().ok().and_then(|d| d.security_options.iter().find(|o| o.starts_with("name=seccomp")).cloned());
                let v = Verdict::info(match f.config.get("seccomp-profile") {
                    Some(s) => format!("seccomp profile {}", s.display()),
                    None => "the default seccomp profile is used".to_string(),
                });
                let v = v.with_setting(&f.config, "seccomp-profile", json!("default"));
                match opt {
                    Some(o) => v.with(o, "GET /info (SecurityOptions)"),
                    None => v,
                }
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Checks that experimental features are off.\n\n## Why\nExperimental features are not stable and not meant for production.\n\n## Fix\nLeave `experimental` at `false`."]
    NoExperimental {
        id: "SW-HOST-2.18",
        name: "no-experimental",
        title: "Ensure that experimental features are not implemented in production",
        area: Host,
        group: "daemon",
        severity: Low,
        remediation: "Remove `\"experimental\": true` / `--experimental`.",
        refs: [Cis("2.18")],
        extra: HostCheck {
            level: Level::L1,
            automated: true,
            object: "daemon:experimental",
            check: |f| bool_setting(f, "experimental", false, true, "experimental features are enabled"),
        },
    }
}
