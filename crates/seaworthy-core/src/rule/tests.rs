//! The macro, the registry, the catalog and the meta-test on two small areas.

use super::testing::RegistryCheck;
use super::{Area, Catalog, Peer, Registry, Rule, RuleSet};
use crate::Level;

/// A test area: a rule fires when the input contains its word.
trait WordRule: Rule<Extra = ()> {}
impl<T: Rule<Extra = ()>> WordRule for T {}

fn fires(rule: &dyn WordRule, case: &str) -> bool {
    case.contains(rule.meta().name)
}

crate::declare_rule! {
    /// Flags `alpha`.
    ///
    /// ## Why
    /// Alpha is bad.
    ///
    /// ## Fix
    /// Say beta.
    Alpha {
        id: "SW-DF-001",
        name: "alpha",
        title: "Alpha",
        area: Dockerfile,
        group: "run",
        severity: High,
        remediation: "Say beta.",
        refs: [Hadolint("DL1"), Trivy("DS-1")],
        fire: ["alpha", "x alpha"],
        quiet: ["beta"],
    }
}

crate::declare_rule! {
    /// Flags `gamma`, and (wrongly) never fires on its case.
    ///
    /// ## Why
    /// Gamma.
    Gamma {
        id: "SW-IMG-002",
        name: "gamma",
        title: "Gamma",
        area: Dockerfile,
        group: "run",
        severity: Low,
        remediation: "",
        refs: [Hadolint("DL1")],
        fire: ["delta"],
        quiet: [],
    }
}

crate::declare_rule! {
    /// Reports facts only.
    ///
    /// ## Why
    /// Facts.
    ///
    /// ## Fix
    /// None.
    FactsOnly {
        id: "SW-DF-003",
        name: "facts-only",
        title: "Facts only",
        area: Dockerfile,
        group: "run",
        severity: Info,
        remediation: "None.",
        refs: [],
        quiet: ["facts"],
    }
}

/// A test area's own data.
pub struct Facts {
    pub level: Level,
    pub check: fn(u32) -> bool,
}

crate::declare_rule! {
    #[doc = concat!("Checks the ", "host.\n\n## Why\nHosts.\n\n## Fix\nFix it.")]
    HostOne {
        id: "SW-HOST-1.1",
        name: "host-one",
        title: "Host one",
        area: Host,
        group: "host",
        severity: Medium,
        remediation: concat!("Run ", "`fix`."),
        refs: [Cis("1.1")],
        extra: Facts { level: Level::L2, check: |n| n > 1 },
    }
}

static GOOD: Registry<dyn WordRule> = Registry::new(Area::Dockerfile, &[&Alpha], &[Peer::Hadolint]);
static BAD: Registry<dyn WordRule> =
    Registry::new(Area::Dockerfile, &[&Alpha, &Gamma, &Alpha], &[]);
static FACTS_ONLY: Registry<dyn WordRule> = Registry::new(Area::Dockerfile, &[&FactsOnly], &[]);
static HOST: Registry<dyn Rule<Extra = Facts>> =
    Registry::new(Area::Host, &[&HostOne], &[Peer::Cis]);

#[test]
fn the_macro_writes_meta_cases_and_extra() {
    let m = Alpha.meta();
    assert_eq!(
        (m.id, m.name, m.area, m.group),
        ("SW-DF-001", "alpha", Area::Dockerfile, "run")
    );
    assert_eq!(m.severity, crate::Severity::High);
    assert_eq!(
        m.docs,
        " Flags `alpha`.\n\n ## Why\n Alpha is bad.\n\n ## Fix\n Say beta.\n"
    );
    assert_eq!(m.summary(), "Flags `alpha`.");
    assert_eq!(m.cross_ref(Peer::Trivy).collect::<Vec<_>>(), ["DS-1"]);
    assert_eq!(
        (Alpha.fire_cases().len(), Alpha.quiet_cases()),
        (2, &["beta"][..])
    );
    let h = HostOne.meta();
    assert_eq!(
        h.docs,
        "Checks the host.\n\n## Why\nHosts.\n\n## Fix\nFix it.\n"
    );
    assert_eq!(h.remediation, "Run `fix`.");
    assert!(HostOne.fire_cases().is_empty() && HostOne.quiet_cases().is_empty());
    assert_eq!(HostOne.extra().level, Level::L2);
    assert!((HostOne.extra().check)(2));
}

#[test]
fn registries_find_by_id_name_and_alias() {
    assert_eq!(
        GOOD.find("sw-df-001").map(|r| r.meta().id),
        Some("SW-DF-001")
    );
    assert_eq!(GOOD.find("ALPHA").map(|r| r.meta().id), Some("SW-DF-001"));
    assert_eq!(GOOD.find("dl1").map(|r| r.meta().id), Some("SW-DF-001"));
    assert!(GOOD.get("DL1").is_none(), "get ignores aliases");
    assert!(GOOD.find("DS-1").is_none(), "Trivy is no alias here");
    assert_eq!(
        BAD.by_peer(Peer::Trivy, "AVD-DS-1").count(),
        2,
        "Trivy spellings"
    );
    for spelling in [
        "DS-0002",
        "DS0002",
        "ds0002",
        "AVD-DS-0002",
        " avd-ds-0002 ",
    ] {
        assert_eq!(Peer::Trivy.canonical_id(spelling), "DS-0002", "{spelling}");
    }
    assert_eq!(Peer::Hadolint.canonical_id("DL3008"), "DL3008");
    assert_eq!(BAD.by_peer(Peer::Hadolint, "DL1").count(), 3);
    assert_eq!(HOST.find("1.1").map(|r| r.meta().id), Some("SW-HOST-1.1"));
    assert_eq!(HOST.metas().len(), 1);
}

#[test]
fn the_catalog_lists_in_order_and_prefers_ids_to_aliases() {
    static CATALOG: Catalog = Catalog(&[&HOST, &GOOD]);
    let ids: Vec<&str> = CATALOG.metas().iter().map(|m| m.id).collect();
    assert_eq!(ids, ["SW-HOST-1.1", "SW-DF-001"]);
    assert_eq!(CATALOG.find("alpha").map(|m| m.id), Some("SW-DF-001"));
    assert_eq!(CATALOG.find("1.1").map(|m| m.id), Some("SW-HOST-1.1"));
    assert!(CATALOG.find("nope").is_none());
}

#[test]
fn the_meta_test_passes_a_good_registry() {
    RegistryCheck::new(&GOOD).cases(fires).run();
    RegistryCheck::new(&HOST).run();
}

#[test]
fn the_meta_test_names_every_problem() {
    let problems = RegistryCheck::new(&BAD).cases(fires).problems();
    let want = [
        "SW-IMG-002: not an id of the dockerfile area",
        "SW-IMG-002: no title or no remediation",
        "SW-IMG-002: docs lack `## Fix`",
        "SW-IMG-002: no quiet case",
        "SW-IMG-002: did not fire on case 0:\ndelta",
        "SW-DF-001: registered twice",
        "SW-DF-001: name `alpha` is taken",
    ];
    assert_eq!(problems, want);
    assert_eq!(
        RegistryCheck::new(&GOOD).problems(),
        ["SW-DF-001: has cases but the area runs none"]
    );
}

#[test]
fn a_firing_case_may_be_optional() {
    let check = || RegistryCheck::new(&FACTS_ONLY).cases(fires);
    assert_eq!(check().problems(), ["SW-DF-003: no firing case"]);
    check()
        .fire_optional(|r| r.meta().name == "facts-only")
        .run();
}

#[test]
#[should_panic(expected = "problem(s) in the dockerfile registry")]
fn the_meta_test_panics_on_problems() {
    RegistryCheck::new(&BAD).cases(fires).run();
}
