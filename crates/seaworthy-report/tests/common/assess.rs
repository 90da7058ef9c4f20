//! A hand-built assessment shared by the assess renderer tests: all four areas (the Dockerfile
//! area reuses the findings report fixture), vulnerabilities from the base image and from a RUN
//! line, a waived and a VEX-cleared match, host checks of every verdict in report mode, an
//! expired and an unused waiver, and a baseline with new, unchanged and resolved items. The image
//! area gates on CISA KEV and EPSS too; one of its vulnerabilities is in KEV with an EPSS score,
//! one has only a score, and one is unrated (`unknown`).

use seaworthy_core::{
    CheckResult, DockerfileLine, Evidence, Finding, Level, Location, Origin, Severity, Status,
    Suppression,
};
use seaworthy_report::assess::{
    AreaKind, AreaReport, Assessment, BaselineSummary, Change, EpssScore, Item, ItemKind, KevEntry,
    LayerCount, Mode, ResolvedItem, Totals, VulnDetail, WaiverNote, WaiverSummary,
};

const IMAGE: &str = "registry.example.com/shop/api:1.4.2";

fn item(finding: Finding, fingerprint: &str, change: Change) -> Item {
    Item {
        kind: ItemKind::Finding,
        finding,
        fingerprint: fingerprint.to_string(),
        change: Some(change),
        from_base: false,
        gating: false,
        vulnerability: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn vuln(
    id: &str,
    severity: Severity,
    package: &str,
    version: &str,
    fixed: Option<&str>,
    layer: u32,
    line: (u32, &str),
    change: Change,
) -> Item {
    let base = line.1 == "FROM";
    let fix = fixed.map_or_else(
        || format!("No fixed version of {package} yet"),
        |v| format!("Upgrade {package} to {v} or later"),
    );
    Item {
        kind: ItemKind::Vulnerability,
        finding: Finding {
            rule_id: id.to_string(),
            severity,
            title: format!("{id} in {package}"),
            message: format!("{package} {version} is vulnerable to {id}"),
            location: Location::Image {
                image: IMAGE.to_string(),
                path: Some("var/lib/dpkg/status".to_string()),
            },
            evidence: Some(format!("{package} {version}")),
            remediation: fix.clone(),
            references: Vec::new(),
            suppressed: None,
            origin: Some(Origin {
                layer: Some(layer),
                layer_digest: Some(format!("sha256:{layer:064x}")),
                step: None,
                created_by: None,
                dockerfile: Some(DockerfileLine {
                    path: "Dockerfile".to_string(),
                    line: line.0,
                    instruction: line.1.to_string(),
                    base_image: base.then(|| "debian:bookworm-slim".to_string()),
                }),
                fix: Some(fix),
            }),
        },
        fingerprint: format!("{id}:{:016x}", u64::from(layer) * 7919),
        change: Some(change),
        from_base: base,
        gating: false,
        vulnerability: Some(VulnDetail {
            package: package.to_string(),
            version: version.to_string(),
            ecosystem: "deb".to_string(),
            purl: format!("pkg:deb/debian/{package}@{version}?distro=debian-12"),
            fixed_version: fixed.map(str::to_string),
            status: if fixed.is_some() { "fixed" } else { "unfixed" }.to_string(),
            cvss: (severity != Severity::Unknown).then_some(9.8),
            severity_source: if severity == Severity::Unknown {
                "unrated"
            } else {
                "debian-tracker urgency"
            }
            .to_string(),
            kev: None,
            epss: None,
            cwes: Vec::new(),
        }),
    }
}

fn check(cis: &str, title: &str, status: Status, severity: Severity, message: &str) -> CheckResult {
    CheckResult {
        rule_id: format!("SW-HOST-{cis}"),
        cis_id: cis.to_string(),
        title: title.to_string(),
        level: Level::L1,
        automated: true,
        status,
        severity,
        message: message.to_string(),
        evidence: vec![Evidence::new("icc=true", "GET /info")],
        remediation: "Set the option in /etc/docker/daemon.json and restart the daemon."
            .to_string(),
        location: Location::Host {
            host: "ci-runner-7".to_string(),
            object: format!("daemon:{cis}"),
        },
    }
}

fn waiver(kind: &str, source: &str, reason: &str, expires: Option<&str>) -> Suppression {
    Suppression {
        kind: kind.to_string(),
        source: Some(source.to_string()),
        reason: Some(reason.to_string()),
        expires: expires.map(str::to_string),
    }
}

pub fn assessment() -> Assessment {
    // Dockerfile: the findings fixture, every item unchanged except the secret.
    let report = super::report();
    let mut dockerfile = AreaReport::new(AreaKind::Dockerfile, Mode::Gate, Severity::High);
    dockerfile.targets = report.inputs.clone();
    dockerfile.errors = report.errors.clone();
    dockerfile.errors.clear();
    dockerfile.duration_ms = 4;
    for (n, f) in report.findings.iter().enumerate() {
        let change = if f.rule_id == "SW-DF-031" {
            Change::New
        } else {
            Change::Unchanged
        };
        dockerfile
            .items
            .push(item(f.clone(), &format!("{}:{n:016x}", f.rule_id), change));
    }

    let mut image = AreaReport::new(AreaKind::Image, Mode::Gate, Severity::High);
    image.targets = vec![IMAGE.to_string()];
    image.duration_ms = 412;
    image.fail_on_kev = true;
    image.fail_on_epss = Some(0.5);
    let mut exploited = vuln(
        "CVE-2024-45491",
        Severity::Critical,
        "libexpat1",
        "2.5.0-1",
        Some("2.5.0-1+deb12u1"),
        1,
        (2, "RUN"),
        Change::New,
    );
    if let Some(v) = &mut exploited.vulnerability {
        v.severity_source = "cvss 3.1 (nvd)".to_string();
        v.kev = Some(KevEntry {
            date_added: "2025-01-15".to_string(),
            due_date: "2025-02-05".to_string(),
            ransomware: false,
            name: Some("libexpat Integer Overflow Vulnerability".to_string()),
        });
        v.epss = Some(EpssScore {
            score: 0.62,
            percentile: 0.98,
        });
        v.cwes = vec!["CWE-190".to_string()];
    }
    let mut scored = vuln(
        "CVE-2024-2236",
        Severity::Medium,
        "libgcrypt20",
        "1.10.1-3",
        None,
        0,
        (1, "FROM"),
        Change::Unchanged,
    );
    if let Some(v) = &mut scored.vulnerability {
        v.epss = Some(EpssScore {
            score: 0.0004,
            percentile: 0.09,
        });
    }
    image.items = vec![
        exploited,
        vuln(
            "CVE-2023-45853",
            Severity::Critical,
            "zlib1g",
            "1:1.2.13.dfsg-1",
            None,
            0,
            (1, "FROM"),
            Change::Unchanged,
        ),
        scored,
        vuln(
            "CVE-2026-0042",
            Severity::Unknown,
            "curl",
            "7.88.1-10+deb12u5",
            None,
            1,
            (2, "RUN"),
            Change::Unchanged,
        ),
    ];
    let mut waived = vuln(
        "CVE-2023-4039",
        Severity::High,
        "libgcc-s1",
        "12.2.0-14",
        None,
        0,
        (1, "FROM"),
        Change::Unchanged,
    );
    waived.finding.suppressed = Some(waiver(
        "waiver",
        "seaworthy.toml:14",
        "only affects -fstack-protector on AArch64",
        Some("2027-03-31"),
    ));
    image.items.push(waived);
    let mut cleared = vuln(
        "CVE-2022-27943",
        Severity::Low,
        "libstdc++6",
        "12.2.0-14",
        None,
        1,
        (2, "RUN"),
        Change::Unchanged,
    );
    cleared.finding.suppressed = Some(waiver(
        "vex",
        "app.vex.json",
        "vulnerable_code_not_in_execute_path",
        None,
    ));
    image.items.push(cleared);
    let mut root = item(
        Finding {
            rule_id: "SW-IMG-001".to_string(),
            severity: Severity::High,
            title: "Image runs as root".to_string(),
            message: "the image config sets no USER: processes run as root".to_string(),
            location: Location::Image {
                image: IMAGE.to_string(),
                path: None,
            },
            evidence: Some("User: \"\"".to_string()),
            remediation: "Add `USER 10001` after the last RUN.".to_string(),
            references: vec![
                "cis-docker-1.6.0:4.1".to_string(),
                "dockle:CIS-DI-0001".to_string(),
            ],
            suppressed: None,
            origin: None,
        },
        "SW-IMG-001:00000000000000aa",
        Change::Unchanged,
    );
    root.kind = ItemKind::Finding;
    image.items.push(root);
    image.layers = vec![
        LayerCount {
            image: IMAGE.to_string(),
            layer: 0,
            created_by: Some("# debian.sh --arch 'amd64' out/ 'bookworm'".to_string()),
            from_base: true,
            critical: 1,
            high: 0,
            medium: 1,
            low: 0,
            info: 0,
            unknown: 0,
        },
        LayerCount {
            image: IMAGE.to_string(),
            layer: 1,
            created_by: Some("RUN apt-get update && apt-get install -y curl".to_string()),
            from_base: false,
            critical: 1,
            high: 0,
            medium: 0,
            low: 0,
            info: 0,
            unknown: 1,
        },
        LayerCount {
            image: IMAGE.to_string(),
            layer: 2,
            created_by: Some("COPY . /app".to_string()),
            from_base: false,
            critical: 0,
            high: 0,
            medium: 0,
            low: 0,
            info: 0,
            unknown: 0,
        },
    ];

    let mut container = AreaReport::new(AreaKind::Container, Mode::Gate, Severity::High);
    container.targets = vec!["compose.yaml".to_string(), "shop-api-1".to_string()];
    container.duration_ms = 57;
    container.items.push(item(
        Finding {
            rule_id: "SW-CTR-5.5".to_string(),
            severity: Severity::Critical,
            title: "Privileged container".to_string(),
            message: "service `api` runs privileged".to_string(),
            location: Location::File {
                path: "compose.yaml".to_string(),
                span: seaworthy_core::Span {
                    start: seaworthy_core::Position {
                        line: 5,
                        column: 5,
                        offset: 61,
                    },
                    end: seaworthy_core::Position {
                        line: 5,
                        column: 21,
                        offset: 77,
                    },
                },
            },
            evidence: Some("privileged: true".to_string()),
            remediation: "Remove `privileged: true` (docker run: drop --privileged).".to_string(),
            references: vec!["cis-docker-1.6.0:5.5".to_string()],
            suppressed: None,
            origin: None,
        },
        "SW-CTR-5.5:0000000000000c01",
        Change::Unchanged,
    ));
    container.items.push(item(
        Finding {
            rule_id: "SW-CTR-5.12".to_string(),
            severity: Severity::Medium,
            title: "Root filesystem is writable".to_string(),
            message: "container shop-api-1 mounts its root filesystem read-write".to_string(),
            location: Location::Container {
                container: "shop-api-1".to_string(),
                image: Some(IMAGE.to_string()),
                field: Some("HostConfig.ReadonlyRootfs".to_string()),
            },
            evidence: Some("HostConfig.ReadonlyRootfs=false".to_string()),
            remediation: "Run with --read-only (compose: read_only: true).".to_string(),
            references: vec!["cis-docker-1.6.0:5.12".to_string()],
            suppressed: None,
            origin: None,
        },
        "SW-CTR-5.12:0000000000000c02",
        Change::New,
    ));

    let mut host = AreaReport::new(AreaKind::Host, Mode::Report, Severity::High);
    host.targets = vec!["ci-runner-7".to_string()];
    host.duration_ms = 38;
    host.checks = vec![
        check(
            "2.2",
            "Ensure network traffic is restricted between containers on the default bridge",
            Status::Warn,
            Severity::High,
            "icc is enabled on the default bridge",
        ),
        check(
            "2.14",
            "Ensure live restore is enabled",
            Status::Pass,
            Severity::Low,
            "live-restore is true",
        ),
        check(
            "2.16",
            "Ensure Userland Proxy is Disabled",
            Status::Info,
            Severity::Low,
            "userland-proxy is enabled; decide whether hairpin NAT is available",
        ),
        check(
            "7.1",
            "Ensure that the minimum number of manager nodes have been created in a swarm",
            Status::NotApplicable,
            Severity::Medium,
            "swarm mode is not active",
        ),
    ];
    for (n, c) in host.checks.iter().enumerate() {
        if let Some(f) = c.to_finding() {
            host.items.push(item(
                f,
                &format!("{}:{n:016x}", c.rule_id),
                Change::Unchanged,
            ));
        }
    }
    host.notes = vec!["host OS packages not checked: no vulnerability database".to_string()];

    let mut a = Assessment {
        schema_version: seaworthy_report::assess::ASSESS_SCHEMA_VERSION.to_string(),
        kind: "assessment".to_string(),
        tool: "seaworthy".to_string(),
        version: "0.1.0".to_string(),
        created: "2026-11-29T12:00:00Z".to_string(),
        config: Some("seaworthy.toml".to_string()),
        passed: false,
        duration_ms: 431,
        summary: Totals::default(),
        baseline: Some(BaselineSummary {
            path: "previous.json".to_string(),
            fail_on_new: false,
            new: 0,
            unchanged: 0,
            resolved: vec![ResolvedItem {
                fingerprint: "CVE-2023-31484:00000000000004d2".to_string(),
                area: Some(AreaKind::Image),
                rule_id: "CVE-2023-31484".to_string(),
                title: Some("CVE-2023-31484 in perl-base".to_string()),
                severity: Some(Severity::High),
                location: Some(IMAGE.to_string()),
            }],
        }),
        waivers: WaiverSummary {
            expired: vec![WaiverNote {
                id: "SW-DF-003".to_string(),
                source: "seaworthy.toml:21".to_string(),
                reason: "base image pinned by the platform team's mirror".to_string(),
                expires: Some("2026-10-31".to_string()),
            }],
            expired_warnings: Vec::new(),
            unused: vec![WaiverNote {
                id: "CVE-2019-*".to_string(),
                source: ".trivyignore:4".to_string(),
                reason: "legacy scanner noise".to_string(),
                expires: None,
            }],
        },
        areas: vec![dockerfile, image, container, host],
    };
    for area in &mut a.areas {
        area.mark_gating(false, true);
    }
    a.finish();
    a
}
