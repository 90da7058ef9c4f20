//! Every container rule: documented for `docker run` and compose, with cases that warn and cases
//! that do not, a snapshot of what its warning cases report, and the registry matching CIS 1.6.0
//! section 5 check for check; and the rules beyond CIS (`SW-CTR-<TOPIC>-nnn`) held to the same.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::fmt::Write as _;

use seaworthy_container::rules::{run_non_cis, run_rule};
use seaworthy_container::{
    ContainerRule, NON_CIS_REGISTRY, NonCisRule, REGISTRY, case, check, findings,
};
use seaworthy_core::rule::testing::RegistryCheck;
use seaworthy_core::{CheckResult, Finding, Level, Status};

fn result_of(case_text: &str, rule: &dyn ContainerRule) -> CheckResult {
    let (spec, ctx) =
        case::parse(case_text).unwrap_or_else(|e| panic!("{}: {e}\n{case_text}", rule.meta().id));
    run_rule(rule, &spec, &ctx)
}

/// Section 5 of the CIS list: (id, title, automated, level).
fn cis_section5() -> Vec<(String, String, bool, String)> {
    include_str!("../testdata/cis-section5.tsv")
        .lines()
        .filter(|l| l.starts_with("5\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[2].to_string(),
                f[3].to_string(),
                f[4] == "Automated",
                f[6].to_string(),
            )
        })
        .collect()
}

#[test]
fn the_registry_is_cis_section_5() {
    let cis = cis_section5();
    assert_eq!(cis.len(), 32);
    assert_eq!(REGISTRY.len(), cis.len());
    for (rule, (id, title, automated, level)) in REGISTRY.iter().zip(&cis) {
        let c = rule.extra();
        assert_eq!(rule.cis_id(), id, "{title}");
        assert_eq!(rule.meta().id, format!("SW-CTR-{id}"));
        // 5.23 is automated in CIS but needs exec sessions, which only running containers have.
        assert_eq!(c.automated, *automated, "{id} {title}");
        let want = if level.starts_with("L2") {
            Level::L2
        } else {
            Level::L1
        };
        assert_eq!(c.level, want, "{id}");
    }
}

/// Manual checks only report facts; 5.1 (swarm) is a host fact. Every other check fires.
fn reports_facts_only(rule: &dyn ContainerRule) -> bool {
    !rule.extra().automated || rule.cis_id() == "5.1"
}

#[test]
fn every_rule_passes_the_meta_test() {
    RegistryCheck::new(&REGISTRY)
        .sections(&["## Why", "## Fix", "## Example"])
        .cases(|rule, case| result_of(case, rule).status == Status::Warn)
        .fire_optional(reports_facts_only)
        .run();
}

#[test]
fn every_rule_has_docker_and_compose_examples() {
    for rule in REGISTRY.iter() {
        let m = rule.meta();
        assert!(
            m.docs.contains("docker run") || m.docs.contains("docker exec"),
            "{} has no docker example",
            m.id
        );
        assert!(
            m.docs.contains("services:"),
            "{} has no compose example",
            m.id
        );
        if !reports_facts_only(rule) {
            assert!(
                rule.fire_cases().iter().any(|c| c.starts_with("services:"))
                    || rule.cis_id() == "5.7"
                    || rule.cis_id() == "5.23",
                "{} has no compose firing case",
                m.id
            );
        }
    }
}

#[test]
fn warnings_carry_evidence_and_manual_checks_report_facts() {
    for rule in REGISTRY.iter() {
        let id = rule.meta().id;
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let r = result_of(c, rule);
            assert!(!r.evidence.is_empty(), "{id} fire case {i} has no evidence");
        }
        if !rule.extra().automated {
            for c in rule.quiet_cases() {
                let r = result_of(c, rule);
                assert!(
                    matches!(r.status, Status::Info | Status::NotApplicable),
                    "{id}: manual checks report facts: {r:#?}"
                );
            }
        }
    }
}

#[test]
fn one_result_per_check_in_cis_order() {
    let (spec, ctx) = case::parse("docker run --privileged alpine").unwrap();
    let results = check(&spec, &ctx);
    let ids: Vec<&str> = results.iter().map(|r| r.cis_id.as_str()).collect();
    let want: Vec<String> = cis_section5().into_iter().map(|c| c.0).collect();
    assert_eq!(ids, want);
    let swarm = &results[0];
    assert_eq!(swarm.status, Status::NotApplicable);
}

#[test]
fn snapshots_of_firing_cases() {
    for rule in REGISTRY.iter() {
        let mut out = String::new();
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let r = result_of(c, rule);
            let _ = writeln!(out, "# case {i}");
            let _ = writeln!(
                out,
                "{} {} {} {}",
                r.status.as_str(),
                r.severity,
                r.rule_id,
                r.message
            );
            let _ = writeln!(out, "  at {}", r.location.display());
            for e in &r.evidence {
                let _ = writeln!(out, "  evidence {} ({})", e.value, e.source);
            }
        }
        if out.is_empty() {
            continue;
        }
        insta::assert_snapshot!(rule.meta().id, out);
    }
}

fn finding_of(case_text: &str, rule: &dyn NonCisRule) -> Option<Finding> {
    let (spec, ctx) =
        case::parse(case_text).unwrap_or_else(|e| panic!("{}: {e}\n{case_text}", rule.meta().id));
    run_non_cis(rule, &spec, &ctx)
}

fn non_cis(id: &str) -> &'static dyn NonCisRule {
    NON_CIS_REGISTRY.get(id).expect(id)
}

#[test]
fn the_rules_beyond_cis_pass_the_meta_test() {
    RegistryCheck::new(&NON_CIS_REGISTRY)
        .sections(&["## Why", "## Fix", "## Example"])
        .cases(|rule, case| finding_of(case, rule).is_some())
        .run();
    for rule in NON_CIS_REGISTRY.iter() {
        let m = rule.meta();
        assert!(
            m.refs.iter().all(|r| r.peer != seaworthy_core::Peer::Cis),
            "{}",
            m.id
        );
        assert!(
            !m.id.starts_with("SW-CTR-5.") && REGISTRY.get(m.id).is_none(),
            "{}: not a CIS id",
            m.id
        );
        assert!(m.docs.contains("docker run") && m.docs.contains("services:"));
        assert!(
            rule.fire_cases().iter().any(|c| c.starts_with("services:")),
            "{} has no compose firing case",
            m.id
        );
    }
}

#[test]
fn snapshots_of_the_rules_beyond_cis() {
    for rule in NON_CIS_REGISTRY.iter() {
        let mut out = String::new();
        for (i, c) in rule.fire_cases().iter().enumerate() {
            let f = finding_of(c, rule).unwrap();
            let _ = writeln!(out, "# case {i}");
            let _ = writeln!(out, "{} {} {}", f.severity, f.rule_id, f.message);
            let _ = writeln!(out, "  at {}", f.location.display());
            let _ = writeln!(out, "  evidence {}", f.evidence.unwrap_or_default());
            let _ = writeln!(out, "  see {}", f.references.join(", "));
        }
        insta::assert_snapshot!(rule.meta().id, out);
    }
}

/// Issue 19 item 14: root is an explicit `--user 0`/`user: root`, or a running container's
/// empty user; a compose service or command line without one leaves it to the image (info).
#[test]
fn root_user_explicit_before_deploy_merged_at_runtime() {
    let rule = non_cis("SW-CTR-USER-001");
    let f = finding_of("docker run -d --user 0 alpine", rule).unwrap();
    assert_eq!(f.severity, seaworthy_core::Severity::Medium);
    assert_eq!(f.location.display(), "docker run --user");
    assert_eq!(
        f.evidence.as_deref(),
        Some("--user 0 (command line argument 4)")
    );
    let f = finding_of(
        "services:\n  web:\n    image: nginx\n    user: \"0\"\n",
        rule,
    )
    .unwrap();
    assert_eq!(f.location.display(), "compose.yaml:4:5");
    let (spec, ctx) = case::parse("services:\n  web:\n    image: nginx\n").unwrap();
    let v = seaworthy_container::rules::Check::check(rule, &spec, &ctx);
    assert_eq!(v.status, Status::Info, "{v:?}");
    assert!(v.message.contains("image's USER"), "{}", v.message);
    // Interpolated to nothing: the image decides, as compose does.
    assert!(
        finding_of(
            "services:\n  web:\n    image: nginx\n    user: ${NOPE_UID_H3}\n",
            rule
        )
        .is_none()
    );

    let running = |user: Option<&str>| {
        let (mut spec, ctx) = case::parse("docker run alpine").unwrap();
        spec.subject = seaworthy_container::Subject::Running {
            id: "c0ffee".into(),
            name: "web-1".into(),
            image: "alpine".into(),
            image_id: "sha256:00".into(),
        };
        spec.user = user.map(|u| {
            seaworthy_container::Set::new(
                u.to_string(),
                seaworthy_container::Field::named("Config.User"),
            )
        });
        run_non_cis(rule, &spec, &ctx)
    };
    let f = running(None).expect("an empty Config.User is root");
    assert_eq!(f.location.display(), "web-1 Config.User");
    assert_eq!(
        f.evidence.as_deref(),
        Some("Config.User not set (docker inspect web-1)")
    );
    assert!(running(Some("root:root")).is_some());
    assert!(running(Some("1000")).is_none());
}

const AWS_KEY: &str = "AKIAZ7QWERTYUIOPASDF";

/// Issue 19 item 14: compose `environment:` in both forms and `docker run -e`, each secret at
/// its own line or argument, its value masked; interpolated and passed-through values are not
/// secrets.
#[test]
fn env_secrets_are_located_and_masked() {
    let rule = non_cis("SW-CTR-SECRET-001");
    let compose = format!(
        "services:\n  app:\n    image: app\n    environment:\n      PLAIN: hello\n      AWS_ACCESS_KEY_ID: {AWS_KEY}\n      DB_PASSWORD: \"hunter2-prod\"\n      API_TOKEN: ${{API_TOKEN}}\n      CACHE_SECRET: $$ecret-literal\n"
    );
    let f = finding_of(&compose, rule).unwrap();
    assert_eq!(f.location.display(), "compose.yaml:6:7");
    assert_eq!(
        f.evidence.as_deref(),
        Some(
            "services.app.environment.AWS_ACCESS_KEY_ID: AKIA**** (compose.yaml line 6); \
             services.app.environment.DB_PASSWORD: hunt**** (compose.yaml line 7); \
             services.app.environment.CACHE_SECRET: $ecr**** (compose.yaml line 9)"
        )
    );
    assert!(
        f.message
            .starts_with("3 environment variables hold secrets in plain text: "),
        "{}",
        f.message
    );
    assert!(f.message.contains("AWS access key id"), "{}", f.message);
    // The worst secret decides: the catalog rates an AWS key critical.
    assert_eq!(f.severity, seaworthy_core::Severity::Critical);

    let list = "services:\n  app:\n    image: app\n    environment:\n      - A=1\n      - DB_PASSWORD=hunter2-prod\n      - TOKEN\n      - SECRET_KEY=${SECRET_KEY}\n";
    let f = finding_of(list, rule).unwrap();
    assert_eq!(f.location.display(), "compose.yaml:6:9");
    assert_eq!(
        f.message,
        "`DB_PASSWORD` holds a secret in plain text (secret-named variable)"
    );

    let line = format!("docker run -e A=1 --env AWS_ACCESS_KEY_ID={AWS_KEY} -e DB_PASSWORD alpine");
    let f = finding_of(&line, rule).unwrap();
    assert_eq!(f.location.display(), "docker run --env");
    assert_eq!(
        f.evidence.as_deref(),
        Some("--env AWS_ACCESS_KEY_ID=AKIA**** (command line argument 5)")
    );

    for f in [finding_of(&compose, rule), finding_of(&line, rule)]
        .into_iter()
        .flatten()
    {
        let json = serde_json::to_string(&f).unwrap();
        for secret in [AWS_KEY, "hunter2-prod", "ecret-literal"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }
}

/// The compose text that code frames show has each secret masked where it is written, columns
/// kept; other lines are untouched.
#[test]
fn compose_text_for_code_frames_is_redacted() {
    let text = "services:\n  app:\n    image: app\n    environment:\n      DB_PASSWORD: \"hunter2-prod\"   # prod\n      GITHUB_TOKEN: ghp_4kR9vQ2mZp8LrT1wN7bYcX5sJ3hD6fG0aE2u\n    command: [\"serve\"]\n";
    let specs =
        seaworthy_container::compose::parse("compose.yaml", text, &Default::default()).unwrap();
    let shown = seaworthy_container::compose::redact(text, &specs);
    let want = format!(
        "services:\n  app:\n    image: app\n    environment:\n      DB_PASSWORD: \"hunt********\"   # prod\n      GITHUB_TOKEN: ghp_{}\n    command: [\"serve\"]\n",
        "*".repeat(36)
    );
    assert_eq!(shown, want);
    // Flow style: the value ends where the collection says, the line stays readable.
    let text = "services:\n  app: {image: app, environment: {DB_PASSWORD: hunter2-prod, A: b}}\n";
    let specs =
        seaworthy_container::compose::parse("compose.yaml", text, &Default::default()).unwrap();
    assert_eq!(
        seaworthy_container::compose::redact(text, &specs),
        "services:\n  app: {image: app, environment: {DB_PASSWORD: hunt********, A: b}}\n"
    );
    assert!(
        findings(&specs[0], &Default::default())
            .iter()
            .any(|f| f.rule_id == "SW-CTR-SECRET-001")
    );
}

#[test]
fn no_orphan_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name
            .strip_prefix("rules__")
            .and_then(|n| n.strip_suffix(".snap"))
        {
            assert!(
                REGISTRY.iter().any(|r| r.meta().id == id)
                    || NON_CIS_REGISTRY.iter().any(|r| r.meta().id == id),
                "orphan snapshot {name}"
            );
        }
    }
}

/// The AppArmor rule fires on `--privileged` too; its help then says to drop `--privileged`,
/// not to remove an `apparmor=unconfined` that was never given (issue 19 item 10).
#[test]
fn apparmor_help_names_the_setting_that_fired() {
    let rule = REGISTRY
        .iter()
        .find(|r| r.meta().id == "SW-CTR-5.2")
        .expect("SW-CTR-5.2");
    let privileged = result_of("docker run --privileged alpine", rule);
    assert!(
        privileged.remediation.contains("Remove `--privileged`")
            && !privileged.remediation.contains("apparmor=unconfined"),
        "{}",
        privileged.remediation
    );
    let unconfined = result_of("docker run --security-opt apparmor=unconfined alpine", rule);
    assert!(
        unconfined.remediation.contains("apparmor=unconfined"),
        "{}",
        unconfined.remediation
    );
}
