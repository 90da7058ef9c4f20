//! dpkg and apk catalogers on real databases; dpkg results are checked against dpkg-query
//! output recorded in testdata/dpkg/*.oracle (command in testdata/dpkg/SOURCES.md).

mod support;

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use seaworthy_inventory::catalogers::{apk, dpkg};
use seaworthy_inventory::{Cataloger, CatalogerSet, Env, Inventory, Package};
use seaworthy_oci::layer::{Entry, LayerIndex};
use seaworthy_oci::{CaptureBudget, EntryKind, FileRef, FsView, Limits, NoProgress};

const STATUS: &str = "var/lib/dpkg/status";
const APK_DB: &str = "lib/apk/db/installed";

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/testdata/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn catalog(files: Vec<(&str, Vec<u8>)>) -> Inventory {
    let view = FsView::from_files(files.into_iter().map(|(p, d)| (p.to_string(), d)));
    catalog_view(&view)
}

fn catalog_view(view: &FsView) -> Inventory {
    CatalogerSet::new(vec![dpkg::cataloger(), apk::cataloger()]).catalog(view)
}

/// The `ii`/`hi` lines of a recorded dpkg-query run, as `name version arch src-name src-version`.
fn oracle(rel: &str) -> BTreeSet<String> {
    String::from_utf8_lossy(&fixture(rel))
        .lines()
        .filter_map(|l| l.split_once('|'))
        .filter(|(abbrev, _)| matches!(abbrev.trim(), "ii" | "hi"))
        .map(|(_, rest)| rest.to_string())
        .collect()
}

fn observed(inv: &Inventory) -> BTreeSet<String> {
    inv.packages
        .iter()
        .map(|p| {
            let (sn, sv) = p
                .source
                .as_ref()
                .map_or(("", ""), |s| (&s.name, &s.version));
            let arch = p.arch.as_deref().unwrap_or_default();
            format!("{} {} {arch} {sn} {sv}", p.name, p.version)
        })
        .collect()
}

fn find<'a>(inv: &'a Inventory, name: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not found"))
}

#[test]
fn dpkg_minbase_matches_dpkg_query() {
    let inv = catalog(vec![
        (STATUS, fixture("dpkg/status-bookworm-minbase")),
        ("etc/os-release", fixture("dpkg/os-release")),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let expected = oracle("dpkg/status-bookworm-minbase.oracle");
    assert_eq!(expected.len(), 88);
    assert_eq!(observed(&inv), expected);
    assert_eq!(
        inv.os.as_ref().map(|o| o.distro()).as_deref(),
        Some("debian-12")
    );
    let libc6 = find(&inv, "libc6");
    assert_eq!(
        libc6.purl,
        format!(
            "pkg:deb/debian/libc6@{}?arch=amd64&distro=debian-12",
            libc6.version.replace('+', "%2B")
        )
    );
    assert!(
        libc6
            .locations
            .iter()
            .all(|l| l.path == "/var/lib/dpkg/status")
    );
}

#[test]
fn dpkg_keeps_only_installed_and_held_packages() {
    let inv = catalog(vec![
        (STATUS, fixture("dpkg/status-states")),
        ("etc/os-release", fixture("dpkg/os-release")),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(observed(&inv), oracle("dpkg/status-states.oracle"));
    let names: BTreeSet<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains("tzdata"), "held package kept");
    for gone in ["dmsetup", "perl-base", "osdeb-demo"] {
        assert!(
            !names.contains(gone),
            "{gone} is not install/hold ok installed"
        );
    }
    // binNMU: binary 5.2.15-2+b8 built from source 5.2.15-2.
    assert_eq!(
        find(&inv, "bash")
            .source
            .as_ref()
            .map(|s| s.version.as_str()),
        Some("5.2.15-2")
    );
    insta::assert_json_snapshot!("dpkg_status_states", inv.packages);
}

#[test]
fn dpkg_crlf_reads_like_lf() {
    let lf = fixture("dpkg/status-states");
    let crlf = String::from_utf8_lossy(&lf)
        .replace('\n', "\r\n")
        .into_bytes();
    let a = catalog(vec![(STATUS, lf)]);
    let b = catalog(vec![(STATUS, crlf)]);
    assert_eq!(a.packages, b.packages);
    assert!(!a.packages.is_empty());
}

#[test]
fn dpkg_distroless_status_d() {
    let inv = catalog(vec![
        (
            "var/lib/dpkg/status.d/coreutils",
            fixture("dpkg/status.d/coreutils"),
        ),
        (
            "var/lib/dpkg/status.d/bash.md5sums",
            fixture("dpkg/status.d/bash.md5sums"),
        ),
        ("etc/os-release", fixture("dpkg/os-release")),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(observed(&inv), oracle("dpkg/coreutils.oracle"));
    let selinux = find(&inv, "libselinux1");
    assert_eq!(
        selinux.purl,
        "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&distro=debian-12"
    );
    assert_eq!(
        selinux.locations[0].path,
        "/var/lib/dpkg/status.d/coreutils"
    );
}

/// Distroless: one file per package, and no file lists. A layer that rewrites a package's file
/// unchanged (a `chown -R`, a second `COPY`) does not take the package.
#[test]
fn dpkg_status_d_packages_belong_to_the_layer_that_added_them() {
    const COREUTILS: &str = "var/lib/dpkg/status.d/coreutils";
    const CURL: &str = "var/lib/dpkg/status.d/curl";
    let curl = b"Package: curl\nVersion: 7.88.1-10+deb12u8\nArchitecture: arm64\n".to_vec();
    let base = support::layer(vec![
        ("etc/os-release", fixture("dpkg/os-release")),
        (COREUTILS, fixture("dpkg/status.d/coreutils")),
    ]);
    let add = support::layer(vec![
        (COREUTILS, fixture("dpkg/status.d/coreutils")),
        (CURL, curl),
    ]);
    let view = FsView::from_layers(vec![base, add]).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert!(inv.errors.is_empty() && inv.skipped.is_empty(), "{inv:?}");
    assert_eq!(find(&inv, "curl").locations[0].layer, 1);
    assert_eq!(find(&inv, "coreutils").locations[0].layer, 0);
    assert_eq!(find(&inv, "libselinux1").locations[0].layer, 0);
}

#[test]
fn dpkg_status_d_without_status_field_counts_as_installed() {
    let text = String::from_utf8_lossy(&fixture("dpkg/status.d/coreutils"))
        .lines()
        .filter(|l| !l.starts_with("Status:"))
        .collect::<Vec<_>>()
        .join("\n");
    let inv = catalog(vec![(
        "var/lib/dpkg/status.d/coreutils",
        text.clone().into_bytes(),
    )]);
    assert_eq!(observed(&inv), oracle("dpkg/coreutils.oracle"));
    // In the main status file a stanza without Status is not installed.
    assert!(
        catalog(vec![(STATUS, text.into_bytes())])
            .packages
            .is_empty()
    );
}

#[test]
fn dpkg_without_os_uses_debian_namespace() {
    let inv = catalog(vec![(STATUS, fixture("dpkg/status-states"))]);
    assert_eq!(
        find(&inv, "adduser").purl,
        "pkg:deb/debian/adduser@3.134?arch=all"
    );
}

fn file_entry(path: &str, size: usize) -> Entry {
    Entry {
        path: path.to_string(),
        kind: EntryKind::File,
        mode: 0o644,
        size: size as u64,
        uid: 0,
        gid: 0,
    }
}

#[test]
fn dpkg_layer_is_the_one_that_wrote_the_file_list() {
    let status = fixture("dpkg/status-bookworm-minbase");
    let base = support::layer(vec![
        (STATUS, status.clone()),
        ("var/lib/dpkg/info/libc6:amd64.list", Vec::new()),
        ("var/lib/dpkg/info/bash.list", Vec::new()),
        ("var/lib/dpkg/info/dpkg.list", Vec::new()),
    ]);
    let upgrade = support::layer(vec![
        (STATUS, status),
        ("var/lib/dpkg/info/bash.list", Vec::new()),
    ]);
    let view = FsView::from_layers(vec![base, upgrade]).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    let layer_of = |name: &str| {
        let p = find(&inv, name);
        assert_eq!(p.locations.len(), 1);
        assert_eq!(p.locations[0].path, "/var/lib/dpkg/status");
        p.locations[0].layer
    };
    assert_eq!(layer_of("libc6"), 0);
    assert_eq!(layer_of("dpkg"), 0);
    assert_eq!(layer_of("bash"), 1);
    // No file list: the versions of the status file tell (it is the base's, rewritten unchanged).
    assert_eq!(layer_of("grep"), 0);
}

/// An apk database listing `packages` as (name, version).
fn apk_db(packages: &[(&str, &str)]) -> Vec<u8> {
    let mut db = String::new();
    for (name, version) in packages {
        db.push_str(&format!("P:{name}\nV:{version}\nA:x86_64\no:{name}\n\n"));
    }
    db.into_bytes()
}

fn apk_layers(inv: &Inventory) -> Vec<(String, String, usize)> {
    inv.packages
        .iter()
        .map(|p| {
            assert_eq!(p.locations.len(), 1, "{}", p.name);
            assert_eq!(p.locations[0].path, "/lib/apk/db/installed");
            (p.name.clone(), p.version.clone(), p.locations[0].layer)
        })
        .collect()
}

fn owned(list: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
    list.iter()
        .map(|(n, v, l)| (n.to_string(), v.to_string(), *l))
        .collect()
}

#[test]
fn apk_packages_belong_to_the_layer_that_added_them() {
    let base = support::layer(vec![(
        APK_DB,
        apk_db(&[("musl", "1.2.5-r0"), ("busybox", "1.36.1-r1")]),
    )]);
    // `apk add curl` rewrites the whole database.
    let add = support::layer(vec![(
        APK_DB,
        apk_db(&[
            ("musl", "1.2.5-r0"),
            ("busybox", "1.36.1-r1"),
            ("curl", "8.9.0-r0"),
        ]),
    )]);
    let upgrade = support::layer(vec![(
        APK_DB,
        apk_db(&[
            ("musl", "1.2.5-r0"),
            ("busybox", "1.36.1-r2"),
            ("curl", "8.9.0-r0"),
        ]),
    )]);
    // A layer that rewrites the database without changing it takes nothing.
    let rewrite = support::layer(vec![(
        APK_DB,
        apk_db(&[
            ("busybox", "1.36.1-r2"),
            ("curl", "8.9.0-r0"),
            ("musl", "1.2.5-r0"),
        ]),
    )]);
    let view =
        FsView::from_layers(vec![base, add, upgrade, rewrite]).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert!(inv.errors.is_empty() && inv.skipped.is_empty(), "{inv:?}");
    assert_eq!(
        apk_layers(&inv),
        owned(&[
            ("busybox", "1.36.1-r2", 2),
            ("curl", "8.9.0-r0", 1),
            ("musl", "1.2.5-r0", 0),
        ])
    );
}

/// Versions are read at most 64 back: a database rewritten by more layers than that keeps the
/// packages still present to the top layer, and says so.
#[test]
fn apk_versions_past_the_cap_keep_the_top_layer() {
    let db = apk_db(&[("musl", "1.2.5-r0")]);
    let layers: Vec<LayerIndex> = (0..66)
        .map(|_| support::layer(vec![(APK_DB, db.clone())]))
        .collect();
    let view = FsView::from_layers(layers).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert_eq!(apk_layers(&inv), owned(&[("musl", "1.2.5-r0", 65)]));
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
    assert!(
        inv.skipped[0]
            .message
            .contains("more than 64 earlier versions"),
        "{}",
        inv.skipped[0].message
    );
    // 65 layers: 64 earlier versions, all read.
    let layers: Vec<LayerIndex> = (0..65)
        .map(|_| support::layer(vec![(APK_DB, db.clone())]))
        .collect();
    let view = FsView::from_layers(layers).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert_eq!(apk_layers(&inv), owned(&[("musl", "1.2.5-r0", 0)]));
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
}

#[test]
fn apk_database_deleted_and_recreated_starts_over() {
    let db = apk_db(&[("musl", "1.2.5-r0")]);
    let base = support::layer(vec![(APK_DB, db.clone())]);
    let mut delete = support::layer(vec![]);
    delete.whiteouts.push(APK_DB.to_string());
    let again = support::layer(vec![(APK_DB, db.clone())]);
    let view = FsView::from_layers(vec![base, delete, again]).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        apk_layers(&catalog_view(&view)),
        owned(&[("musl", "1.2.5-r0", 2)])
    );
}

#[test]
fn apk_earlier_version_not_read_keeps_the_top_layer_and_is_reported() {
    let db = apk_db(&[("musl", "1.2.5-r0")]);
    let base = support::layer(vec![(APK_DB, db.clone())]);
    let mut unread = support::layer(vec![]);
    unread.entries.push(file_entry(APK_DB, 1 << 20));
    unread.skipped.insert(
        APK_DB.to_string(),
        "not read: over the capture budget".to_string(),
    );
    let top = support::layer(vec![(APK_DB, db)]);
    unread.versioned.insert(APK_DB.to_string());
    let view = FsView::from_layers(vec![base, unread, top]).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert_eq!(apk_layers(&inv), owned(&[("musl", "1.2.5-r0", 2)]));
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
    assert_eq!(inv.skipped[0].path, "/lib/apk/db/installed");
    assert!(
        inv.skipped[0].message.contains("layer 1")
            && inv.skipped[0].message.contains("capture budget"),
        "{}",
        inv.skipped[0].message
    );
    // A damaged earlier version is not read either.
    let base = support::layer(vec![(APK_DB, b"not a field\n".to_vec())]);
    let top = support::layer(vec![(APK_DB, apk_db(&[("musl", "1.2.5-r0")]))]);
    let view = FsView::from_layers(vec![base, top]).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = catalog_view(&view);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(apk_layers(&inv), owned(&[("musl", "1.2.5-r0", 1)]));
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
}

#[test]
fn apk_multiple_with_alpine_release() {
    // etc/alpine-release holds just the version, as in alpine:3.16 images.
    let inv = catalog(vec![
        (APK_DB, fixture("apk/installed-multiple")),
        ("etc/alpine-release", b"3.16.2\n".to_vec()),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.packages.len(), 14);
    let musl = find(&inv, "musl");
    assert_eq!(
        musl.purl,
        "pkg:apk/alpine/musl@1.2.3-r0?arch=x86_64&distro=alpine-3.16.2"
    );
    assert_eq!(musl.licenses, ["MIT"]);
    insta::assert_json_snapshot!("apk_installed_multiple", inv.packages);
}

#[test]
fn apk_trivy_fixture() {
    let inv = catalog(vec![(APK_DB, fixture("apk/installed-trivy"))]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // 16 blocks, one without a version.
    assert_eq!(inv.packages.len(), 15);
    assert!(
        inv.packages
            .iter()
            .all(|p| p.name != "invalidPackageWithoutAVersion")
    );
    let scanelf = find(&inv, "scanelf");
    let source = scanelf
        .source
        .as_ref()
        .map(|s| (s.name.as_str(), s.version.as_str()));
    assert_eq!(source, Some(("pax-utils", "1.1.6-r0")));
    assert_eq!(scanelf.purl, "pkg:apk/alpine/scanelf@1.1.6-r0?arch=x86_64");
    assert_eq!(find(&inv, "musl-utils").licenses, ["MIT", "BSD", "GPL2+"]);
    assert_eq!(
        find(&inv, "ada-libs").licenses,
        ["( Apache-2.0 OR MIT ) AND MPL-2.0"]
    );
}

#[test]
fn apk_corrupt_database_is_an_error_naming_the_line() {
    let inv = catalog(vec![(APK_DB, fixture("apk/installed-corrupt"))]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].cataloger, "apk");
    assert_eq!(inv.errors[0].path, "/lib/apk/db/installed");
    assert!(
        inv.errors[0].message.starts_with("line 1:"),
        "{}",
        inv.errors[0].message
    );
}

fn run(c: &dyn Cataloger, path: &str, data: &[u8]) {
    let fs = FsView::default();
    let limits = seaworthy_oci::Limits::default();
    let env = Env::new(None, &fs, &limits);
    let _ = c.catalog(
        &FileRef {
            path,
            layer: 0,
            data,
        },
        &env,
    );
}

#[test]
fn truncated_and_garbage_inputs_never_panic() {
    let dpkg = dpkg::cataloger();
    let apk = apk::cataloger();
    let fixtures = [
        "dpkg/status-bookworm-minbase",
        "dpkg/status-states",
        "dpkg/status.d/coreutils",
        "apk/installed-multiple",
        "apk/installed-trivy",
        "apk/installed-corrupt",
    ];
    for name in fixtures {
        let data = fixture(name);
        for end in (0..data.len()).step_by(97) {
            let cut = data.get(..end).unwrap_or_default();
            run(dpkg.as_ref(), STATUS, cut);
            run(dpkg.as_ref(), "var/lib/dpkg/status.d/x", cut);
            run(apk.as_ref(), APK_DB, cut);
        }
    }
    // Deterministic pseudo-random bytes drawn mostly from the formats' own punctuation.
    let alphabet = b"PVAoLm:( )+b1\n\r\t .\xc3\xa9\xff";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..300_usize {
        let len = round.wrapping_mul(7) % 1500;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let i = usize::try_from(state >> 33).unwrap_or(0) % alphabet.len();
                alphabet.get(i).copied().unwrap_or(b'x')
            })
            .collect();
        run(dpkg.as_ref(), STATUS, &bytes);
        run(apk.as_ref(), APK_DB, &bytes);
    }
}

/// A dpkg stanza or apk block that names an installed package but has no version cannot
/// become a package; it is reported as skipped (with its line or block), never silently lost.
#[test]
fn installed_packages_without_a_version_are_reported_as_skipped() {
    let status = b"Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n\
Package: openssl\nStatus: install ok installed\nArchitecture: amd64\n\n\
Package: gone\nStatus: deinstall ok config-files\n"
        .to_vec();
    let apk = b"P:musl\nV:1.2.4-r2\n\nP:busybox\nA:x86_64\n\n".to_vec();
    let inv = catalog(vec![(STATUS, status), ("lib/apk/db/installed", apk)]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let names: BTreeSet<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["musl", "zlib1g"]));
    let mut skipped: Vec<(&str, &str, &str)> = inv
        .skipped
        .iter()
        .map(|s| (s.cataloger, s.path.as_str(), s.message.as_str()))
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            (
                "apk",
                "/lib/apk/db/installed",
                "block 1: package busybox has no V:"
            ),
            (
                "dpkg",
                "/var/lib/dpkg/status",
                "line 5: installed package openssl has no Version"
            ),
        ]
    );
}

/// One entry of a layer tar written by [`tar_layer`].
enum TarItem<'a> {
    File(&'a str, Vec<u8>),
    /// A file of `n` bytes, streamed (never held in memory).
    Large(&'a str, u64),
    Symlink(&'a str, &'a str),
    Fifo(&'a str),
}

/// A ustar header: `kind` `0` file, `2` symlink to `link`, `6` FIFO.
fn tar_header(path: &str, kind: u8, size: u64, link: &str) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    let mut put = |at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, path.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{size:011o}\0").as_bytes());
    put(136, b"00000000000\0");
    put(148, b"        ");
    put(156, &[kind]);
    put(157, link.as_bytes());
    put(257, b"ustar\x0000");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// The size field of a header [`tar_header`] wrote.
fn header_size(header: &[u8]) -> u64 {
    let field = String::from_utf8_lossy(&header[124..135]).into_owned();
    u64::from_str_radix(&field, 8).unwrap_or_else(|e| panic!("{field}: {e}"))
}

/// A layer tar as a stream, so a huge file costs no memory.
fn tar_layer(items: Vec<TarItem<'_>>) -> impl Read {
    let mut stream: Box<dyn Read> = Box::new(std::io::empty());
    for item in items {
        let (header, body): (Vec<u8>, Box<dyn Read>) = match item {
            TarItem::File(path, data) => (
                tar_header(path, b'0', data.len() as u64, ""),
                Box::new(Cursor::new(data)),
            ),
            TarItem::Large(path, n) => (
                tar_header(path, b'0', n, ""),
                Box::new(std::io::repeat(b'L').take(n)),
            ),
            TarItem::Symlink(path, target) => (
                tar_header(path, b'2', 0, target),
                Box::new(std::io::empty()),
            ),
            TarItem::Fifo(path) => (tar_header(path, b'6', 0, ""), Box::new(std::io::empty())),
        };
        let size = header_size(&header);
        let padding = vec![0u8; usize::try_from(size.next_multiple_of(512) - size).unwrap_or(0)];
        stream = Box::new(
            stream
                .chain(Cursor::new(header))
                .chain(body)
                .chain(Cursor::new(padding)),
        );
    }
    stream.chain(Cursor::new(vec![0u8; 1024]))
}

/// The view of one layer read as an image is, the dpkg cataloger choosing what is captured.
fn image_view(set: &CatalogerSet, items: Vec<TarItem<'_>>) -> FsView {
    let limits = Limits::default();
    let budget = CaptureBudget::of(&limits);
    let index = seaworthy_oci::layer::index_layer(
        tar_layer(items),
        "layer 0",
        set,
        &limits,
        &budget,
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    FsView::from_layers(vec![index]).unwrap_or_else(|e| panic!("{e:?}"))
}

fn licenses<'a>(inv: &'a Inventory, name: &str) -> Vec<&'a str> {
    find(inv, name)
        .licenses
        .iter()
        .map(String::as_str)
        .collect()
}

const BASH_LICENSES: [&str; 11] = [
    "BSD-4-clause-UC",
    "GFDL-1.3",
    "GFDL-NIV-1.3",
    "GPL-2",
    "GPL-2+",
    "GPL-3",
    "GPL-3+",
    "GPL-3+ with Bison exception",
    "Latex2e",
    "MIT-like",
    "permissive",
];

/// Licenses come from `usr/share/doc/<name>/copyright`: DEP-5 `License:` fields and the
/// `/usr/share/common-licenses/` files free-form ones name; doc directories linked to another
/// package's (as Debian links libgcc-s1's to gcc-12-base) are followed inside the image only.
#[test]
fn dpkg_licenses_from_copyright_files() {
    let copyright = |name: &str| fixture(&format!("dpkg/copyright/{name}"));
    let set = CatalogerSet::new(vec![dpkg::cataloger()]);
    let view = image_view(
        &set,
        vec![
            TarItem::File(STATUS, fixture("dpkg/status-bookworm-minbase")),
            TarItem::File("usr/share/doc/zlib1g/copyright", copyright("zlib1g")),
            TarItem::File("usr/share/doc/bash/copyright", copyright("bash")),
            TarItem::File("usr/share/doc/libc6/copyright", copyright("libc6")),
            TarItem::File(
                "usr/share/doc/gcc-12-base/copyright",
                copyright("gcc-12-base"),
            ),
            TarItem::Symlink("usr/share/doc/libgcc-s1", "gcc-12-base"),
            TarItem::Symlink("usr/share/doc/libstdc++6", "/usr/share/doc/gcc-12-base"),
            // Links that lead to no copyright file name no license.
            TarItem::Symlink("usr/share/doc/mawk/copyright", "/var/lib/dpkg/status"),
            TarItem::Symlink("usr/share/doc/grep", "../../../../../../.."),
        ],
    );
    // Captured as the licenses it names, not the 68 KB file.
    let kept = view.read("usr/share/doc/gcc-12-base/copyright");
    assert!(kept.is_some_and(|f| f.data.len() < 200));
    let inv = set.catalog(&view);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    assert_eq!(licenses(&inv, "zlib1g"), ["Zlib"]);
    assert_eq!(licenses(&inv, "bash"), BASH_LICENSES);
    assert_eq!(licenses(&inv, "libc6"), ["GPL-2", "LGPL-2.1"]);
    let gcc = ["Artistic", "GFDL-1.2", "GPL", "GPL-2", "GPL-3", "LGPL"];
    for name in ["gcc-12-base", "libgcc-s1", "libstdc++6"] {
        assert_eq!(licenses(&inv, name), gcc, "{name}");
    }
    for name in ["mawk", "grep", "dpkg"] {
        assert!(find(&inv, name).licenses.is_empty(), "{name}");
    }
    // A view of loose, unreduced files reads the same.
    let loose = catalog(vec![
        (STATUS, fixture("dpkg/status-bookworm-minbase")),
        ("usr/share/doc/bash/copyright", copyright("bash")),
        ("usr/share/doc/libc6/copyright", copyright("libc6")),
    ]);
    assert_eq!(licenses(&loose, "bash"), BASH_LICENSES);
    assert_eq!(licenses(&loose, "libc6"), ["GPL-2", "LGPL-2.1"]);
}

/// A 100 MB copyright file is never read (a warning names the limit), a FIFO at that path is
/// not opened, and a package name that walks out of `usr/share/doc` reads nothing.
#[test]
fn dpkg_hostile_copyright_files() {
    let status = b"Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n\
Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b8\n\n\
Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u14\n\n\
Package: ../../../var/lib/dpkg/status.d\nStatus: install ok installed\nVersion: 1\n"
        .to_vec();
    let set = CatalogerSet::new(vec![dpkg::cataloger()]);
    let started = std::time::Instant::now();
    let view = image_view(
        &set,
        vec![
            TarItem::File(STATUS, status),
            TarItem::Large("usr/share/doc/zlib1g/copyright", 100 << 20),
            TarItem::Fifo("usr/share/doc/bash/copyright"),
            TarItem::File(
                "usr/share/doc/libc6/copyright",
                fixture("dpkg/copyright/libc6"),
            ),
            TarItem::File(
                "var/lib/dpkg/status.d/copyright",
                b"Package: evil\nVersion: 1\nLicense: Evil\n".to_vec(),
            ),
        ],
    );
    let inv = set.catalog(&view);
    assert!(started.elapsed().as_secs() < 60);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert!(view.read("usr/share/doc/zlib1g/copyright").is_none());
    assert!(find(&inv, "zlib1g").licenses.is_empty());
    assert!(find(&inv, "bash").licenses.is_empty());
    assert!(
        find(&inv, "../../../var/lib/dpkg/status.d")
            .licenses
            .is_empty()
    );
    assert!(find(&inv, "evil").licenses.is_empty());
    assert_eq!(licenses(&inv, "libc6"), ["GPL-2", "LGPL-2.1"]);
    let skipped: Vec<(&str, &str, &str)> = inv
        .skipped
        .iter()
        .map(|s| (s.cataloger, s.path.as_str(), s.message.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [(
            "dpkg",
            "/usr/share/doc/zlib1g/copyright",
            "not read: 104857600 bytes, over the 8388608 byte limit for one file \
             (dpkg copyright files)"
        )]
    );
}
