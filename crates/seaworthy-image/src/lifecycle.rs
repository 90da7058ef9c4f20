//! When distribution releases stop getting security updates, shipped with seaworthy. Only dates
//! confirmed against a published source are listed; a release not listed is not judged, except
//! one older than the oldest listed release of its distribution, whose support ended no later
//! than that release's.
//!
//! The date is the last day of the free security support everyone gets from the distribution:
//!
//! - Debian: the end of Debian LTS (security updates from the Debian LTS team in the regular
//!   archive), not of the security team's regular support three years in, nor Freexian's paid
//!   ELTS. Debian 10: "Debian 10 buster support will reach its end-of-life on June 30, 2024"
//!   (Debian LTS team announcement, June 2024; regular security support had ended 2022-09-10).
//!   Debian 11: "Debian 11 will receive Long Term Support until August 31, 2026" (same
//!   announcement). Debian 8, 9, 12, 13: 2020-06-30, 2022-06-30, 2028-06-30, 2030-06-30
//!   (debian.club/en/eol and it-server-room.com's Debian schedule, both after wiki.debian.org/LTS).
//! - Ubuntu: the end of standard support (five years for an LTS, nine months for an interim
//!   release), not Ubuntu Pro's ESM. Sources give months (ubuntu.com/about/release-cycle as
//!   mirrored, Alibaba Cloud's Ubuntu lifecycle table); where they differ by a month the later
//!   one is taken and its last day used: 14.04 2019-04, 16.04 2021-04, 18.04 2023-06, 20.04
//!   2025-05, 22.04 2027-06, 24.04 2029-06, 24.10 2025-07.
//! - Alpine: the end of the `main` repository's support per branch, as alpinelinux.org/releases
//!   lists it (quoted by wiki.linux-server-admin.com, 2026): v3.20 2026-04-01, v3.21 2026-11-01,
//!   v3.22 2027-05-01, v3.23 2027-11-01.
//! - Red Hat Enterprise Linux: the end of Maintenance Support (paid Extended Life-cycle Support
//!   not counted): RHEL 7 2024-06-30, 8 2029-05-31, 9 2032-05-31 (access.redhat.com's
//!   lifecycle page, as quoted by endoflife.ai, June 2025); RHEL 6 2020-11-30 (same). CentOS
//!   Linux 7 2024-06-30 and 8 2021-12-31 (CentOS project announcements).
//!
//! Not listed (no date confirmed here): AlmaLinux, Rocky Linux, SUSE Linux Enterprise service
//! packs, openSUSE Leap; Wolfi, Chainguard and openSUSE Tumbleweed are rolling.

use seaworthy_inventory::OsInfo;

/// One release and the last day of its security support (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// os-release `ID`.
    pub id: &'static str,
    /// The release as compared: Debian and RHEL major, Ubuntu `YY.MM`, Alpine branch `3.N`.
    pub version: &'static str,
    /// How people name it.
    pub name: &'static str,
    pub ends: &'static str,
}

const fn r(
    id: &'static str,
    version: &'static str,
    name: &'static str,
    ends: &'static str,
) -> Release {
    Release {
        id,
        version,
        name,
        ends,
    }
}

/// Every release with a confirmed date, oldest first per distribution.
pub const RELEASES: &[Release] = &[
    r("debian", "8", "Debian 8 (jessie)", "2020-06-30"),
    r("debian", "9", "Debian 9 (stretch)", "2022-06-30"),
    r("debian", "10", "Debian 10 (buster)", "2024-06-30"),
    r("debian", "11", "Debian 11 (bullseye)", "2026-08-31"),
    r("debian", "12", "Debian 12 (bookworm)", "2028-06-30"),
    r("debian", "13", "Debian 13 (trixie)", "2030-06-30"),
    r("ubuntu", "14.04", "Ubuntu 14.04 LTS", "2019-04-30"),
    r("ubuntu", "16.04", "Ubuntu 16.04 LTS", "2021-04-30"),
    r("ubuntu", "18.04", "Ubuntu 18.04 LTS", "2023-06-30"),
    r("ubuntu", "20.04", "Ubuntu 20.04 LTS", "2025-05-31"),
    r("ubuntu", "22.04", "Ubuntu 22.04 LTS", "2027-06-30"),
    r("ubuntu", "24.04", "Ubuntu 24.04 LTS", "2029-06-30"),
    r("ubuntu", "24.10", "Ubuntu 24.10", "2025-07-31"),
    r("alpine", "3.20", "Alpine 3.20", "2026-04-01"),
    r("alpine", "3.21", "Alpine 3.21", "2026-11-01"),
    r("alpine", "3.22", "Alpine 3.22", "2027-05-01"),
    r("alpine", "3.23", "Alpine 3.23", "2027-11-01"),
    r("rhel", "6", "Red Hat Enterprise Linux 6", "2020-11-30"),
    r("rhel", "7", "Red Hat Enterprise Linux 7", "2024-06-30"),
    r("rhel", "8", "Red Hat Enterprise Linux 8", "2029-05-31"),
    r("rhel", "9", "Red Hat Enterprise Linux 9", "2032-05-31"),
    r("centos", "7", "CentOS Linux 7", "2024-06-30"),
    r("centos", "8", "CentOS Linux 8", "2021-12-31"),
];

/// What the table says of an OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    /// The release as people name it (`Debian 10 (buster)`, `Alpine 3.18`).
    pub name: String,
    /// The last day of security support, or a day it had ended by.
    pub ends: &'static str,
    /// True when the release is older than every listed one: `ends` is an upper bound.
    pub at_latest: bool,
    /// The listed release of the distribution supported longest (the one to move to), with
    /// its last day.
    pub newest: &'static Release,
}

/// The release key of an OS as [`RELEASES`] lists it: Debian and RHEL by major, Ubuntu by
/// `YY.MM`, Alpine by branch. `None` when there is no version to compare (Debian testing).
fn release_key(os: &OsInfo) -> Option<String> {
    let v = os.version_id.trim();
    let mut parts = v.split('.');
    let first = parts.next().filter(|p| !p.is_empty())?;
    Some(match os.id.as_str() {
        "ubuntu" | "alpine" => format!("{first}.{}", parts.next()?),
        _ => first.to_string(),
    })
}

/// Numeric comparison of dotted versions (`3.9` < `3.20`).
fn older(a: &str, b: &str) -> bool {
    let nums = |s: &str| -> Vec<u64> { s.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    nums(a) < nums(b)
}

/// When `os` stops (or stopped) getting security updates; `None` when the table does not say.
pub fn support(os: &OsInfo) -> Option<Support> {
    let key = release_key(os)?;
    let listed: Vec<&Release> = RELEASES.iter().filter(|r| r.id == os.id).collect();
    let newest = listed.iter().max_by_key(|r| r.ends)?;
    if let Some(r) = listed.iter().find(|r| r.version == key) {
        return Some(Support {
            name: r.name.to_string(),
            ends: r.ends,
            at_latest: false,
            newest,
        });
    }
    let oldest = listed
        .iter()
        .find(|r| !listed.iter().any(|other| older(other.version, r.version)))?;
    older(&key, oldest.version).then(|| Support {
        name: os
            .pretty_name
            .clone()
            .unwrap_or_else(|| format!("{} {}", os.id, os.version_id)),
        ends: oldest.ends,
        at_latest: true,
        newest,
    })
}

/// Today (UTC) as `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    seaworthy_core::date::Date::today().iso()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn os(id: &str, version: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: version.into(),
            ..OsInfo::default()
        }
    }

    #[test]
    fn releases_are_found_by_their_key() {
        let s = support(&os("debian", "10")).unwrap();
        assert_eq!(
            (s.name.as_str(), s.ends, s.at_latest),
            ("Debian 10 (buster)", "2024-06-30", false)
        );
        assert_eq!(s.newest.name, "Debian 13 (trixie)");
        assert_eq!(support(&os("debian", "12.5")).unwrap().ends, "2028-06-30");
        assert_eq!(support(&os("ubuntu", "20.04")).unwrap().ends, "2025-05-31");
        assert_eq!(support(&os("alpine", "3.21.2")).unwrap().ends, "2026-11-01");
        assert_eq!(support(&os("rhel", "8.9")).unwrap().ends, "2029-05-31");
        assert_eq!(
            support(&os("ubuntu", "24.10")).unwrap().newest.name,
            "Ubuntu 24.04 LTS"
        );
    }

    #[test]
    fn older_than_listed_is_bounded_and_unlisted_newer_is_unknown() {
        let s = support(&os("alpine", "3.9.6")).unwrap();
        assert!(s.at_latest);
        assert_eq!(s.ends, "2026-04-01");
        assert_eq!(support(&os("debian", "7")).unwrap().ends, "2020-06-30");
        assert_eq!(support(&os("centos", "6.10")).unwrap().ends, "2024-06-30");
        assert_eq!(support(&os("alpine", "3.24.0")), None);
        assert_eq!(support(&os("ubuntu", "23.04")), None);
        assert_eq!(support(&os("wolfi", "20230201")), None);
        assert_eq!(support(&os("debian", "")), None);
    }

    #[test]
    fn today_is_a_date() {
        assert!(today().as_str() > "2024-01-01");
    }
}
