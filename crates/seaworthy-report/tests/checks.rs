#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use common::{crate_dir, schema_errors};
use seaworthy_core::{
    Area, CheckResult, CrossRef, Evidence, Level, Location, Peer, RuleMeta, Severity, Status,
};
use seaworthy_report::checks::{CheckFormat, CheckReport, render_checks};
use serde_json::Value;

static ICC: RuleMeta = RuleMeta {
    id: "SW-HOST-2.2",
    name: "icc-disabled",
    title: "Ensure network traffic is restricted between containers on the default bridge",
    area: Area::Host,
    group: "daemon",
    severity: Severity::Medium,
    remediation: "Set \"icc\": false in /etc/docker/daemon.json.",
    refs: &[CrossRef {
        peer: Peer::Cis,
        id: "2.2",
    }],
    docs: " Containers on the default bridge can talk to each other.\n",
};

static SOCKET: RuleMeta = RuleMeta {
    id: "SW-HOST-3.16",
    name: "docker-sock-mode",
    title: "Ensure that the Docker socket file permissions are set to 660 or more restrictively",
    area: Area::Host,
    group: "files",
    severity: Severity::High,
    remediation: "chmod 660 /var/run/docker.sock",
    refs: &[CrossRef {
        peer: Peer::Cis,
        id: "3.16",
    }],
    docs: " The socket grants root.\n",
};

fn host(object: &str) -> Location {
    Location::Host {
        host: "localhost".into(),
        object: object.into(),
    }
}

fn check(
    meta: &RuleMeta,
    cis: &str,
    status: Status,
    message: &str,
    ev: &[(&str, &str)],
) -> CheckResult {
    CheckResult {
        rule_id: meta.id.replace(meta.refs[0].id, cis),
        cis_id: cis.into(),
        title: meta.title.into(),
        level: Level::L1,
        automated: status != Status::Info,
        status,
        severity: meta.severity,
        message: message.into(),
        evidence: ev.iter().map(|(v, s)| Evidence::new(*v, *s)).collect(),
        remediation: meta.remediation.into(),
        location: host(&format!("cis:{cis}")),
    }
}

fn results() -> Vec<CheckResult> {
    vec![
        check(
            &SOCKET,
            "3.16",
            Status::Warn,
            "the socket is world-writable",
            &[("mode 0666 owner 0:999", "/var/run/docker.sock")],
        ),
        check(
            &ICC,
            "2.2",
            Status::Warn,
            "icc is enabled on the default bridge",
            &[("icc=true", "default"), ("icc=true", "GET /info")],
        ),
        check(&ICC, "2.10", Status::Pass, "cgroup-parent not set", &[]),
        check(
            &ICC,
            "7.1",
            Status::NotApplicable,
            "swarm is inactive",
            &[("LocalNodeState=inactive", "GET /info")],
        ),
        check(
            &ICC,
            "1.2.2",
            Status::Info,
            "server version 20.10.24",
            &[("20.10.24", "GET /version")],
        ),
    ]
}

const RULES: &[&RuleMeta] = &[&ICC, &SOCKET];

fn render(
    results: &[CheckResult],
    format: CheckFormat,
    fail_on: Option<Severity>,
    color: bool,
) -> String {
    let notes = vec!["daemon reached at unix:///var/run/docker.sock".to_string()];
    let report = CheckReport {
        area: Area::Host,
        target: "localhost",
        results,
        fail_on,
        tool_version: "0.1.0",
        notes: &notes,
        rules: RULES,
        vulnerabilities: &[],
    };
    render_checks(&report, format, color)
}

#[test]
fn table_groups_by_section_in_cis_order() {
    let out = render(&results(), CheckFormat::Table, None, false);
    insta::assert_snapshot!(out);
    assert!(!out.contains('\u{1b}'), "no colors unless asked");
    let pos = |s: &str| out.find(s).unwrap();
    assert!(pos("1 Host Configuration") < pos("2 Docker daemon configuration"));
    assert!(pos("  2.2 ") < pos("  2.10"));
    let colored = render(&results(), CheckFormat::Table, Some(Severity::High), true);
    assert!(colored.contains('\u{1b}'));
}

#[test]
fn table_shows_the_subject_when_there_are_several() {
    let mut rs = results();
    rs[0].location = Location::Container {
        container: "web".into(),
        image: None,
        field: Some("HostConfig.Privileged".into()),
    };
    let out = render(&rs, CheckFormat::Table, None, false);
    assert!(out.contains("[web] "), "{out}");
}

#[test]
fn json_is_versioned_and_counts() {
    let out = render(&results(), CheckFormat::Json, Some(Severity::High), false);
    insta::assert_snapshot!(out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["summary"]["warn"], 2);
    assert_eq!(v["passed"], false, "a high warning gates at fail-on high");
    let ids: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cis_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1.2.2", "2.2", "2.10", "3.16", "7.1"]);
    let report_only: Value =
        serde_json::from_str(&render(&results(), CheckFormat::Json, None, false)).unwrap();
    assert_eq!(report_only["passed"], true);
    assert!(report_only.get("fail_on").is_none());
}

#[test]
fn sarif_reports_warnings_at_logical_locations_and_validates() {
    let out = render(&results(), CheckFormat::Sarif, None, false);
    insta::assert_snapshot!(out);
    let v: Value = serde_json::from_str(&out).unwrap();
    let schema = crate_dir().join("testdata/sarif-schema-2.1.0.json");
    let errors = schema_errors(&schema, &v);
    assert!(errors.is_empty(), "{errors:#?}");
    let problems = seaworthy_report::sarif_upload::github_upload_problems(&v);
    assert!(problems.is_empty(), "{problems:#?}");
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "only warnings are results");
    for r in results {
        let loc = &r["locations"][0]["logicalLocations"][0];
        assert!(
            loc["fullyQualifiedName"]
                .as_str()
                .unwrap()
                .starts_with("localhost/")
        );
        // A stand-in physical location, as GitHub code scanning requires one.
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with("etc/") || uri.starts_with("docker/"),
            "{uri}"
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        if let Some(i) = r["ruleIndex"].as_u64() {
            assert_eq!(rules[i as usize]["id"], r["ruleId"]);
        }
    }
    let refs = &run["tool"]["driver"]["rules"][0]["properties"]["references"];
    assert_eq!(refs[0], "cis-docker-1.6.0:2.2");
    // The validation has teeth.
    let mut bad = v.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert_eq!(schema_errors(&schema, &bad).len(), 1);
}

#[test]
fn junit_fails_only_when_gating() {
    let report_only = render(&results(), CheckFormat::Junit, None, false);
    let parsed = quick_junit::Report::deserialize_from_str(&report_only).unwrap();
    assert_eq!(parsed.failures, 0, "without --fail-on nothing fails");
    assert_eq!(parsed.tests, 5);
    assert!(
        report_only.contains("<skipped"),
        "not applicable is skipped"
    );
    let gating = render(
        &results(),
        CheckFormat::Junit,
        Some(Severity::Medium),
        false,
    );
    insta::assert_snapshot!(gating);
    let parsed = quick_junit::Report::deserialize_from_str(&gating).unwrap();
    assert_eq!(parsed.failures, 2);
    let high = render(&results(), CheckFormat::Junit, Some(Severity::High), false);
    assert_eq!(
        quick_junit::Report::deserialize_from_str(&high)
            .unwrap()
            .failures,
        1
    );
}

#[test]
fn formats_parse() {
    assert_eq!("SARIF".parse::<CheckFormat>(), Ok(CheckFormat::Sarif));
    assert_eq!("github".parse::<CheckFormat>(), Ok(CheckFormat::Github));
    assert!("html".parse::<CheckFormat>().is_err());
}

#[test]
fn github_annotates_warnings_and_errors_only_when_gating() {
    let report_only = render(&results(), CheckFormat::Github, None, false);
    assert!(!report_only.is_empty());
    assert!(
        report_only.lines().all(|l| l.starts_with("::")),
        "{report_only}"
    );
    assert!(!report_only.contains("::error"), "{report_only}");
    let gating = render(
        &results(),
        CheckFormat::Github,
        Some(Severity::Medium),
        false,
    );
    assert!(gating.contains("::error"), "{gating}");
    insta::assert_snapshot!(gating);
}
