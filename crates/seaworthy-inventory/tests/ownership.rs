//! Language packages whose files belong to an OS package (issue 18 item 3), per package
//! format: dpkg's `info/<name>.list` and distroless `status.d/<name>.md5sums`, the file names
//! of rpm headers (a real Mariner database, testdata/rpm/SOURCES.md) and apk's `R:` lines
//! under `F:`. The files go through the same steps as an image scan (path or magic selection,
//! `reduce`, then `catalog`).

use std::io::Read;
use std::path::PathBuf;

use flate2::read::GzDecoder;
use seaworthy_inventory::{CatalogerSet, Inventory, Package, all_catalogers};
use seaworthy_oci::{ContentFilter, FsView};

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn gunzip(rel: &str) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(fixture(rel).as_slice())
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    out
}

/// Scans loose files as one image layer, keeping what the layer walk would keep.
fn scan(files: Vec<(&str, Vec<u8>)>) -> Inventory {
    let set: CatalogerSet = all_catalogers();
    let kept: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(path, data)| {
            let head = &data[..data.len().min(seaworthy_oci::capture::MAGIC_LEN)];
            let wanted = set.wants_path(path) || (set.uses_magic() && set.wants_magic(path, head));
            if !wanted {
                return None;
            }
            set.reduce(path, data).map(|d| (path.to_string(), d))
        })
        .collect();
    set.catalog(&FsView::from_files(kept))
}

fn find<'a>(inv: &'a Inventory, cataloger: &str, path: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.cataloger == cataloger && p.locations.iter().any(|l| l.path == path))
        .unwrap_or_else(|| panic!("no {cataloger} package at {path}: {:#?}", inv.packages))
}

fn metadata(name: &str, version: &str) -> Vec<u8> {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n").into_bytes()
}

const PIP_DIR: &str = "usr/lib/python3/dist-packages/pip-23.0.1.dist-info";

#[test]
fn dpkg_file_list_owns_dist_info_and_binary() {
    let mut status = fixture("dpkg/status-bookworm-minbase");
    status.extend_from_slice(
        b"\nPackage: python3-pip\nStatus: install ok installed\nArchitecture: all\n\
          Source: python-pip\nVersion: 23.0.1+dfsg-1\n\n",
    );
    let list = format!(
        "/.\n/usr\n/usr/bin\n/usr/bin/pip3\n/usr/lib/python3/dist-packages\n/{PIP_DIR}\n\
         /{PIP_DIR}/METADATA\n/usr/share/doc/python3-pip/copyright\n"
    );
    let inv = scan(vec![
        ("etc/os-release", fixture("dpkg/os-release")),
        ("var/lib/dpkg/status", status),
        ("var/lib/dpkg/info/python3-pip.list", list.into_bytes()),
        (&format!("{PIP_DIR}/METADATA"), metadata("pip", "23.0.1")),
        // Installed by pip, not by the distribution.
        (
            "usr/local/lib/python3.11/dist-packages/Django-3.2.12.dist-info/METADATA",
            metadata("Django", "3.2.12"),
        ),
        // A Go binary at a path the list names, and one it does not.
        ("usr/bin/pip3", gunzip("go/hello-amd64.gz")),
        ("usr/local/bin/hello", gunzip("go/hello-amd64.gz")),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let pip = find(&inv, "python", &format!("/{PIP_DIR}/METADATA"));
    let owner = pip.owned_by.as_deref().unwrap_or_default();
    assert!(
        owner.starts_with("pkg:deb/debian/python3-pip@23.0.1%2Bdfsg-1"),
        "{owner}"
    );
    let django = find(
        &inv,
        "python",
        "/usr/local/lib/python3.11/dist-packages/Django-3.2.12.dist-info/METADATA",
    );
    assert_eq!(django.owned_by, None);
    // The same Go module in both binaries is one package with two locations: one is not the
    // distribution's, so it is not owned.
    let hello = inv
        .packages
        .iter()
        .filter(|p| p.cataloger == "binary")
        .collect::<Vec<_>>();
    assert!(!hello.is_empty());
    for p in hello {
        let owned = p.locations.iter().all(|l| l.path == "/usr/bin/pip3");
        assert_eq!(p.owned_by.is_some(), owned, "{p:#?}");
    }
    // OS packages are never owned.
    assert!(
        inv.packages
            .iter()
            .filter(|p| p.ecosystem.is_os())
            .all(|p| p.owned_by.is_none())
    );
}

#[test]
fn dpkg_go_binary_alone_is_owned() {
    let status =
        b"Package: hello-go\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n";
    let inv = scan(vec![
        ("etc/os-release", fixture("dpkg/os-release")),
        ("var/lib/dpkg/status", status.to_vec()),
        (
            "var/lib/dpkg/info/hello-go:amd64.list",
            b"/.\n/usr/bin/hello\n".to_vec(),
        ),
        ("usr/bin/hello", gunzip("go/hello-amd64.gz")),
    ]);
    let go: Vec<&Package> = inv
        .packages
        .iter()
        .filter(|p| p.cataloger == "binary")
        .collect();
    assert!(!go.is_empty());
    for p in go {
        let owner = p.owned_by.as_deref().unwrap_or_default();
        assert!(
            owner.starts_with("pkg:deb/debian/hello-go@1.0-1"),
            "{owner}"
        );
    }
}

#[test]
fn distroless_md5sums_own_files() {
    let inv = scan(vec![
        ("etc/os-release", fixture("dpkg/os-release")),
        (
            "var/lib/dpkg/status.d/python3-six",
            b"Package: python3-six\nVersion: 1.16.0-4\nArchitecture: all\n".to_vec(),
        ),
        (
            "var/lib/dpkg/status.d/python3-six.md5sums",
            b"0123456789abcdef0123456789abcdef  usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n"
                .to_vec(),
        ),
        (
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            metadata("six", "1.16.0"),
        ),
    ]);
    let six = find(
        &inv,
        "python",
        "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
    );
    let owner = six.owned_by.as_deref().unwrap_or_default();
    assert!(
        owner.starts_with("pkg:deb/debian/python3-six@1.16.0-4"),
        "{owner}"
    );
}

#[test]
fn rpm_header_file_names_own_files() {
    // The real Mariner 2.0 database: openssl owns /usr/bin/openssl.
    let inv = scan(vec![
        (
            "etc/os-release",
            b"ID=mariner\nVERSION_ID=\"2.0\"\n".to_vec(),
        ),
        (
            "var/lib/rpm/rpmdb.sqlite",
            fixture("rpm/sqlite-mariner/rpmdb.sqlite"),
        ),
        ("usr/bin/openssl", gunzip("go/hello-amd64.gz")),
    ]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let go: Vec<&Package> = inv
        .packages
        .iter()
        .filter(|p| p.cataloger == "binary")
        .collect();
    assert!(!go.is_empty());
    for p in go {
        let owner = p.owned_by.as_deref().unwrap_or_default();
        assert!(owner.starts_with("pkg:rpm/mariner/openssl@"), "{owner}");
    }
}

#[test]
fn apk_r_lines_own_files() {
    let mut db = fixture("apk/installed-trivy");
    db.extend_from_slice(
        b"\n\nP:py3-six\nV:1.16.0-r3\nA:noarch\no:py3-six\nF:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\nR:METADATA\nR:RECORD\n\n",
    );
    let inv = scan(vec![
        ("etc/os-release", b"ID=alpine\nVERSION_ID=3.18.4\n".to_vec()),
        ("lib/apk/db/installed", db),
        (
            "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
            metadata("six", "1.16.0"),
        ),
        (
            "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
            metadata("requests", "2.31.0"),
        ),
    ]);
    let six = find(
        &inv,
        "python",
        "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
    );
    let owner = six.owned_by.as_deref().unwrap_or_default();
    assert!(
        owner.starts_with("pkg:apk/alpine/py3-six@1.16.0-r3"),
        "{owner}"
    );
    let requests = find(
        &inv,
        "python",
        "/usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
    );
    assert_eq!(requests.owned_by, None);
}
