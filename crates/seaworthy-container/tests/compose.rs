//! Compose files: every key at its line, variables, `.env`, merge keys, bounded input and
//! errors that name file and line.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use seaworthy_container::compose::{self, Env};
use seaworthy_container::{ContainerSpec, Context, MountKind, Subject, check};
use seaworthy_core::{Location, Status};

const FIXTURE: &str = include_str!("../testdata/compose/compose.yaml");

fn fixture(env: &Env) -> Vec<ContainerSpec> {
    compose::parse("compose.yaml", FIXTURE, env).unwrap()
}

fn line_of(f: &Option<seaworthy_container::Set<impl Sized>>) -> Option<u32> {
    f.as_ref().and_then(|s| s.at.line)
}

#[test]
fn every_key_carries_its_line() {
    let specs = fixture(&Env::from([("CGROUP".into(), "/custom".into())]));
    let names: Vec<_> = specs
        .iter()
        .map(|s| match &s.subject {
            Subject::Compose { service, line, .. } => (service.as_str(), *line),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(names, [("web", 9), ("api", 34), ("worker", 53)]);
    let web = &specs[0];
    assert_eq!(web.image, "nginx:1.27");
    assert_eq!(web.image_at.as_ref().unwrap().line, Some(10));
    assert_eq!(line_of(&web.privileged), Some(11));
    assert_eq!(
        web.privileged.as_ref().unwrap().at.name,
        "services.web.privileged"
    );
    let caps: Vec<_> = web
        .cap_add
        .iter()
        .map(|c| (c.value.as_str(), c.at.line))
        .collect();
    assert_eq!(caps, [("SYS_ADMIN", Some(13)), ("NET_RAW", Some(14))]);
    let mounts: Vec<_> = web
        .mounts
        .iter()
        .map(|m| (m.kind, m.source.as_str(), m.read_only, m.at.line))
        .collect();
    assert_eq!(
        mounts,
        [
            (MountKind::Bind, "/", false, Some(16)),
            (MountKind::Bind, "/var/run/docker.sock", true, Some(17)),
            (MountKind::Volume, "data", false, Some(21)),
        ]
    );
    let ports: Vec<_> = web
        .ports
        .iter()
        .map(|p| (p.host_ip.as_str(), p.host_port, p.container_port, p.at.line))
        .collect();
    assert_eq!(
        ports,
        [
            ("", Some(80), 80, Some(23)),
            ("127.0.0.1", Some(8443), 443, Some(24))
        ]
    );
    assert_eq!(line_of(&web.network_mode), Some(27));
    assert_eq!(line_of(&web.pid_mode), Some(28));
    assert_eq!(
        web.restart.as_ref().unwrap().value,
        ("always".to_string(), 0)
    );
    assert_eq!(web.devices[0].at.line, Some(31));
    assert_eq!(web.labels, [("app".to_string(), "web".to_string())]);

    let api = &specs[1];
    // Merged from the `x-hardening` anchor.
    assert_eq!(api.read_only_rootfs.as_ref().map(|r| r.value), Some(true));
    assert_eq!(api.cap_drop[0].value, "ALL");
    assert_eq!(api.security_opt[0].value, "no-new-privileges:true");
    assert_eq!(api.memory.as_ref().unwrap().value, 256 << 20);
    assert_eq!(line_of(&api.memory), Some(38));
    assert_eq!(api.nano_cpus.as_ref().unwrap().value, 500_000_000);
    assert_eq!(api.pids_limit.as_ref().unwrap().value, 100);
    assert_eq!(api.healthcheck.as_ref().map(|h| h.value), Some(true));
    assert_eq!(
        api.restart.as_ref().unwrap().value,
        ("on-failure".to_string(), 5)
    );
    assert_eq!(api.ulimits[0].value, "nofile=1024:2048");

    let worker = &specs[2];
    assert_eq!(worker.image, "build:./worker");
    assert_eq!(worker.memory.as_ref().unwrap().value, 1 << 30);
    assert_eq!(line_of(&worker.memory), Some(58));
    assert_eq!(
        worker.memory.as_ref().unwrap().at.name,
        "services.worker.deploy.resources.limits.memory"
    );
    assert_eq!(worker.nano_cpus.as_ref().unwrap().value, 2_000_000_000);
    assert_eq!(worker.pids_limit.as_ref().unwrap().value, 50);
    assert_eq!(worker.healthcheck.as_ref().map(|h| h.value), Some(false));
    assert_eq!(worker.cgroup_parent.as_ref().unwrap().value, "/custom");
}

#[test]
fn findings_point_at_the_offending_line() {
    let specs = fixture(&Env::new());
    let web = check(&specs[0], &Context::default());
    let at = |cis: &str| {
        let r = web.iter().find(|r| r.cis_id == cis).unwrap();
        assert_eq!(r.status, Status::Warn, "{cis}: {r:#?}");
        match &r.location {
            Location::File { path, span } => {
                assert_eq!(path, "compose.yaml");
                span.start.line
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(at("5.5"), 11);
    assert_eq!(at("5.4"), 13);
    assert_eq!(at("5.6"), 16);
    assert_eq!(at("5.32"), 17);
    assert_eq!(at("5.8"), 23);
    assert_eq!(at("5.14"), 23);
    assert_eq!(at("5.10"), 27);
    assert_eq!(at("5.16"), 28);
    assert_eq!(at("5.15"), 29);
    // Unset settings point at the service.
    assert_eq!(at("5.11"), 9);

    // The hardened service passes what it sets.
    let api = check(&specs[1], &Context::default());
    for r in &api {
        assert_ne!(r.status, Status::Warn, "api: {r:#?}");
    }
    let worker = check(&specs[2], &Context::default());
    let warned: Vec<&str> = worker
        .iter()
        .filter(|r| r.status == Status::Warn)
        .map(|r| r.cis_id.as_str())
        .collect();
    assert_eq!(warned, ["5.2", "5.13", "5.22", "5.26", "5.27"]);
}

#[test]
fn dotenv_next_to_the_file_and_the_environment() {
    let dir = std::env::temp_dir().join(format!("seaworthy-compose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), "SW_TEST_IMAGE_TAG=from-dotenv\n").unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  app:\n    image: app:${SW_TEST_IMAGE_TAG:-default}\n",
    )
    .unwrap();
    let specs = compose::load(&dir.join("compose.yaml")).unwrap();
    assert_eq!(specs[0].image, "app:from-dotenv");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn error(text: &str) -> String {
    compose::parse("bad.yaml", text, &Env::new())
        .unwrap_err()
        .to_string()
}

#[test]
fn errors_name_file_line_and_key() {
    let e = error("services:\n  web:\n    image: x\n    privileged: maybe\n");
    assert!(e.starts_with("bad.yaml:4:"), "{e}");
    assert!(e.contains("services.web.privileged"), "{e}");
    let e = error("services:\n  web:\n    image: x\n    mem_limit: lots\n");
    assert!(
        e.starts_with("bad.yaml:4:") && e.contains("mem_limit"),
        "{e}"
    );
    let e = error("services:\n  web:\n    image: x\n    ports: [\"1:2:3:4\"]\n");
    assert!(e.starts_with("bad.yaml:4:") && e.contains("ports"), "{e}");
    let e = error("services:\n  web:\n    image: x\n    cap_add: {a: b}\n");
    assert!(e.contains("expected a list"), "{e}");
    let e = error("services:\n  web:\n    privileged: true\n");
    assert!(e.contains("neither `image` nor `build`"), "{e}");
    assert!(error("version: '3'\n").contains("no `services`"));
    assert!(error("- a\n").contains("mapping"));
    let e = error("services:\n  web:\n    image: [unclosed\n");
    assert!(
        e.starts_with("bad.yaml:") && e.contains("invalid YAML"),
        "{e}"
    );
    let e = error("services:\n  web:\n    image: ${NEEDED:?set NEEDED}\n");
    assert!(e.contains("set NEEDED"), "{e}");
}

#[test]
fn hostile_yaml_is_refused_not_expanded() {
    // Billion laughs: nine levels of ten aliases each.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("services:\n  web:\n    image: x\n    labels: *a9\n");
    let started = std::time::Instant::now();
    assert!(compose::parse("bomb.yaml", &bomb, &Env::new()).is_err());
    assert!(started.elapsed().as_secs() < 5);

    let deep = format!(
        "services:\n  web:\n    image: x\n    labels: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(compose::parse("deep.yaml", &deep, &Env::new()).is_err());

    let big = "#".repeat(5 << 20);
    assert!(error(&big).contains("refused"));
}

/// `environment:` in both forms, each entry at its line, values as written: a variable
/// reference is not a value (what it holds is not in the file), `$$` is a `$`.
#[test]
fn environment_entries_as_written() {
    let text = "services:
  map:
    image: a
    environment:
      PLAIN: hello
      PORT: 8080
      FROM_CALLER:
      REF: ${SECRET:-fallback}
      DOLLARS: a$$b
  list:
    image: b
    environment:
      - PLAIN=hello=again
      - FROM_CALLER
      - REF=$SECRET
";
    let env = Env::from([("SECRET".into(), "from-dotenv".into())]);
    let specs = compose::parse("compose.yaml", text, &env).unwrap();
    let entries = |s: &ContainerSpec| -> Vec<(String, Option<String>, Option<u32>, String)> {
        s.env
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.value.clone(),
                    e.at.line,
                    e.at.name.clone(),
                )
            })
            .collect()
    };
    let e = |n: &str, v: Option<&str>, l: u32, f: &str| {
        (n.to_string(), v.map(str::to_string), Some(l), f.to_string())
    };
    assert_eq!(
        entries(&specs[0]),
        [
            e("PLAIN", Some("hello"), 5, "services.map.environment.PLAIN"),
            e("PORT", Some("8080"), 6, "services.map.environment.PORT"),
            e(
                "FROM_CALLER",
                None,
                7,
                "services.map.environment.FROM_CALLER"
            ),
            e("REF", None, 8, "services.map.environment.REF"),
            e(
                "DOLLARS",
                Some("a$b"),
                9,
                "services.map.environment.DOLLARS"
            ),
        ]
    );
    assert_eq!(
        entries(&specs[1]),
        [
            e(
                "PLAIN",
                Some("hello=again"),
                13,
                "services.list.environment.PLAIN"
            ),
            e(
                "FROM_CALLER",
                None,
                14,
                "services.list.environment.FROM_CALLER"
            ),
            e("REF", None, 15, "services.list.environment.REF"),
        ]
    );
    let bad = "services:\n  s:\n    image: a\n    environment:\n      A: {b: c}\n";
    let err = compose::parse("compose.yaml", bad, &Env::new()).unwrap_err();
    assert_eq!(err.line, Some(5), "{err}");
    assert!(err.message.contains("services.s.environment"), "{err}");
}
