//! Vulnerability report renderers on a hand-built scan of a Debian 12 image with a Go binary:
//! real package versions (bookworm minbase's apt and zlib1g, the libssl3/openssl of Debian 12.4
//! images, Go 1.21.5) and real advisories (CVE-2024-5535 and CVE-2024-0727 in OpenSSL, fixed
//! in bookworm point releases; CVE-2026-27171 in zlib, `<no-dsa> (Minor issue)` for bookworm;
//! CVE-2011-3374 in apt, `<unfixed> (unimportant)`; GO-2024-2687 / CVE-2023-45288 in the Go
//! standard library, fixed in 1.21.9). SARIF and CycloneDX output is validated against the
//! vendored official schemas.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{crate_dir, schema_errors};
use seaworthy_core::{DockerfileLine, Finding, Location, Origin, Scanner, Severity};
use seaworthy_inventory::purl::purl;
use seaworthy_inventory::{Ecosystem, Inventory, OsInfo, Package, PackageLocation, SourcePackage};
use seaworthy_oci::{Digest, HistoryEntry, ImageConfig, ImageInfo, LayerInfo};
use seaworthy_report::sbom::{SbomFormat, SbomInput, render_sbom};
use seaworthy_report::vulns::{VulnFormat, VulnReportInput, render_vulns};
use seaworthy_vulndb::matcher::Uncovered;
use seaworthy_vulndb::{
    CvssScore, DbSummary, EpssScore, KevEntry, LayerRef, MatchStatus, MatchedPackage, RiskGate,
    SortOrder, VulnMatch,
};
use serde_json::Value;

const CREATED: &str = "2025-01-02T03:04:05Z";
const TOOL_VERSION: &str = "0.1.0";
const REFERENCE: &str = "registry.example.com/shop/api:1.4.2";

const BASE_LAYER: &str = "/bin/sh -c #(nop) ADD file:3d0d8b1e7c2ad8a1b3e5d9e6f0c4a7b2e1d3f5a6c8b9d0e1f2a3b4c5d6e7f809 in / ";
const APT_LAYER: &str = "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates openssl && rm -rf /var/lib/apt/lists/* # buildkit";
const COPY_LAYER: &str = "COPY /out/api /usr/local/bin/api # buildkit";

fn sha256(data: &str) -> Digest {
    Digest::sha256_of(data.as_bytes())
}

fn history(created_by: &str, empty_layer: bool) -> HistoryEntry {
    HistoryEntry {
        created: Some("2025-01-01T00:00:00Z".to_string()),
        created_by: Some(created_by.to_string()),
        comment: None,
        empty_layer,
    }
}

fn diff_id(layer: usize) -> Digest {
    sha256(&format!("layer {layer} tar"))
}

fn image() -> ImageInfo {
    let config = ImageConfig {
        os: "linux".to_string(),
        architecture: "amd64".to_string(),
        variant: None,
        diff_ids: (0..3).map(diff_id).collect(),
        history: vec![
            history(BASE_LAYER, false),
            history("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            history(APT_LAYER, false),
            history(COPY_LAYER, false),
        ],
        raw: Value::Null,
    };
    let layers = (0..3)
        .map(|i| LayerInfo {
            digest: Some(sha256(&format!("layer {i} blob"))),
            diff_id: None,
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
            size: Some(1000 * (i + 1)),
            history: None,
        })
        .collect();
    let mut info = ImageInfo {
        reference: REFERENCE.to_string(),
        source: "registry",
        manifest_digest: Some(sha256("manifest")),
        config_digest: Some(sha256("config")),
        repo_tags: vec![],
        config,
        layers,
    };
    info.link_layers();
    info
}

fn debian() -> OsInfo {
    OsInfo {
        id: "debian".to_string(),
        version_id: "12".to_string(),
        version_codename: Some("bookworm".to_string()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_string()),
        id_like: vec![],
    }
}

fn deb_purl(name: &str, version: &str, arch: &str) -> String {
    purl(
        "deb",
        Some("debian"),
        name,
        version,
        &[("arch", arch), ("distro", "debian-12")],
    )
}

fn deb(name: &str, version: &str, source: Option<&str>, layer: usize) -> Package {
    let arch = "amd64";
    let mut p = Package::new(
        "dpkg",
        Ecosystem::Deb,
        name,
        version,
        deb_purl(name, version, arch),
    );
    p.arch = Some(arch.to_string());
    p.source = source.map(|s| SourcePackage {
        name: s.to_string(),
        version: version.to_string(),
    });
    p.locations = vec![PackageLocation {
        path: "/var/lib/dpkg/status".to_string(),
        layer,
    }];
    p
}

fn stdlib() -> Package {
    let mut p = Package::new(
        "go-binary",
        Ecosystem::Golang,
        "stdlib",
        "1.21.5",
        purl("golang", None, "stdlib", "1.21.5", &[]),
    );
    p.locations = vec![PackageLocation {
        path: "/usr/local/bin/api".to_string(),
        layer: 2,
    }];
    p
}

fn inventory() -> Inventory {
    Inventory {
        os: Some(debian()),
        packages: vec![
            deb("apt", "2.6.1", None, 0),
            deb("libc6", "2.36-9+deb12u14", Some("glibc"), 0),
            deb("zlib1g", "1:1.2.13.dfsg-1", Some("zlib"), 0),
            deb("libssl3", "3.0.11-1~deb12u2", Some("openssl"), 1),
            deb("openssl", "3.0.11-1~deb12u2", None, 1),
            stdlib(),
        ],
        errors: vec![],
        skipped: vec![],
    }
}

/// The matched package as the matcher describes it (layer index and diff_id from the image).
fn matched(p: &Package, matched_as: Option<(&str, &str)>) -> MatchedPackage {
    let location = &p.locations[0];
    let created_by = [BASE_LAYER, APT_LAYER, COPY_LAYER][location.layer];
    MatchedPackage {
        name: p.name.clone(),
        version: p.version.clone(),
        ecosystem: p.ecosystem.to_string(),
        purl: p.purl.clone(),
        matched_as: matched_as.map(|(n, v)| (n.to_string(), v.to_string())),
        path: location.path.clone(),
        layer: Some(LayerRef {
            index: location.layer,
            diff_id: diff_id(location.layer).to_string(),
            created_by: Some(created_by.to_string()),
        }),
    }
}

fn nvd(version: &str, vector: &str, score: f64, severity: Severity) -> CvssScore {
    CvssScore {
        version: version.to_string(),
        vector: vector.to_string(),
        score,
        severity,
        source: "nvd".to_string(),
    }
}

fn package(name: &str) -> Package {
    inventory()
        .packages
        .into_iter()
        .find(|p| p.name == name)
        .unwrap()
}

fn openssl_5535(name: &str) -> VulnMatch {
    VulnMatch {
        related: Vec::new(),
        id: "CVE-2024-5535".to_string(),
        aliases: vec![],
        package: matched(&package(name), Some(("openssl", "3.0.11-1~deb12u2"))),
        status: MatchStatus::Fixed,
        fixed_version: Some("3.0.14-1~deb12u1".to_string()),
        severity: Severity::Critical,
        severity_source: "cvss 3.1 (nvd)".to_string(),
        cvss: vec![nvd(
            "3.1",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H",
            9.1,
            Severity::Critical,
        )],
        title: Some("SSL_select_next_proto buffer overread".to_string()),
        sources: vec!["debian-tracker".to_string()],
        references: vec![
            "https://security-tracker.debian.org/tracker/CVE-2024-5535".to_string(),
            "https://www.openssl.org/news/secadv/20240627.txt".to_string(),
        ],
        notes: vec![],
        cwes: vec![],
        kev: None,
        epss: None,
        origin: None,
    }
}

/// Every match, in report order (`VulnMatch::sort_key`).
fn matches() -> Vec<VulnMatch> {
    let mut all = vec![
        openssl_5535("libssl3"),
        openssl_5535("openssl"),
        VulnMatch {
            related: Vec::new(),
            id: "CVE-2023-45288".to_string(),
            aliases: vec!["GHSA-4v7x-pqxf-cx7m".to_string(), "GO-2024-2687".to_string()],
            package: matched(&stdlib(), None),
            status: MatchStatus::Fixed,
            fixed_version: Some("1.21.9".to_string()),
            severity: Severity::High,
            severity_source: "cvss 3.1 (nvd)".to_string(),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                7.5,
                Severity::High,
            )],
            title: Some("HTTP/2 CONTINUATION flood in net/http".to_string()),
            sources: vec!["osv".to_string()],
            references: vec![
                "https://pkg.go.dev/vuln/GO-2024-2687".to_string(),
                "https://go.dev/issue/65051".to_string(),
                "https://go.dev/cl/576155".to_string(),
            ],
            notes: vec![],
            cwes: vec![],
            kev: None,
            epss: None,
            origin: None,
        },
        VulnMatch {
            related: Vec::new(),
            id: "CVE-2024-0727".to_string(),
            aliases: vec![],
            package: matched(
                &package("libssl3"),
                Some(("openssl", "3.0.11-1~deb12u2")),
            ),
            status: MatchStatus::Fixed,
            fixed_version: Some("3.0.13-1~deb12u1".to_string()),
            severity: Severity::Medium,
            severity_source: "cvss 3.1 (nvd)".to_string(),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
                5.5,
                Severity::Medium,
            )],
            title: Some("PKCS12 Decoding crashes".to_string()),
            sources: vec!["debian-tracker".to_string()],
            references: vec![
                "https://security-tracker.debian.org/tracker/CVE-2024-0727".to_string(),
            ],
            notes: vec![],
            cwes: vec![],
            kev: None,
            epss: None,
            origin: None,
        },
        VulnMatch {
            related: Vec::new(),
            id: "CVE-2026-27171".to_string(),
            aliases: vec![],
            package: matched(&package("zlib1g"), Some(("zlib", "1:1.2.13.dfsg-1"))),
            status: MatchStatus::NoDsa,
            fixed_version: None,
            severity: Severity::Unknown,
            severity_source: "unrated".to_string(),
            cvss: vec![],
            title: Some(
                "zlib before 1.3.2 allows CPU consumption via crc32_combine64 and crc32 ..."
                    .to_string(),
            ),
            sources: vec!["debian-tracker".to_string()],
            references: vec!["https://github.com/madler/zlib/issues/904".to_string()],
            notes: vec!["no-dsa: Minor issue".to_string()],
            cwes: vec![],
            kev: None,
            epss: None,
            origin: None,
        },
        VulnMatch {
            related: Vec::new(),
            id: "CVE-2011-3374".to_string(),
            aliases: vec![],
            package: matched(&package("apt"), Some(("apt", "2.6.1"))),
            status: MatchStatus::Unfixed,
            fixed_version: None,
            severity: Severity::Info,
            severity_source: "debian urgency".to_string(),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
                3.7,
                Severity::Low,
            )],
            title: Some(
                "It was found that apt-key in apt, all versions, do not correctly validate gpg keys with the master keyring, leading to a potential man-in-the-middle attack."
                    .to_string(),
            ),
            sources: vec!["debian-tracker".to_string()],
            references: vec!["https://bugs.debian.org/642480".to_string()],
            notes: vec!["unimportant".to_string()],
            cwes: vec![],
            kev: None,
            epss: None,
            origin: None,
        },
    ];
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    all
}

fn db() -> DbSummary {
    DbSummary {
        schema_version: 1,
        built: "2025-01-01T06:00:00Z".to_string(),
        sources: vec!["debian-tracker".to_string(), "osv".to_string()],
    }
}

/// Two image-rule findings: one traced to its Dockerfile line, one to a layer only.
fn image_findings() -> Vec<Finding> {
    let at = |path: Option<&str>| Location::Image {
        image: "registry.example/app:1.0".to_string(),
        path: path.map(str::to_string),
    };
    vec![
        Finding {
            rule_id: "SW-IMG-001".into(),
            severity: Severity::High,
            title: "Image runs as root".into(),
            message: "the image sets no user, so its processes run as root".into(),
            location: at(None),
            evidence: None,
            remediation:
                "Create an unprivileged user and end the final stage with USER <user or UID>."
                    .into(),
            references: vec!["cis-docker-1.6.0:4.1".into()],
            suppressed: None,
            origin: None,
        },
        Finding {
            rule_id: "SW-IMG-011".into(),
            severity: Severity::Low,
            title: "Package manager cache left in the image".into(),
            message: "/var/lib/apt/lists holds apt package lists: 9 files, 18012 KiB".into(),
            location: at(Some("var/lib/apt/lists")),
            evidence: None,
            remediation: "Remove package caches in the RUN that created them.".into(),
            references: Vec::new(),
            suppressed: None,
            origin: Some(Origin {
                layer: Some(1),
                layer_digest: Some(diff_id(1).to_string()),
                step: Some(2),
                created_by: Some("RUN apt-get update && apt-get install -y curl".into()),
                dockerfile: Some(DockerfileLine {
                    path: "Dockerfile".into(),
                    line: 3,
                    instruction: "RUN".into(),
                    base_image: None,
                }),
                fix: None,
            }),
        },
    ]
}

struct Scan {
    image: ImageInfo,
    inventory: Inventory,
    matches: Vec<VulnMatch>,
    db: DbSummary,
    ignored_unfixed: usize,
    uncovered: Vec<Uncovered>,
    findings: Vec<Finding>,
    fail_on: Option<Severity>,
    scanner_fail_on: BTreeMap<Scanner, Option<Severity>>,
    risk: RiskGate,
    sort: SortOrder,
}

impl Scan {
    fn new() -> Scan {
        Scan {
            image: image(),
            inventory: inventory(),
            matches: matches(),
            db: db(),
            ignored_unfixed: 0,
            uncovered: Vec::new(),
            findings: image_findings(),
            fail_on: Some(Severity::High),
            risk: RiskGate::default(),
            sort: SortOrder::default(),
            scanner_fail_on: BTreeMap::new(),
        }
    }

    fn render(&self, format: VulnFormat, color: bool) -> String {
        let input = VulnReportInput {
            image: &self.image,
            inventory: &self.inventory,
            matches: &self.matches,
            db: &self.db,
            ignored_unfixed: self.ignored_unfixed,
            uncovered: &self.uncovered,
            waived: &[],
            expired_waivers: &[],
            findings: &self.findings,
            ignored_base: 0,
            fail_on: self.fail_on,
            scanner_fail_on: &self.scanner_fail_on,
            scanners: &Scanner::ALL,
            risk: self.risk,
            sort: self.sort,
            tool_version: TOOL_VERSION,
            created: CREATED,
        };
        render_vulns(&input, format, color)
    }

    fn json(&self, format: VulnFormat) -> Value {
        let text = self.render(format, false);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
    }
}

fn testdata(path: &str) -> PathBuf {
    crate_dir().join("testdata").join(path)
}

fn load_schema(path: &str) -> Value {
    let text = std::fs::read_to_string(testdata(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The CycloneDX 1.6 schema, offline: the two schemas it references are registered under the
/// URIs its `$ref`s resolve to (as in the SBOM tests).
fn cyclonedx_errors(doc: &Value) -> Vec<String> {
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.schema.json",
            load_schema("cyclonedx-1.6/spdx.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            load_schema("cyclonedx-1.6/jsf-0.82.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .offline()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&load_schema("cyclonedx-1.6/bom-1.6.schema.json"))
        .unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The SARIF 2.1.0 schema's complaints, then GitHub code scanning's upload rules'.
fn sarif_errors(doc: &Value) -> Vec<String> {
    let mut errors = schema_errors(&testdata("sarif-schema-2.1.0.json"), doc);
    errors.extend(seaworthy_report::sarif_upload::github_upload_problems(doc));
    errors
}

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(Scan::new().render(VulnFormat::Table, false));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(Scan::new().render(VulnFormat::Json, false));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(Scan::new().render(VulnFormat::Junit, false));
}

#[test]
fn github_snapshot() {
    let log = Scan::new().render(VulnFormat::Github, false);
    assert!(log.lines().all(|l| l.starts_with("::")), "{log}");
    insta::assert_snapshot!(log);
}

#[test]
fn table_summary_and_rows() {
    let table = Scan::new().render(VulnFormat::Table, false);
    assert!(table.contains("Image     registry.example.com/shop/api:1.4.2\n"));
    assert!(table.contains("OS        Debian GNU/Linux 12 (bookworm)\n"));
    assert!(table.contains("Packages  6 scanned\n"));
    assert!(table.contains("Database  built 2025-01-01T06:00:00Z from debian-tracker, osv\n"));
    assert!(table.contains(
        "6 vulnerabilities in 5 packages: 2 critical, 1 high, 1 medium, 0 low, 1 info, 1 unknown\n"
    ));
    // Unrated is said plainly, with whether it gates.
    assert!(table.contains(
        "1 vulnerability of unknown severity (no source rates it): not gating unless \
         --unknown-severity gives it one\n"
    ));
    assert!(table.contains("4 with a fix, 1 unfixed, 1 no-dsa\n"));
    assert!(table.contains("CVE-2023-45288 +2 aliases"));
    assert!(table.contains("libssl3 (openssl)"));
    assert!(table.contains("(no-dsa)"));
    assert!(table.contains("(unfixed)"));
    // Layer index, short diff_id and the command without the shell around it.
    let short = diff_id(2).short().to_string();
    assert!(
        table.contains(&format!("2 {short} COPY /out/api /usr/local/bin/api")),
        "{table}"
    );
    assert!(table.contains(
        "FAILED (fail-on: high): 3 vulnerabilities and 1 image finding at or above high"
    ));
    // Long titles and commands are cut, so no line carries the whole apt-key sentence.
    assert!(table.contains("It was found that apt-key"));
    assert!(!table.contains("man-in-the-middle attack."));
    assert!(table.lines().all(|l| l == l.trim_end()), "trailing blanks");
    // Rows in report order: critical first, the two CVE-2024-5535 rows by package name.
    let rows: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("SEVERITY"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 6);
    let starts =
        |row: &str, severity: &str, id: &str| row.split_whitespace().take(2).eq([severity, id]);
    assert!(starts(rows[0], "critical", "CVE-2024-5535") && rows[0].contains("libssl3"));
    assert!(starts(rows[1], "critical", "CVE-2024-5535") && rows[1].contains("openssl "));
    assert!(starts(rows[4], "info", "CVE-2011-3374"));
    assert!(starts(rows[5], "unknown", "CVE-2026-27171"));
}

#[test]
fn table_without_matches_says_so() {
    let mut scan = Scan::new();
    scan.matches.clear();
    scan.findings.clear();
    scan.ignored_unfixed = 2;
    let table = scan.render(VulnFormat::Table, false);
    assert!(
        table.contains("No known vulnerabilities in 6 packages.\n"),
        "{table}"
    );
    assert!(table.contains("2 vulnerabilities without a fix not shown (--ignore-unfixed)"));
    assert!(table.contains("PASSED (fail-on: high)"));
    assert!(!table.contains("SEVERITY"));
    scan.fail_on = None;
    let table = scan.render(VulnFormat::Table, false);
    assert!(!table.contains("PASSED"), "{table}");
}

#[test]
fn no_color_means_no_escape_bytes() {
    let mut scan = Scan::new();
    scan.matches[0].title = Some("evil\u{1b}[31m title\u{1b}]8;;http://x\u{7}".to_string());
    scan.image.reference = "evil\u{1b}[2J/ref".to_string();
    for format in [
        VulnFormat::Table,
        VulnFormat::Json,
        VulnFormat::Sarif,
        VulnFormat::Cyclonedx,
    ] {
        let out = scan.render(format, false);
        assert!(!out.contains('\u{1b}'), "{format:?}:\n{out}");
    }
    let colored = scan.render(VulnFormat::Table, true);
    assert!(colored.contains("\u{1b}["), "colors when asked");
    assert!(!colored.contains("evil\u{1b}"), "input escapes neutralised");
}

/// Issue 19 item 2: a scanner's own threshold replaces `--fail-on` for what it finds.
#[test]
fn per_scanner_thresholds_gate_each_scanner_apart() {
    let mut scan = Scan::new();
    // Configuration rules report only; vulnerabilities gate at critical.
    scan.scanner_fail_on.insert(Scanner::Config, None);
    scan.scanner_fail_on
        .insert(Scanner::Vuln, Some(Severity::Critical));
    let doc = scan.json(VulnFormat::Json);
    let summary = &doc["summary"];
    // The two critical vulnerabilities; not the high one, not the high root-user finding.
    assert_eq!(summary["failing"], 2);
    assert_eq!(summary["scanner_fail_on"]["config"], Value::Null);
    assert_eq!(summary["scanner_fail_on"]["vuln"], "critical");
    assert_eq!(summary["scanners"][3], "trust");
    let table = scan.render(VulnFormat::Table, false);
    assert!(
        table.contains(
            "FAILED (fail-on: high; vuln: critical, config: none): 2 vulnerabilities at or above their threshold"
        ),
        "{table}"
    );
    // Vulnerabilities report only too: nothing gates, the image passes.
    scan.scanner_fail_on.insert(Scanner::Vuln, None);
    let doc = scan.json(VulnFormat::Json);
    assert_eq!(doc["summary"]["passed"], true);
    let junit = scan.render(VulnFormat::Junit, false);
    assert!(!junit.contains("<failure"), "{junit}");
}

/// CVE-2023-4911 in libc6, as CISA's KEV catalogue lists it (catalogue 2025.08.25: added
/// 2023-11-21, due 2023-12-12); the EPSS figures are this test's own.
fn looney_tunables() -> VulnMatch {
    let mut m = openssl_5535("libc6");
    m.id = "CVE-2023-4911".to_string();
    m.package.matched_as = Some(("glibc".to_string(), "2.36-9+deb12u1".to_string()));
    m.severity = Severity::High;
    m.title = Some("Looney Tunables: buffer overflow in ld.so".to_string());
    m.kev = Some(KevEntry {
        date_added: "2023-11-21".to_string(),
        due_date: "2023-12-12".to_string(),
        ransomware: false,
        name: Some("GNU C Library Buffer Overflow Vulnerability".to_string()),
    });
    m.epss = Some(EpssScore {
        score: 0.75,
        percentile: 0.99,
    });
    m
}

#[test]
fn kev_epss_and_unknown_severity_gate_as_asked() {
    let mut scan = Scan::new();
    scan.matches.push(looney_tunables());
    // At critical, the high KEV match and the unrated one pass.
    scan.fail_on = Some(Severity::Critical);
    scan.findings.clear();
    scan.matches.retain(|m| m.severity != Severity::Critical);
    assert!(scan.json(VulnFormat::Json)["summary"]["passed"] == true);
    // --fail-on-kev: the KEV match fails whatever its severity.
    scan.risk.kev = true;
    let doc = scan.json(VulnFormat::Json);
    assert_eq!(doc["summary"]["passed"], false);
    assert_eq!(doc["summary"]["failing"], 1);
    assert_eq!(doc["summary"]["kev"], 1);
    assert_eq!(doc["summary"]["fail_on_kev"], true);
    let kev = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2023-4911")
        .unwrap();
    assert_eq!(kev["kev"]["date_added"], "2023-11-21");
    assert_eq!(kev["kev"]["due_date"], "2023-12-12");
    assert_eq!(kev["epss"]["score"], 0.75);
    // --fail-on-epss: above the score passes, at it fails.
    scan.risk.kev = false;
    scan.risk.epss = Some(0.8);
    assert_eq!(scan.json(VulnFormat::Json)["summary"]["passed"], true);
    scan.risk.epss = Some(0.75);
    assert_eq!(scan.json(VulnFormat::Json)["summary"]["failing"], 1);
    // unknown-severity: the unrated zlib match counts as asked, and only then.
    scan.risk.epss = None;
    scan.fail_on = Some(Severity::Medium);
    let failing = |scan: &Scan| scan.json(VulnFormat::Json)["summary"]["failing"].clone();
    assert_eq!(failing(&scan), 3, "2 high + medium CVE-2024-0727");
    scan.risk.unknown_as = Some(Severity::High);
    assert_eq!(failing(&scan), 4);
    let table = scan.render(VulnFormat::Table, false);
    assert!(
        table.contains("(no source rates it): counted as high at the gate (--unknown-severity)"),
        "{table}"
    );
    assert!(
        table.contains("1 vulnerability in CISA's Known Exploited Vulnerabilities catalogue\n")
    );
    // Risk order puts the KEV match first, severity order puts it after nothing worse.
    let rows = |table: &str| -> Vec<String> {
        table
            .lines()
            .skip_while(|l| !l.starts_with("SEVERITY"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let risk = rows(&table);
    assert!(
        risk[0].starts_with("high      KEV EPSS 75%  CVE-2023-4911"),
        "{table}"
    );
    scan.sort = SortOrder::Package;
    let by_package = rows(&scan.render(VulnFormat::Table, false));
    assert!(by_package[0].contains(" apt "), "{by_package:?}");
    // SARIF and CycloneDX carry the same facts.
    let sarif = scan.json(VulnFormat::Sarif);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CVE-2023-4911")
        .unwrap()
        .clone();
    assert_eq!(result["properties"]["kev"]["date_added"], "2023-11-21");
    let bom = scan.json(VulnFormat::Cyclonedx);
    let vuln = bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2023-4911")
        .unwrap()
        .clone();
    let props: Vec<&str> = vuln["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(props.contains(&"seaworthy:kev-date-added") && props.contains(&"seaworthy:epss-score"));
}

#[test]
fn json_document() {
    let doc = Scan::new().json(VulnFormat::Json);
    assert_eq!(doc["schema_version"], "1.6.0");
    assert_eq!(doc["tool"]["name"], "seaworthy");
    assert_eq!(doc["image"]["os"]["version_codename"], "bookworm");
    assert_eq!(doc["database"]["built"], "2025-01-01T06:00:00Z");
    let summary = &doc["summary"];
    assert_eq!(summary["by_severity"]["critical"], 2);
    assert_eq!(summary["by_severity"]["low"], 0);
    assert_eq!(summary["by_status"]["no_dsa"], 1);
    assert_eq!(summary["by_status"]["end_of_life"], 0);
    assert_eq!(summary["packages"], 6);
    assert_eq!(summary["affected_packages"], 5);
    // 3 vulnerabilities and the root-user finding reach `high`.
    assert_eq!(summary["failing"], 4);
    assert_eq!(summary["findings"], 2);
    assert_eq!(doc["findings"][1]["origin"]["dockerfile"]["line"], 3);
    assert_eq!(summary["passed"], false);
    let statuses: Vec<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    for status in statuses {
        assert!(summary["by_status"].get(status).is_some(), "{status}");
    }
    assert_eq!(
        doc["matches"][2]["package"]["matched_as"],
        serde_json::json!(null),
        "stdlib has none"
    );
}

/// A distribution no loaded advisory covers is named in the table and the JSON summary: the
/// report never looks clean only because nothing was looked up.
#[test]
fn uncovered_distributions_are_named() {
    let mut scan = Scan::new();
    scan.uncovered = vec![Uncovered {
        os: "Wolfi (rolling)".into(),
        ecosystem: Some("wolfi".into()),
        packages: 4,
    }];
    let table = scan.render(VulnFormat::Table, false);
    assert!(
        table.contains(
            "Not checked: no advisories loaded for Wolfi (rolling): 4 packages not matched\n"
        ),
        "{table}"
    );
    let doc = scan.json(VulnFormat::Json);
    assert_eq!(
        doc["summary"]["uncovered"],
        serde_json::json!([{"os": "Wolfi (rolling)", "ecosystem": "wolfi", "packages": 4}])
    );
    let docs = std::fs::read_to_string(crate_dir().join("../../docs/vuln-report-format.md"))
        .expect("docs/vuln-report-format.md");
    for key in ["uncovered", "os", "ecosystem", "packages"] {
        assert!(docs.contains(&format!("`{key}`")), "{key}");
    }
    // Without matches the summary does not claim a clean image.
    scan.matches.clear();
    let table = scan.render(VulnFormat::Table, false);
    assert!(
        !table.contains("No known vulnerabilities in 6 packages"),
        "{table}"
    );
    assert!(
        table.contains("No known vulnerabilities in the 2 packages checked; 4 not checked."),
        "{table}"
    );
}

#[test]
fn json_format_is_documented() {
    let doc = Scan::new().json(VulnFormat::Json);
    let docs = std::fs::read_to_string(crate_dir().join("../../docs/vuln-report-format.md"))
        .expect("docs/vuln-report-format.md");
    let mut keys: Vec<String> = Vec::new();
    fn collect(v: &Value, keys: &mut Vec<String>, depth: usize) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    keys.push(k.clone());
                    // by_severity/by_status keys are values, listed in the docs as such.
                    if depth < 8 {
                        collect(v, keys, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    collect(item, keys, depth + 1);
                }
            }
            _ => {}
        }
    }
    collect(&doc, &mut keys, 0);
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 40, "{keys:?}");
    for key in keys {
        assert!(
            docs.contains(&format!("`{key}`")),
            "docs/vuln-report-format.md lacks `{key}`"
        );
    }
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let log = Scan::new().json(VulnFormat::Sarif);
    let errors = sarif_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
    // The validation has teeth.
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    bad["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    // Two schema errors, and GitHub's rules reject the line-0 region too.
    assert_eq!(sarif_errors(&bad).len(), 3, "{:#?}", sarif_errors(&bad));
    // References that are no URLs stay out of `helpUri`.
    let mut scan = Scan::new();
    scan.matches[0].references = vec![
        "see the DSA".to_string(),
        "https://example.com/a b".to_string(),
        "https://example.com/ä{x}".to_string(),
        "https://example.com/ok".to_string(),
    ];
    let log = scan.json(VulnFormat::Sarif);
    assert!(sarif_errors(&log).is_empty(), "{:#?}", sarif_errors(&log));
    let rules = &log["runs"][0]["tool"]["driver"]["rules"];
    assert_eq!(rules[3]["helpUri"], "https://example.com/ok");
    // An empty scan is valid too.
    let mut scan = Scan::new();
    scan.matches.clear();
    scan.findings.clear();
    let empty = scan.json(VulnFormat::Sarif);
    assert!(sarif_errors(&empty).is_empty());
    assert_eq!(empty["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn sarif_rules_and_results() {
    let mut scan = Scan::new();
    scan.findings.clear();
    let log = scan.json(VulnFormat::Sarif);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2011-3374",
            "CVE-2023-45288",
            "CVE-2024-0727",
            "CVE-2024-5535",
            "CVE-2026-27171"
        ]
    );
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        rule("CVE-2024-5535")["properties"]["security-severity"],
        "9.1"
    );
    assert_eq!(
        rule("CVE-2024-5535")["helpUri"],
        "https://security-tracker.debian.org/tracker/CVE-2024-5535"
    );
    assert_eq!(
        rule("CVE-2023-45288")["shortDescription"]["text"],
        "HTTP/2 CONTINUATION flood in net/http"
    );
    assert_eq!(
        rule("CVE-2026-27171")["properties"].get("security-severity"),
        None,
        "no CVSS, no score"
    );
    assert_eq!(
        rule("CVE-2011-3374")["defaultConfiguration"]["level"],
        "note"
    );

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["error", "error", "error", "warning", "note", "note"]
    );
    let go = &results[2];
    assert_eq!(go["ruleId"], "CVE-2023-45288");
    assert_eq!(
        go["message"]["text"],
        "Package stdlib 1.21.5 (golang) is affected by CVE-2023-45288; fixed in 1.21.9."
    );
    let location = &go["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "usr/local/bin/api"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "registry.example.com/shop/api:1.4.2/layer/2/usr/local/bin/api"
    );
    assert_eq!(location["logicalLocations"][0]["kind"], "module");
    assert_eq!(
        results[5]["message"]["text"],
        "Package zlib1g 1:1.2.13.dfsg-1 (deb) is affected by CVE-2026-27171; no fixed version (no-dsa)."
    );
}

#[test]
fn sarif_image_findings_point_at_their_dockerfile_line() {
    let log = Scan::new().json(VulnFormat::Sarif);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 8, "6 vulnerabilities and 2 image findings");
    let result = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
    let cache = result("SW-IMG-011");
    let i = cache["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[i]["id"], "SW-IMG-011");
    assert_eq!(
        rules[i]["shortDescription"]["text"],
        "Package manager cache left in the image"
    );
    assert_eq!(cache["level"], "note");
    let at = &cache["locations"][0];
    assert_eq!(
        at["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert_eq!(at["physicalLocation"]["region"]["startLine"], 3);
    assert_eq!(
        at["logicalLocations"][0]["fullyQualifiedName"],
        "registry.example.com/shop/api:1.4.2/layer/1/var/lib/apt/lists"
    );
    assert_eq!(cache["properties"]["layer"], 1);
    // Without a Dockerfile line the result points into the image.
    let root = result("SW-IMG-001");
    assert_eq!(root["level"], "error");
    assert_eq!(
        root["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
}

#[test]
fn sarif_fingerprints_are_unique_and_stable() {
    let fingerprints = |scan: &Scan| -> Vec<Value> {
        scan.json(VulnFormat::Sarif)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let scan = Scan::new();
    let all = fingerprints(&scan);
    let mut unique = all.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(all.len(), unique.len(), "{all:#?}");
    // A rebuilt image (new digests, new layer index, new severity) keeps the fingerprints.
    let mut rebuilt = Scan::new();
    rebuilt.image.config_digest = Some(sha256("config 2"));
    for m in &mut rebuilt.matches {
        if let Some(layer) = &mut m.package.layer {
            layer.index += 1;
            layer.diff_id = sha256("other").to_string();
        }
        m.severity = Severity::Low;
    }
    rebuilt
        .matches
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut before = all.clone();
    let mut after = fingerprints(&rebuilt);
    before.sort_by_key(|v| v.to_string());
    after.sort_by_key(|v| v.to_string());
    assert_eq!(before, after);
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let bom = Scan::new().json(VulnFormat::Cyclonedx);
    let errors = cyclonedx_errors(&bom);
    assert!(errors.is_empty(), "{errors:#?}");
    // The validation has teeth: an unknown rating method and a missing affects ref.
    let mut bad = bom.clone();
    bad["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv5".into();
    bad["vulnerabilities"][1]["affects"][0]
        .as_object_mut()
        .map(|a| a.remove("ref"));
    assert_eq!(
        cyclonedx_errors(&bad).len(),
        2,
        "{:#?}",
        cyclonedx_errors(&bad)
    );
    // References that are no URLs are no advisories; odd ids and packages the inventory does
    // not hold still make a valid document.
    let mut scan = Scan::new();
    scan.matches[0].references = vec![
        "see the DSA".to_string(),
        "https://example.com/a b".to_string(),
        "https://example.com/{x}".to_string(),
        "https://example.com/ok".to_string(),
    ];
    scan.matches[1].id = "TEMP-0000000-ABCDEF".to_string();
    scan.matches[1].package.purl = "pkg:deb/debian/gone@1".to_string();
    scan.matches[2].cvss[0].version = "5.0".to_string();
    let odd = scan.json(VulnFormat::Cyclonedx);
    assert!(
        cyclonedx_errors(&odd).is_empty(),
        "{:#?}",
        cyclonedx_errors(&odd)
    );
    assert_eq!(
        odd["vulnerabilities"][0]["advisories"],
        serde_json::json!([{"url": "https://example.com/ok"}])
    );
    assert_eq!(
        odd["vulnerabilities"][1]["source"]["url"],
        "https://security-tracker.debian.org/tracker/TEMP-0000000-ABCDEF"
    );
    assert_eq!(
        odd["vulnerabilities"][1]["affects"][0]["ref"],
        "pkg:deb/debian/gone@1"
    );
    assert_eq!(odd["vulnerabilities"][2]["ratings"][0]["method"], "other");
    // An empty scan is valid too.
    let mut scan = Scan::new();
    scan.matches.clear();
    scan.findings.clear();
    let empty = scan.json(VulnFormat::Cyclonedx);
    assert!(cyclonedx_errors(&empty).is_empty());
    assert_eq!(empty["vulnerabilities"], serde_json::json!([]));
}

#[test]
fn cyclonedx_is_the_sbom_plus_vulnerabilities() {
    let scan = Scan::new();
    let bom = scan.json(VulnFormat::Cyclonedx);
    let sbom_text = render_sbom(
        &SbomInput {
            image: &scan.image,
            inventory: &scan.inventory,
            tool_version: TOOL_VERSION,
            created: CREATED,
        },
        SbomFormat::CycloneDx,
        false,
    );
    let sbom: Value = serde_json::from_str(&sbom_text).unwrap();
    assert_eq!(bom["components"], sbom["components"]);
    assert_eq!(bom["metadata"], sbom["metadata"]);
    assert_ne!(bom["serialNumber"], sbom["serialNumber"]);
    assert!(
        bom["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:")
    );

    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 6);
    for v in vulns {
        let r = v["affects"][0]["ref"].as_str().unwrap();
        assert!(refs.contains(&r), "{r} is no component");
    }
    let libssl3 = &vulns[0];
    assert_eq!(libssl3["id"], "CVE-2024-5535");
    assert_eq!(
        libssl3["affects"][0]["ref"],
        deb_purl("libssl3", "3.0.11-1~deb12u2", "amd64")
    );
    assert_eq!(
        libssl3["affects"][0]["versions"],
        serde_json::json!([{"version": "3.0.11-1~deb12u2", "status": "affected"}])
    );
    assert_eq!(
        libssl3["recommendation"],
        "Upgrade libssl3 to 3.0.14-1~deb12u1"
    );
    assert_eq!(libssl3["source"]["name"], "NVD");
    assert_eq!(
        libssl3["ratings"],
        serde_json::json!([{
            "source": {"name": "nvd"},
            "score": 9.1,
            "severity": "critical",
            "method": "CVSSv31",
            "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H"
        }])
    );
    let go = &vulns[2];
    assert_eq!(
        go["references"],
        serde_json::json!([
            {"id": "GHSA-4v7x-pqxf-cx7m", "source": {"name": "GitHub Advisories", "url": "https://github.com/advisories/GHSA-4v7x-pqxf-cx7m"}},
            {"id": "GO-2024-2687", "source": {"name": "OSV", "url": "https://osv.dev/vulnerability/GO-2024-2687"}}
        ])
    );
    assert_eq!(go["affects"][0]["ref"], "pkg:golang/stdlib@1.21.5");
    // No CVSS score behind the severity: the rating it came from, method `other`.
    let apt = &vulns[4];
    assert_eq!(apt["id"], "CVE-2011-3374");
    assert_eq!(apt["ratings"][1]["method"], "other");
    assert_eq!(apt["ratings"][1]["severity"], "info");
    assert_eq!(apt["ratings"][1]["source"]["name"], "debian urgency");
    assert_eq!(apt.get("recommendation"), None);
    // Nothing rates it: CycloneDX's own `unknown`, never a made-up level.
    let zlib = &vulns[5];
    assert_eq!(zlib["detail"], "no-dsa: Minor issue");
    assert_eq!(
        zlib["ratings"],
        serde_json::json!([{
            "source": {"name": "unrated"},
            "severity": "unknown",
            "method": "other",
            "justification": "severity from unrated"
        }])
    );
}

#[test]
fn output_is_deterministic_and_independent_of_match_order() {
    let scan = Scan::new();
    let mut shuffled = Scan::new();
    shuffled.matches.reverse();
    for format in [
        VulnFormat::Table,
        VulnFormat::Json,
        VulnFormat::Sarif,
        VulnFormat::Cyclonedx,
    ] {
        let first = scan.render(format, false);
        assert_eq!(first, scan.render(format, false), "{format:?}");
        assert_eq!(first, shuffled.render(format, false), "{format:?}");
        assert!(first.ends_with('\n'), "{format:?}");
    }
}
