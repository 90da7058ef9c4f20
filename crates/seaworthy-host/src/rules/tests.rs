//! Rule tests on fixture host roots written into a temp dir (daemon.json variants, systemd units
//! and drop-ins, modes and owners, a fake `proc/` with dockerd's command line and sockets).

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::collections::BTreeSet;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::PathBuf;

use seaworthy_core::{CheckResult, Level, Status};

use seaworthy_core::rule::testing::RegistryCheck;

use super::{HostFacts, REGISTRY, run};
use seaworthy_engine::facts::{DaemonFacts, SwarmFacts};

use crate::gather::gather;
use crate::root::HostRoot;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        f.write("etc/group", "root:x:0:\ndocker:x:999:alice,bob\n");
        f.write("proc/1/mounts", "/dev/sda1 / ext4 rw 0 0\n");
        f
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
    fn chmod(&self, rel: &str, mode: u32) -> &Self {
        std::fs::set_permissions(self.path(rel), std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }
    /// A dockerd process with this command line.
    fn dockerd(&self, pid: u32, args: &[&str]) -> &Self {
        self.write(&format!("proc/{pid}/comm"), "dockerd\n");
        let mut cmd = String::from("/usr/bin/dockerd\0");
        for a in args {
            cmd.push_str(a);
            cmd.push('\0');
        }
        self.write(&format!("proc/{pid}/cmdline"), &cmd);
        self.write(
            &format!("proc/{pid}/status"),
            "Name:\tdockerd\nUid:\t0\t0\t0\t0\n",
        );
        self
    }
    fn facts(&self, daemon: Option<DaemonFacts>) -> HostFacts {
        let root = HostRoot::new(self.dir.path());
        let mut facts = gather(&root, None, "testhost");
        if let Some(d) = daemon {
            // As if reached: reload the config with what the daemon reports.
            let dockerd = crate::config::find_dockerd(&root);
            facts.config = crate::config::load(&root, dockerd.as_ref(), Some(&d));
            facts.daemon = Ok(d);
        }
        facts
    }
}

fn check(facts: &HostFacts, cis: &str) -> CheckResult {
    REGISTRY
        .iter()
        .find(|r| r.cis_id() == cis)
        .unwrap_or_else(|| panic!("no rule {cis}"))
        .run(facts)
}

fn status(facts: &HostFacts, cis: &str) -> Status {
    check(facts, cis).status
}

fn daemon() -> DaemonFacts {
    DaemonFacts {
        server_version: "27.0.1".into(),
        storage_driver: "overlay2".into(),
        logging_driver: "json-file".into(),
        docker_root_dir: "/var/lib/docker".into(),
        swarm: SwarmFacts {
            state: "inactive".into(),
            ..SwarmFacts::default()
        },
        ..DaemonFacts::default()
    }
}

#[test]
fn every_automated_cis_check_of_sections_1_2_3_6_7_has_a_rule() {
    let tsv = include_str!("../../data/cis-docker-1.6.0-host.tsv");
    let mut seen = BTreeSet::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (id, title, assessment, level) = (f[0], f[1], f[2], f[3]);
        let rule = REGISTRY.iter().find(|r| r.cis_id() == id);
        let automated = matches!(assessment, "Automated" | "Scored");
        let rule = rule.unwrap_or_else(|| panic!("CIS {id} has no rule"));
        assert_eq!(rule.meta().title, title, "{id}");
        assert_eq!(rule.extra().automated, automated, "{id}");
        let want = if level == "L2" { Level::L2 } else { Level::L1 };
        assert_eq!(rule.extra().level, want, "{id} level {level}");
        seen.insert(id);
    }
    assert_eq!(seen.len(), REGISTRY.len(), "a rule without a CIS row");
    assert!(seen.len() >= 70);
}

#[test]
fn every_rule_passes_the_meta_test() {
    RegistryCheck::new(&REGISTRY).run();
}

#[test]
fn every_id_is_its_cis_id() {
    for r in REGISTRY.iter() {
        assert_eq!(r.meta().id, format!("SW-HOST-{}", r.cis_id()));
        assert_eq!(r.meta().cross_ref(seaworthy_core::Peer::Cis).count(), 1);
    }
}

#[test]
fn levels_select_profiles() {
    let f = Fixture::new().facts(Some(daemon()));
    let l1 = run(&f, Level::L1);
    let l2 = run(&f, Level::L2);
    assert!(l1.iter().all(|r| r.level == Level::L1));
    assert_eq!(l2.len(), REGISTRY.len());
    assert!(l1.len() < l2.len());
}

#[test]
fn settings_only_in_daemon_json_count() {
    // docker-bench-security only greps the process list: these would all be missed there.
    let fx = Fixture::new();
    fx.write(
        "etc/docker/daemon.json",
        r#"{"icc": false, "userland-proxy": false, "live-restore": true, "no-new-privileges": true,
            "log-driver": "syslog", "log-opts": {"syslog-address": "tcp://logs:514"},
            "userns-remap": "default", "authorization-plugins": ["opa"], "log-level": "info"}"#,
    );
    let f = fx.facts(None);
    for cis in ["2.2", "2.3", "2.9", "2.12", "2.13", "2.14", "2.15", "2.16"] {
        assert_eq!(status(&f, cis), Status::Pass, "{cis}: {:?}", check(&f, cis));
    }
    let icc = check(&f, "2.2");
    assert_eq!(icc.evidence[0].value, "icc=false");
    assert_eq!(icc.evidence[0].source, "/etc/docker/daemon.json key icc");
    let logging = check(&f, "2.13");
    assert!(
        logging
            .evidence
            .iter()
            .any(|e| e.value.contains("syslog-address")),
        "{logging:?}"
    );
}

#[test]
fn defaults_warn_and_say_so() {
    let f = Fixture::new().facts(None);
    for cis in ["2.2", "2.14", "2.16"] {
        let r = check(&f, cis);
        assert_eq!(r.status, Status::Warn, "{cis}");
        assert_eq!(r.evidence[0].source, "default", "{cis}");
    }
    assert_eq!(status(&f, "2.4"), Status::Pass, "iptables defaults to true");
    assert_eq!(
        status(&f, "2.3"),
        Status::Pass,
        "log-level defaults to info"
    );
}

#[test]
fn icc_reported_by_the_daemon_wins() {
    let fx = Fixture::new();
    let mut d = daemon();
    d.bridge_options.insert(
        "com.docker.network.bridge.enable_icc".into(),
        "false".into(),
    );
    let f = fx.facts(Some(d));
    let r = check(&f, "2.2");
    assert_eq!(r.status, Status::Pass);
    assert!(r.evidence[0].source.starts_with("GET /networks/bridge"));
}

#[test]
fn command_line_flags_in_both_forms() {
    let fx = Fixture::new();
    fx.dockerd(
        4242,
        &[
            "-H",
            "fd://",
            "--icc=false",
            "--log-level",
            "debug",
            "--log-opt",
            "max-size=10m",
            "--insecure-registry=registry.local:5000",
            "--experimental",
            "--storage-opt",
            "dm.basesize=50G",
        ],
    );
    let f = fx.facts(None);
    assert_eq!(f.dockerd_pid, Some(4242));
    let icc = check(&f, "2.2");
    assert_eq!(icc.status, Status::Pass);
    assert_eq!(icc.evidence[0].source, "dockerd command line (pid 4242)");
    assert_eq!(status(&f, "2.3"), Status::Warn);
    assert_eq!(status(&f, "2.5"), Status::Warn);
    assert_eq!(status(&f, "2.18"), Status::Warn);
    assert_eq!(status(&f, "2.11"), Status::Warn);
    assert!(check(&f, "2.5").message.contains("registry.local:5000"));
}

#[test]
fn systemd_unit_drop_ins_and_docker_opts() {
    let fx = Fixture::new();
    fx.write(
        "lib/systemd/system/docker.service",
        "[Service]\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/bin/dockerd -H fd:// $DOCKER_OPTS\n",
    )
    .write(
        "etc/systemd/system/docker.service.d/override.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --userland-proxy=false $DOCKER_OPTS\n",
    )
    .write("etc/default/docker", "DOCKER_OPTS=\"--icc=false --live-restore\"\n");
    let f = fx.facts(None);
    let proxy = check(&f, "2.16");
    assert_eq!(proxy.status, Status::Pass, "{proxy:?}");
    assert_eq!(
        proxy.evidence[0].source,
        "/etc/systemd/system/docker.service.d/override.conf ExecStart"
    );
    let icc = check(&f, "2.2");
    assert_eq!(icc.status, Status::Pass);
    assert!(
        icc.evidence
            .iter()
            .any(|e| e.source == "/etc/default/docker DOCKER_OPTS")
    );
    assert_eq!(status(&f, "2.15"), Status::Pass);
}

#[test]
fn file_modes_and_owners() {
    let fx = Fixture::new();
    fx.write("lib/systemd/system/docker.service", "[Service]\n")
        .chmod("lib/systemd/system/docker.service", 0o644)
        .write("etc/docker/daemon.json", "{}")
        .chmod("etc/docker/daemon.json", 0o666)
        .chmod("etc/docker", 0o755)
        .write("etc/docker/certs.d/reg:5000/ca.crt", "x")
        .chmod("etc/docker/certs.d/reg:5000/ca.crt", 0o644);
    let f = fx.facts(None);
    assert_eq!(status(&f, "3.2"), Status::Pass);
    assert_eq!(status(&f, "3.6"), Status::Pass);
    let json = check(&f, "3.18");
    assert_eq!(json.status, Status::Warn);
    assert!(json.message.contains("0666"), "{}", json.message);
    let certs = check(&f, "3.8");
    assert_eq!(certs.status, Status::Warn, "444 or stricter");
    assert!(
        certs.evidence[0]
            .source
            .ends_with("certs.d/reg:5000/ca.crt")
    );
    // Absent files are not applicable.
    for cis in ["3.3", "3.4", "3.9", "3.14", "3.15", "3.20", "3.21", "3.24"] {
        assert_eq!(status(&f, cis), Status::NotApplicable, "{cis}");
    }
    // Owners: chown needs root.
    let owned = std::os::unix::fs::chown(fx.path("etc/docker/daemon.json"), Some(1000), Some(1000));
    if owned.is_ok() {
        let f = fx.facts(None);
        let r = check(&f, "3.17");
        assert_eq!(r.status, Status::Warn);
        assert!(r.message.contains("1000:1000"));
        assert_eq!(status(&f, "3.1"), Status::Pass);
    }
}

#[test]
fn docker_socket_owner_may_be_the_docker_group() {
    let fx = Fixture::new();
    fx.write("var/run/docker.sock", "")
        .chmod("var/run/docker.sock", 0o660);
    if std::os::unix::fs::chown(fx.path("var/run/docker.sock"), Some(0), Some(999)).is_ok() {
        let f = fx.facts(None);
        assert_eq!(status(&f, "3.15"), Status::Pass);
        assert_eq!(status(&f, "3.16"), Status::Pass);
    }
    fx.chmod("var/run/docker.sock", 0o666);
    assert_eq!(status(&fx.facts(None), "3.16"), Status::Warn);
}

#[test]
fn partition_and_container_detection() {
    let fx = Fixture::new();
    let f = fx.facts(None);
    assert_eq!(status(&f, "1.1.1"), Status::Warn, "data root on /");
    fx.write(
        "proc/1/mounts",
        "/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /var/lib/docker xfs rw 0 0\n",
    );
    let r = check(&fx.facts(None), "1.1.1");
    assert_eq!(r.status, Status::Pass);
    assert!(r.evidence.iter().any(|e| e.value.contains("/dev/sdb1")));
    let mut in_ctr = fx.facts(None);
    in_ctr.files.in_container = Some("/.dockerenv exists".into());
    assert_eq!(status(&in_ctr, "1.1.1"), Status::NotApplicable);
}

#[test]
fn docker_group_members_are_listed() {
    let f = Fixture::new().facts(None);
    let r = check(&f, "1.1.2");
    assert_eq!(r.status, Status::Info);
    assert!(r.evidence[0].value.contains("alice,bob"));
}

#[test]
fn audit_rules() {
    let fx = Fixture::new();
    fx.write("usr/bin/dockerd", "")
        .write("etc/docker/daemon.json", "{}");
    assert_eq!(status(&fx.facts(None), "1.1.3"), Status::Warn);
    fx.write(
        "etc/audit/rules.d/docker.rules",
        "-w /usr/bin/dockerd -k docker\n-w /etc/docker -k docker\n",
    );
    let f = fx.facts(None);
    assert_eq!(status(&f, "1.1.3"), Status::Pass);
    assert_eq!(
        status(&f, "1.1.11"),
        Status::Pass,
        "a watched directory covers daemon.json"
    );
    assert_eq!(status(&f, "1.1.18"), Status::NotApplicable, "runc absent");
}

#[test]
fn a_tcp_listener_of_dockerd_without_tls_is_critical() {
    let fx = Fixture::new();
    fx.dockerd(77, &["-H", "tcp://0.0.0.0:2375"]);
    fx.write(
        "proc/1/net/tcp",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1\n",
    );
    std::fs::create_dir_all(fx.path("proc/77/fd")).unwrap();
    symlink("socket:[5555]", fx.path("proc/77/fd/3")).unwrap();
    let f = fx.facts(None);
    let r = check(&f, "2.7");
    assert_eq!(r.status, Status::Warn);
    assert_eq!(r.severity, seaworthy_core::Severity::Critical);
    assert!(
        r.evidence
            .iter()
            .any(|e| e.value == "dockerd listens on 0.0.0.0:2375"),
        "{r:?}"
    );
    // Not applicable on a unix socket only.
    let plain = Fixture::new().facts(None);
    assert_eq!(status(&plain, "2.7"), Status::NotApplicable);
}

#[test]
fn swarm_checks_follow_the_swarm_state() {
    let fx = Fixture::new();
    let f = fx.facts(Some(daemon()));
    for cis in ["7.1", "7.2", "7.3", "7.5"] {
        assert_eq!(status(&f, cis), Status::NotApplicable, "{cis}");
    }
    let mut d = daemon();
    d.swarm = SwarmFacts {
        state: "active".into(),
        control_available: true,
        managers: Some(2),
        nodes: Some(3),
        autolock: Some(false),
        overlay_networks: vec![
            seaworthy_engine::facts::OverlayNetwork {
                name: "ingress".into(),
                encrypted: false,
                ingress: true,
            },
            seaworthy_engine::facts::OverlayNetwork {
                name: "backend".into(),
                encrypted: false,
                ingress: false,
            },
        ],
        ..SwarmFacts::default()
    };
    let f = fx.facts(Some(d));
    assert_eq!(status(&f, "7.1"), Status::Warn, "two managers");
    assert_eq!(status(&f, "7.3"), Status::Warn);
    assert!(check(&f, "7.3").message.contains("backend"));
    assert_eq!(status(&f, "7.5"), Status::Warn);
    assert_eq!(
        status(&f, "2.15"),
        Status::NotApplicable,
        "live restore and swarm"
    );
    assert_eq!(status(&f, "7.4"), Status::Info);
}

#[test]
fn unreachable_daemon_makes_daemon_checks_info() {
    let f = Fixture::new().facts(None);
    for cis in ["1.2.2", "6.1", "7.1"] {
        let r = check(&f, cis);
        assert_eq!(r.status, Status::Info, "{cis}");
        assert!(r.message.starts_with("daemon not reachable"), "{cis}");
    }
}

#[test]
fn broken_daemon_json_is_a_problem_naming_the_file() {
    let fx = Fixture::new();
    fx.write("etc/docker/daemon.json", "{\"icc\": ");
    let f = fx.facts(None);
    assert!(f.config.problems[0].starts_with("/etc/docker/daemon.json: not valid JSON"));
}
