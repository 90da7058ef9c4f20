//! The assessment model's totals and verdicts on the shared fixture.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

mod common;

use seaworthy_report::assess::{AreaKind, AreaStatus};

#[test]
fn fixture_totals_and_verdicts() {
    let a = common::assess::assessment();
    let status = |k| a.area(k).expect("area").status;
    assert_eq!(status(AreaKind::Dockerfile), AreaStatus::Fail);
    // The only critical of the image outside the base layer gates; base ones are shown apart.
    let image = a.area(AreaKind::Image).expect("image");
    assert_eq!(image.summary.gating, 2, "{:#?}", image.summary);
    assert_eq!(image.summary.base, 2);
    assert_eq!(image.summary.waived, 2);
    assert_eq!(status(AreaKind::Host), AreaStatus::Warn);
    assert_eq!(
        a.area(AreaKind::Host).expect("host").check_counts(),
        [1, 1, 1, 1]
    );
    assert!(!a.passed);
    assert_eq!(
        a.summary.new,
        a.areas.iter().map(|x| x.summary.new).sum::<usize>()
    );
    let json = serde_json::to_value(&a).expect("serializes");
    let back: seaworthy_report::assess::Assessment =
        serde_json::from_value(json).expect("round trips");
    assert_eq!(back, a);
}

/// Issue 19 item 2: in the image area a scanner's own threshold decides what gates.
#[test]
fn image_area_scanner_thresholds_decide_gating() {
    use seaworthy_core::{Scanner, Severity};
    let a = common::assess::assessment();
    let mut image = a.area(AreaKind::Image).expect("image").clone();
    // Severity thresholds only: KEV and EPSS gate whatever the scanner's threshold.
    image.fail_on_kev = false;
    image.fail_on_epss = None;
    let vulns_gating = |area: &seaworthy_report::assess::AreaReport| {
        area.items
            .iter()
            .filter(|i| i.gating && Scanner::of_rule(&i.finding.rule_id) == Scanner::Vuln)
            .count()
    };
    let at_high = vulns_gating(&image);
    assert!(at_high > 0, "the fixture has gating vulnerabilities");
    image.scanner_fail_on.insert(Scanner::Vuln, None);
    image.mark_gating(false, true);
    assert_eq!(vulns_gating(&image), 0, "vulnerabilities report only");
    image
        .scanner_fail_on
        .insert(Scanner::Vuln, Some(Severity::Low));
    image.mark_gating(false, true);
    assert!(vulns_gating(&image) >= at_high);
    image
        .scanner_fail_on
        .insert(Scanner::Vuln, Some(Severity::Critical));
    image.mark_gating(false, true);
    assert!(vulns_gating(&image) <= at_high);
    // Another area ignores image scanner thresholds.
    let mut dockerfile = a.area(AreaKind::Dockerfile).expect("dockerfile").clone();
    let before = dockerfile.items.iter().filter(|i| i.gating).count();
    dockerfile.scanner_fail_on.insert(Scanner::Vuln, None);
    dockerfile.scanner_fail_on.insert(Scanner::Config, None);
    dockerfile.mark_gating(false, true);
    assert_eq!(dockerfile.items.iter().filter(|i| i.gating).count(), before);
    // The thresholds are written only when set, and read back.
    let json = serde_json::to_value(&image).expect("serializes");
    assert_eq!(json["scanner_fail_on"]["vuln"], "critical");
    assert!(
        serde_json::to_value(&dockerfile)
            .unwrap()
            .get("scanner_fail_on")
            .is_some()
    );
}

/// Issue 18 item 1 in assess: KEV, EPSS and unrated vulnerabilities gate only as the area's
/// `fail_on_kev`, `fail_on_epss` and `unknown_severity` say, and `unknown` is counted.
mod risk {
    use seaworthy_core::{Finding, Location, Severity};
    use seaworthy_report::assess::{
        AreaKind, AreaReport, AreaStatus, Assessment, EpssScore, Item, ItemKind, KevEntry, Mode,
        Totals, VulnDetail, WaiverSummary,
    };

    fn vuln(id: &str, severity: Severity) -> Item {
        Item {
            kind: ItemKind::Vulnerability,
            finding: Finding {
                rule_id: id.to_string(),
                severity,
                title: format!("{id} in zlib1g"),
                message: format!("zlib1g 1.2.13 is vulnerable to {id}"),
                location: Location::Image {
                    image: "shop/api:1".to_string(),
                    path: Some("var/lib/dpkg/status".to_string()),
                },
                evidence: None,
                remediation: String::new(),
                references: Vec::new(),
                suppressed: None,
                origin: None,
            },
            fingerprint: format!("{id}:0000000000000001"),
            change: None,
            from_base: false,
            gating: false,
            vulnerability: Some(VulnDetail {
                package: "zlib1g".to_string(),
                version: "1.2.13".to_string(),
                ecosystem: "deb".to_string(),
                purl: String::new(),
                fixed_version: None,
                status: "unfixed".to_string(),
                cvss: None,
                severity_source: String::new(),
                kev: None,
                epss: None,
                cwes: Vec::new(),
            }),
        }
    }

    fn kev(mut i: Item) -> Item {
        if let Some(v) = &mut i.vulnerability {
            v.kev = Some(KevEntry {
                date_added: "2025-01-15".to_string(),
                due_date: "2025-02-05".to_string(),
                ransomware: true,
                name: None,
            });
        }
        i
    }

    fn epss(mut i: Item, score: f64) -> Item {
        if let Some(v) = &mut i.vulnerability {
            v.epss = Some(EpssScore {
                score,
                percentile: 0.9,
            });
        }
        i
    }

    /// An area at `fail_on high` of: a low KEV match, a low one scored 0.5, a low one scored
    /// 0.49, an unrated one.
    fn area(kind: AreaKind, mode: Mode) -> AreaReport {
        let mut a = AreaReport::new(kind, mode, Severity::High);
        a.items = vec![
            kev(vuln("CVE-2025-0001", Severity::Low)),
            epss(vuln("CVE-2025-0002", Severity::Low), 0.5),
            epss(vuln("CVE-2025-0003", Severity::Low), 0.49),
            vuln("CVE-2025-0004", Severity::Unknown),
        ];
        a
    }

    fn gating(a: &AreaReport) -> Vec<&str> {
        let mut ids: Vec<&str> = a
            .items
            .iter()
            .filter(|i| i.gating)
            .map(|i| i.finding.rule_id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    fn finish(area: AreaReport) -> Assessment {
        let mut a = Assessment {
            schema_version: seaworthy_report::assess::ASSESS_SCHEMA_VERSION.to_string(),
            kind: "assessment".to_string(),
            tool: "seaworthy".to_string(),
            version: "0.1.0".to_string(),
            created: "2026-11-29T12:00:00Z".to_string(),
            config: None,
            passed: false,
            duration_ms: 0,
            summary: Totals::default(),
            baseline: None,
            waivers: WaiverSummary::default(),
            areas: vec![area],
        };
        a.finish();
        a
    }

    #[test]
    fn nothing_gates_below_the_threshold_without_risk_settings() {
        for kind in [AreaKind::Image, AreaKind::Container] {
            let mut a = area(kind, Mode::Gate);
            a.mark_gating(false, false);
            assert!(gating(&a).is_empty(), "{kind:?}");
            let a = finish(a);
            assert!(a.passed);
            // The unrated match is counted as such, never relabelled.
            assert_eq!(a.summary.unknown, 1);
            assert_eq!(a.summary.low, 3);
            assert_eq!(a.summary.active(), 4);
            assert_eq!(a.areas[0].summary.unknown, 1);
        }
    }

    #[test]
    fn a_kev_match_gates_only_with_fail_on_kev() {
        let mut a = area(AreaKind::Image, Mode::Gate);
        a.fail_on_kev = true;
        a.mark_gating(false, false);
        assert_eq!(gating(&a), ["CVE-2025-0001"]);
        assert_eq!(a.exploit_reason(&a.items[0]), Some("kev"));
        let a = finish(a);
        assert!(!a.passed);
        assert_eq!(a.areas[0].status, AreaStatus::Fail);
        assert_eq!(a.summary.gating, 1);
        // The report says why: the area's setting and the item's KEV entry.
        let json = seaworthy_report::assess::render_json(&a);
        assert!(json.contains("\"fail_on_kev\": true"), "{json}");
        assert!(json.contains("\"date_added\": \"2025-01-15\""), "{json}");
        let table = seaworthy_report::assess::render_table(&a, false);
        assert!(
            table.contains("low KEV CVE-2025-0001 in zlib1g GATING (KEV)"),
            "{table}"
        );
        assert!(table.contains("fail-on high, fail-on-kev)"), "{table}");
    }

    #[test]
    fn an_epss_match_gates_at_or_above_fail_on_epss() {
        let mut a = area(AreaKind::Container, Mode::Gate);
        a.fail_on_epss = Some(0.5);
        a.mark_gating(false, false);
        assert_eq!(gating(&a), ["CVE-2025-0002"], "0.49 stays below 0.5");
        assert_eq!(a.exploit_reason(&a.items[1]), Some("epss"));
        a.fail_on_epss = Some(0.4);
        a.mark_gating(false, false);
        assert_eq!(gating(&a), ["CVE-2025-0002", "CVE-2025-0003"]);
        let sarif = seaworthy_report::assess::render_sarif(&finish(a));
        assert!(sarif.contains("\"gatingReason\": \"epss\""), "{sarif}");
        assert!(sarif.contains("\"failOnEpss\": 0.4"), "{sarif}");
    }

    #[test]
    fn an_unknown_match_gates_only_at_unknown_severity() {
        let mut a = area(AreaKind::Image, Mode::Gate);
        a.unknown_severity = Some(Severity::Medium);
        a.mark_gating(false, false);
        assert!(gating(&a).is_empty(), "unknown as medium is below high");
        a.unknown_severity = Some(Severity::High);
        a.mark_gating(false, false);
        assert_eq!(gating(&a), ["CVE-2025-0004"]);
        // Gated as high, still shown and counted as unknown.
        let a = finish(a);
        assert_eq!(a.summary.unknown, 1);
        assert_eq!(a.summary.high, 0);
        let item = &a.areas[0].items[0];
        assert_eq!(item.finding.severity, Severity::Unknown);
        assert!(item.gating);
        assert_eq!(a.areas[0].exploit_reason(item), None);
    }

    #[test]
    fn a_report_area_warns_and_never_gates() {
        let mut a = area(AreaKind::Image, Mode::Report);
        a.fail_on_kev = true;
        a.fail_on_epss = Some(0.1);
        a.unknown_severity = Some(Severity::Critical);
        a.mark_gating(false, false);
        assert!(gating(&a).is_empty());
        let a = finish(a);
        assert!(a.passed);
        assert_eq!(a.areas[0].status, AreaStatus::Warn);
    }

    #[test]
    fn waived_and_base_matches_do_not_gate_by_kev_either() {
        let mut a = area(AreaKind::Image, Mode::Gate);
        a.fail_on_kev = true;
        a.items[0].from_base = true;
        a.mark_gating(false, true);
        assert!(gating(&a).is_empty(), "from the ignored base");
        a.items[0].from_base = false;
        a.items[0].finding.suppressed = Some(seaworthy_core::Suppression {
            kind: "waiver".to_string(),
            source: Some("seaworthy.toml:3".to_string()),
            reason: Some("accepted".to_string()),
            expires: None,
        });
        a.mark_gating(false, false);
        assert!(gating(&a).is_empty(), "waived");
        // What the expired-waiver check asks: it would gate without the waiver.
        assert!(a.reaches_threshold(&a.items[0]));
    }
}
