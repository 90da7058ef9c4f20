//! Drift: what changed inside a container since it started. Files added or changed where
//! executables and libraries live (`GET /containers/{id}/changes`), and packages installed,
//! changed or removed (the container's package databases against the image's inventory).

use std::collections::BTreeMap;

use seaworthy_core::rule::{Registry, Rule};
use seaworthy_core::{Area, Finding, Location, RuleMeta};
use seaworthy_inventory::{Cataloger, Ecosystem, Env, OsInfo, Package};
use serde::Serialize;

use crate::spec::Mount;

/// A regular file read from a running container (`GET /containers/{id}/archive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFile {
    /// Absolute path in the container.
    pub path: String,
    pub data: Vec<u8>,
}

// Files added or changed in executable or library paths.
seaworthy_core::declare_rule! {
    #[doc = r#"A file was added or changed since the container started in a directory that holds
programs or shared libraries (`/bin`, `/sbin`, `/usr/bin`, `/usr/sbin`, `/usr/local/bin`,
`/usr/local/sbin`, `/lib`, `/lib64`, `/usr/lib`, `/usr/lib64`, `/usr/local/lib`, `/usr/libexec`).

## Why
Containers are meant to be immutable: what runs should be what was built, scanned and signed.
A new binary in a running container is either an unrecorded manual change (that the next
restart loses and no scan has seen) or a sign of compromise (a dropped tool, a replaced library).

## How it is checked
`GET /containers/{id}/changes` lists paths added, changed and deleted in the container's writable
layer. Paths under volumes and bind mounts are not part of the layer and are ignored, and so are
directories that only changed because a file below them did.

## Fix
Put the change into the Dockerfile and redeploy; run with `--read-only` (compose
`read_only: true`) and mount writable `tmpfs` only where the application writes data.

```console
$ docker exec web cp /tmp/tool /usr/local/bin/tool     # fires
$ docker run --read-only --tmpfs /tmp web              # nothing to write to
```"#]
    DriftFiles {
        id: "SW-CTR-DRIFT-001",
        name: "runtime-binary-drift",
        title: "Executable or library added or changed at runtime",
        area: Container,
        group: "drift",
        severity: High,
        remediation: "Rebuild the image with the change instead of modifying the running container, \
                      run it with a read-only root filesystem (`--read-only`), and find out who \
                      wrote the file",
        refs: [],
    }
}

// OS packages installed, changed or removed at runtime.
seaworthy_core::declare_rule! {
    #[doc = r#"The container's package database (`/var/lib/dpkg/status`, `/var/lib/dpkg/status.d/`,
`/lib/apk/db/installed`) lists a package that the image does not have, with another version, or
no longer lists one the image has.

## Why
A package installed with `apt-get install` or `apk add` in a running container was never
scanned with the image, and disappears on the next restart; an upgrade done the same way fixes
one container but not the image the next one starts from. The vulnerability report of the
container is therefore made from its live package list: a vulnerable package installed at runtime
is reported, and a vulnerability fixed by a runtime upgrade is not reported for that container
(the image still has it).

## How it is checked
When `GET /containers/{id}/changes` shows a package database changed, the database is read
through `GET /containers/{id}/archive` (at most 64 MiB) and compared with the image's inventory
by package name: installed, version changed (old → new), removed.

## Fix
Move the installation into the Dockerfile (`RUN apt-get install -y --no-install-recommends …`),
rebuild, redeploy."#]
    DriftPackages {
        id: "SW-CTR-DRIFT-002",
        name: "runtime-package-drift",
        title: "Package installed, changed or removed at runtime",
        area: Container,
        group: "drift",
        severity: Medium,
        remediation: "Install or upgrade the package in the Dockerfile, rebuild and redeploy the \
                      image, and stop changing packages in running containers",
        refs: [],
    }
}

/// The drift rules: findings, no cases (they read the Engine API, see `tests`).
pub static REGISTRY: Registry<dyn Rule<Extra = ()>> =
    Registry::new(Area::Container, &[&DriftFiles, &DriftPackages], &[]);

/// Where executables and libraries live (no trailing slash).
const BINARY_DIRS: &[&str] = &[
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/usr/lib",
    "/usr/lib32",
    "/usr/lib64",
    "/usr/local/lib",
    "/usr/libexec",
];

/// Package databases read when they changed, and the cataloger for each.
pub const PACKAGE_DBS: &[&str] = &[
    "/var/lib/dpkg/status",
    "/var/lib/dpkg/status.d",
    "/lib/apk/db/installed",
];

/// Findings reported per container for files; the rest are counted in the last one.
pub const MAX_FILE_FINDINGS: usize = 50;

/// One entry of `GET /containers/{id}/changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Changed,
    Added,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
}

fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Is `path` below one of the binary/library directories (not the directory itself)?
pub fn is_binary_path(path: &str) -> bool {
    BINARY_DIRS
        .iter()
        .any(|d| path.len() > d.len() && under(path, d))
}

/// Did a package database change (so it must be read)?
pub fn package_db_changed(changes: &[Change]) -> Vec<&'static str> {
    PACKAGE_DBS
        .iter()
        .copied()
        .filter(|db| changes.iter().any(|c| under(&c.path, db)))
        .collect()
}

/// Who the findings are about.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub container: &'a str,
    pub image: &'a str,
}

impl Subject<'_> {
    fn location(&self, field: String) -> Location {
        Location::Container {
            container: self.container.to_string(),
            image: Some(self.image.to_string()),
            field: Some(field),
        }
    }
}

fn finding(meta: &RuleMeta, who: &Subject<'_>, field: String, message: String) -> Finding {
    Finding {
        rule_id: meta.id.to_string(),
        severity: meta.severity,
        title: meta.title.to_string(),
        message,
        location: who.location(field),
        evidence: None,
        remediation: meta.remediation.to_string(),
        references: Vec::new(),
        suppressed: None,
        origin: None,
    }
}

/// Files added or changed in binary paths, outside mounts. Changed directories that only
/// contain another change are left out.
pub fn file_drift(who: &Subject<'_>, changes: &[Change], mounts: &[Mount]) -> Vec<Finding> {
    let flagged: Vec<&Change> = changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Deleted && is_binary_path(&c.path))
        .filter(|c| !mounts.iter().any(|m| under(&c.path, &m.target)))
        .filter(|c| {
            c.kind != ChangeKind::Changed
                || !changes
                    .iter()
                    .any(|o| o.path.len() > c.path.len() && under(&o.path, &c.path))
        })
        .collect();
    let mut out: Vec<Finding> = flagged
        .iter()
        .take(MAX_FILE_FINDINGS)
        .map(|c| {
            let what = match c.kind {
                ChangeKind::Added => "added",
                _ => "changed",
            };
            let mut f = finding(
                DriftFiles.meta(),
                who,
                format!("changes:{}", c.path),
                format!(
                    "`{}` was {what} in container {} since it started",
                    c.path, who.container
                ),
            );
            f.evidence = Some(format!(
                "{what} {} (GET /containers/{{id}}/changes)",
                c.path
            ));
            f
        })
        .collect();
    if flagged.len() > MAX_FILE_FINDINGS
        && let Some(last) = out.last_mut()
    {
        last.message.push_str(&format!(
            " (and {} more executable or library paths not listed)",
            flagged.len() - MAX_FILE_FINDINGS
        ));
    }
    out
}

/// The container's live OS packages.
#[derive(Debug, Clone, Default)]
pub struct LivePackages {
    pub packages: Vec<Package>,
    /// Ecosystems whose database was read (only those are compared).
    pub ecosystems: Vec<Ecosystem>,
    /// Databases that could not be read, with why.
    pub errors: Vec<String>,
}

/// Catalogs package database files read from a container, with the image's OS.
pub fn live_packages(files: &[ContainerFile], os: Option<&OsInfo>) -> LivePackages {
    use seaworthy_inventory::catalogers::{apk, dpkg};
    let catalogers: [(Box<dyn Cataloger>, Ecosystem); 2] = [
        (dpkg::cataloger(), Ecosystem::Deb),
        (apk::cataloger(), Ecosystem::Apk),
    ];
    let fs = seaworthy_oci::FsView::from_files(Vec::new());
    let limits = seaworthy_oci::Limits::default();
    let env = Env::new(os, &fs, &limits);
    let mut live = LivePackages::default();
    for file in files {
        let rel = file.path.trim_start_matches('/');
        for (c, eco) in &catalogers {
            if !c.wants_path(rel) {
                continue;
            }
            let r = seaworthy_oci::FileRef {
                path: rel,
                layer: 0,
                data: &file.data,
            };
            let found = c.catalog(&r, &env);
            for note in env.take_skipped() {
                live.errors.push(format!("{}: skipped: {note}", file.path));
            }
            match found {
                Ok(found) => {
                    live.packages.extend(found);
                    if !live.ecosystems.contains(eco) {
                        live.ecosystems.push(*eco);
                    }
                }
                Err(e) => live.errors.push(format!("{}: {e}", file.path)),
            }
        }
    }
    live.packages
        .sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    live
}

/// One package difference between the image and the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    pub ecosystem: Ecosystem,
    pub name: String,
    /// Version in the image; `None`: installed at runtime.
    pub image_version: Option<String>,
    /// Version in the container; `None`: removed at runtime.
    pub live_version: Option<String>,
}

/// Differences by name, for the ecosystems whose live database was read.
pub fn package_changes(image: &[Package], live: &LivePackages) -> Vec<PackageChange> {
    let key = |p: &Package| (p.ecosystem, p.name.clone());
    let before: BTreeMap<_, _> = image
        .iter()
        .filter(|p| live.ecosystems.contains(&p.ecosystem))
        .map(|p| (key(p), p.version.clone()))
        .collect();
    let after: BTreeMap<_, _> = live
        .packages
        .iter()
        .map(|p| (key(p), p.version.clone()))
        .collect();
    let mut keys: Vec<_> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (before.get(&k), after.get(&k));
            (old != new).then(|| PackageChange {
                ecosystem: k.0,
                name: k.1,
                image_version: old.cloned(),
                live_version: new.cloned(),
            })
        })
        .collect()
}

/// One finding per package change.
pub fn package_drift(who: &Subject<'_>, changes: &[PackageChange]) -> Vec<Finding> {
    changes
        .iter()
        .map(|c| {
            let (what, evidence) = match (&c.image_version, &c.live_version) {
                (None, Some(new)) => (
                    format!(
                        "{} {new} was installed at runtime (not in the image)",
                        c.name
                    ),
                    format!("{} {new}", c.name),
                ),
                (Some(old), None) => (
                    format!("{} {old} was removed at runtime", c.name),
                    format!("{} {old} removed", c.name),
                ),
                (Some(old), Some(new)) => (
                    format!("{} changed from {old} (image) to {new} at runtime", c.name),
                    format!("{} {old} -> {new}", c.name),
                ),
                (None, None) => (c.name.clone(), c.name.clone()),
            };
            let mut f = finding(
                DriftPackages.meta(),
                who,
                format!("packages:{}:{}", c.ecosystem, c.name),
                format!("{what} in container {}", who.container),
            );
            f.evidence = Some(format!(
                "{evidence} (package database read from the container)"
            ));
            f
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;
    use crate::spec::{Field, MountKind};

    fn recorded_changes() -> Vec<Change> {
        let path = format!("{}/testdata/changes-bad.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        // The Engine API's shape: `Kind` 0 changed, 1 added, 2 deleted.
        let api: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        api.iter()
            .map(|c| Change {
                path: c["Path"].as_str().unwrap().to_string(),
                kind: match c["Kind"].as_u64().unwrap() {
                    1 => ChangeKind::Added,
                    2 => ChangeKind::Deleted,
                    _ => ChangeKind::Changed,
                },
            })
            .collect()
    }

    fn bind(target: &str) -> Mount {
        Mount {
            kind: MountKind::Bind,
            source: target.into(),
            target: target.into(),
            read_only: false,
            propagation: None,
            at: Field::named("Mounts[0]"),
        }
    }

    const WHO: Subject<'static> = Subject {
        container: "web",
        image: "web:1",
    };

    #[test]
    fn an_added_binary_is_found_and_directories_mounts_and_other_files_are_not() {
        let changes = recorded_changes();
        let mounts = [bind("/host"), bind("/var/run/docker.sock")];
        let found = file_drift(&WHO, &changes, &mounts);
        let fields: Vec<_> = found
            .iter()
            .map(|f| match &f.location {
                Location::Container { field, .. } => field.clone().unwrap(),
                _ => panic!("container location"),
            })
            .collect();
        assert_eq!(fields, ["changes:/usr/sbin/evil"]);
        assert_eq!(found[0].rule_id, "SW-CTR-DRIFT-001");
        assert!(
            found[0].message.contains("was added"),
            "{}",
            found[0].message
        );
        assert_eq!(package_db_changed(&changes), ["/var/lib/dpkg/status"]);
    }

    #[test]
    fn binary_paths() {
        for p in [
            "/usr/bin/x",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/usr/local/sbin/a",
        ] {
            assert!(is_binary_path(p), "{p}");
        }
        for p in [
            "/usr/bin",
            "/usr/binx/a",
            "/tmp/x",
            "/library/a",
            "/usr/share/doc/x",
        ] {
            assert!(!is_binary_path(p), "{p}");
        }
    }

    #[test]
    fn many_files_are_capped_and_counted() {
        let changes: Vec<Change> = (0..60)
            .map(|i| Change {
                path: format!("/usr/bin/tool{i}"),
                kind: ChangeKind::Added,
            })
            .collect();
        let found = file_drift(&WHO, &changes, &[]);
        assert_eq!(found.len(), MAX_FILE_FINDINGS);
        assert!(found[MAX_FILE_FINDINGS - 1].message.contains("and 10 more"));
    }

    fn status(stanzas: &[(&str, &str)]) -> ContainerFile {
        let mut text = String::new();
        for (name, version) in stanzas {
            text.push_str(&format!(
                "Package: {name}\nStatus: install ok installed\nVersion: {version}\nArchitecture: amd64\n\n"
            ));
        }
        ContainerFile {
            path: "/var/lib/dpkg/status".into(),
            data: text.into_bytes(),
        }
    }

    #[test]
    fn packages_installed_changed_and_removed() {
        let image = live_packages(
            &[status(&[
                ("zlib1g", "1:1.2.13.dfsg-1"),
                ("bash", "5.2-1"),
                ("curl", "7.88.1-10"),
            ])],
            None,
        );
        let live = live_packages(
            &[status(&[
                ("zlib1g", "1:1.2.13.dfsg-1"),
                ("bash", "5.2-2"),
                ("openssl", "3.0.11-1"),
            ])],
            None,
        );
        assert_eq!(live.ecosystems, [Ecosystem::Deb]);
        let changes = package_changes(&image.packages, &live);
        let summary: Vec<_> = changes
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.image_version.as_deref(),
                    c.live_version.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("bash", Some("5.2-1"), Some("5.2-2")),
                ("curl", Some("7.88.1-10"), None),
                ("openssl", None, Some("3.0.11-1")),
            ]
        );
        let found = package_drift(&WHO, &changes);
        assert_eq!(found.len(), 3);
        assert!(
            found[2]
                .message
                .contains("openssl 3.0.11-1 was installed at runtime")
        );
        assert!(found.iter().all(|f| f.rule_id == "SW-CTR-DRIFT-002"));
    }

    #[test]
    fn an_unread_ecosystem_is_not_reported_as_removed() {
        let image = live_packages(&[status(&[("bash", "5.2-1")])], None);
        assert!(package_changes(&image.packages, &LivePackages::default()).is_empty());
    }

    #[test]
    fn the_drift_rules_pass_the_meta_test() {
        seaworthy_core::rule::testing::RegistryCheck::new(&REGISTRY).run();
    }
}
