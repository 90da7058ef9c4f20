use crate::Hit;
use crate::lifecycle;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Reports an image built on a distribution release past the end of its security support
    /// (`/etc/os-release`): Debian after Debian LTS, Ubuntu after standard support, an Alpine
    /// branch after its `main` repository's support, RHEL after Maintenance Support. The dates
    /// ship with seaworthy (confirmed against the distributions' announcements and lifecycle
    /// pages); a release newer than the table is not judged, one older than every listed release
    /// is reported with the date support had ended by.
    ///
    /// ## Why
    /// No one publishes fixes for the packages of such a release any more: every vulnerability
    /// found in it from now on stays open, and advisory feeds often stop tracking it, so a scan
    /// that finds nothing proves little.
    ///
    /// ## Fix
    /// Rebuild on a supported release of the distribution (e.g. `FROM debian:12-slim` instead of
    /// `debian:10-slim`) and re-run the tests; pin the new base by digest.
    ///
    /// ## Example
    /// An image whose `/etc/os-release` says `ID=debian` and `VERSION_ID="10"` is reported:
    /// Debian 10's LTS support ended on 2024-06-30.
    OsEndOfLife {
        id: "SW-IMG-040",
        name: "os-release-end-of-life",
        title: "OS release past end of support",
        area: Image,
        group: "lifecycle",
        severity: High,
        remediation: "Rebuild on a supported release of the distribution (e.g. Debian 12).",
        refs: [],
        fire: [
            "today 2026-12-07\nfile etc/os-release 644 PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\\nID=debian\\nVERSION_ID=\"10\"\\nVERSION_CODENAME=buster\\n\n",
            "today 2026-12-07\nfile etc/os-release 644 ID=alpine\\nVERSION_ID=3.9.6\\nPRETTY_NAME=\"Alpine Linux v3.9\"\\n\n",
            "today 2024-07-01\nfile usr/lib/os-release 644 ID=\"rhel\"\\nVERSION_ID=\"7.9\"\\n\n",
        ],
        quiet: [
            "today 2026-12-07\nfile etc/os-release 644 ID=debian\\nVERSION_ID=\"12\"\\nVERSION_CODENAME=bookworm\\n\n",
            "today 2024-06-30\nfile etc/os-release 644 ID=debian\\nVERSION_ID=\"10\"\\n\n",
            "today 2026-12-07\nfile etc/os-release 644 ID=wolfi\\nVERSION_ID=20230201\\n\n",
            "today 2026-12-07\nfile etc/os-release 644 ID=debian\\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\\n\n",
            "file app 755 ELF\n",
        ],
    }
}

impl Check for OsEndOfLife {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let Some(os) = seaworthy_inventory::os::detect(image.fs) else {
            return;
        };
        let Some(support) = lifecycle::support(&os) else {
            return;
        };
        let today = image
            .settings
            .today
            .clone()
            .unwrap_or_else(lifecycle::today);
        if support.ends >= today.as_str() {
            return;
        }
        let ended = if support.at_latest {
            format!("ended on or before {}", support.ends)
        } else {
            format!("ended on {}", support.ends)
        };
        let instead = if support.newest.ends > today.as_str() {
            format!(
                "; rebuild on a supported release (e.g. {}, supported until {})",
                support.newest.name, support.newest.ends
            )
        } else {
            "; rebuild on a supported distribution".to_string()
        };
        // The layer that wrote the release file, for provenance.
        let (path, layer) = ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| image.fs.read(p).map(|f| (p.to_string(), f.layer)))
            .map_or((None, None), |(p, l)| (Some(p), Some(l)));
        out.push(Hit {
            message: format!(
                "{} is past the end of its security support (support {ended}){instead}",
                support.name
            ),
            path,
            layer,
            evidence: Some(format!("ID={} VERSION_ID={}", os.id, os.version_id)),
            ..Hit::default()
        });
    }
}
