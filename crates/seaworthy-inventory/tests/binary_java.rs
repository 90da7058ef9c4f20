//! Binary (Go build info, cargo-auditable), go.mod and Java archive catalogers on real files
//! built or installed on this machine (testdata/{go,rust,java}/SOURCES.md), through the same
//! steps as an image scan: magic/path selection, `reduce`, then `catalog`. Plus hostile inputs:
//! truncated and corrupted ELF and zip files, zip bombs and nested-archive bombs.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use seaworthy_inventory::catalogers::{binary, gomod, java};
use seaworthy_inventory::{CatalogerSet, Inventory, Package};
use seaworthy_oci::{ContentFilter, FsView};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn gunzip(rel: &str) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(fixture(rel).as_slice())
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    out
}

fn set() -> CatalogerSet {
    CatalogerSet::new(vec![
        binary::cataloger(),
        gomod::cataloger(),
        java::cataloger(),
    ])
}

/// What the layer walk would keep of one file: selected by path or magic, then reduced.
fn captured(set: &CatalogerSet, path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
    let head = &data[..data.len().min(seaworthy_oci::capture::MAGIC_LEN)];
    let wanted = set.wants_path(path) || (set.uses_magic() && set.wants_magic(path, head));
    if !wanted {
        return None;
    }
    set.reduce(path, data)
}

/// Scans loose files as if they were one image layer.
fn scan(files: Vec<(&str, Vec<u8>)>) -> Inventory {
    let set = set();
    let kept: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(path, data)| captured(&set, path, data).map(|d| (path.to_string(), d)))
        .collect();
    set.catalog(&FsView::from_files(kept))
}

fn purls(packages: &[Package]) -> Vec<&str> {
    packages.iter().map(|p| p.purl.as_str()).collect()
}

fn meta<'a>(p: &'a Package, key: &str) -> Option<&'a str> {
    p.metadata
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

// ---- Go binaries ----

#[test]
fn go_binary_lists_main_module_deps_and_stdlib() {
    let binary = gunzip("go/hello-amd64.gz");
    let set = set();
    let reduced =
        captured(&set, "usr/local/bin/hello", binary).unwrap_or_else(|| panic!("dropped"));
    assert!(reduced.len() < 1024, "payload is {} bytes", reduced.len());
    let inv = scan(vec![("usr/local/bin/hello", gunzip("go/hello-amd64.gz"))]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // Oracle: `go version -m hello-amd64` (testdata/go/SOURCES.md).
    assert_eq!(
        purls(&inv.packages),
        vec![
            "pkg:golang/example.com/hello@(devel)",
            "pkg:golang/github.com/cespare/xxhash/v2@v2.1.1",
            "pkg:golang/stdlib@1.19.8",
        ]
    );
    let main = &inv.packages[0];
    assert_eq!(
        (main.name.as_str(), main.version.as_str()),
        ("example.com/hello", "(devel)")
    );
    assert_eq!(meta(main, "go_version"), Some("go1.19.8"));
    assert_eq!(main.arch.as_deref(), Some("amd64"));
    insta::assert_json_snapshot!(inv.packages);
}

#[test]
fn go_binary_big_endian_32_bit_with_local_replace() {
    let inv = scan(vec![("app/replaced", gunzip("go/replaced-mips.gz"))]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let dep = inv
        .packages
        .iter()
        .find(|p| p.name == "github.com/cespare/xxhash/v2")
        .unwrap_or_else(|| panic!("no xxhash in {:?}", purls(&inv.packages)));
    // `=>	./xxhash	(devel)`: the local directory's version, the module's own path.
    assert_eq!(dep.version, "(devel)");
    assert_eq!(meta(dep, "replace_dir"), Some("./xxhash"));
    assert_eq!(
        meta(dep, "replaced"),
        Some("github.com/cespare/xxhash/v2 v2.1.1")
    );
    assert!(
        inv.packages
            .iter()
            .all(|p| p.arch.as_deref() == Some("mips"))
    );
    insta::assert_json_snapshot!(inv.packages);
}

#[test]
fn go_binary_without_section_headers_is_found_through_its_data_segment() {
    let mut binary = gunzip("go/hello-amd64.gz");
    // e_shoff = 0, e_shnum = 0, e_shstrndx = 0: as after `strip --strip-section-headers`.
    binary[40..48].fill(0);
    binary[60..64].fill(0);
    let inv = scan(vec![("hello", binary)]);
    assert_eq!(inv.packages.len(), 3, "{:?}", purls(&inv.packages));
}

#[test]
fn unreduced_binaries_in_loose_file_views_are_read_too() {
    let fs = FsView::from_files(vec![("hello".to_string(), gunzip("go/hello-amd64.gz"))]);
    assert_eq!(set().catalog(&fs).packages.len(), 3);
}

// ---- Rust (cargo-auditable) ----

#[test]
fn auditable_rust_binary_lists_crates() {
    let inv = scan(vec![(
        "usr/bin/hello-auditable",
        gunzip("rust/hello-auditable.gz"),
    )]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(
        purls(&inv.packages),
        vec!["pkg:cargo/hello-auditable@0.1.0", "pkg:cargo/itoa@1.0.11"]
    );
    assert_eq!(meta(&inv.packages[0], "root"), Some("true"));
    insta::assert_json_snapshot!(inv.packages);
}

#[test]
fn auditable_zlib_bomb_is_an_error() {
    let mut binary = gunzip("rust/hello-auditable.gz");
    let mut bomb = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 9 << 20])
        .unwrap_or_else(|e| panic!("{e}"));
    let bomb = bomb.finish().unwrap_or_else(|e| panic!("{e}"));
    let at = binary.len() as u64;
    binary.extend_from_slice(&bomb);
    let header = section_header_at(&binary, b".dep-v0");
    binary[header + 24..header + 32].copy_from_slice(&at.to_le_bytes());
    binary[header + 32..header + 40].copy_from_slice(&(bomb.len() as u64).to_le_bytes());
    let inv = scan(vec![("bin/bomb", binary)]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert!(
        inv.errors[0].message.contains("decompresses past"),
        "{:?}",
        inv.errors
    );
}

/// Offset of the named section's header in a 64-bit little-endian ELF file (test helper).
fn section_header_at(elf: &[u8], name: &[u8]) -> usize {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([elf[at], elf[at + 1]]));
    let u64_at = |at: usize| {
        let bytes: [u8; 8] = elf[at..at + 8].try_into().unwrap_or_else(|e| panic!("{e}"));
        u64::from_le_bytes(bytes) as usize
    };
    let (shoff, entsize, count, strndx) = (u64_at(40), u16_at(58), u16_at(60), u16_at(62));
    let names = u64_at(shoff + strndx * entsize + 24);
    (0..count)
        .map(|i| shoff + i * entsize)
        .find(|&header| {
            let start = names
                + u32::from_le_bytes(elf[header..header + 4].try_into().unwrap_or_default())
                    as usize;
            elf[start..].starts_with(name) && elf[start + name.len()] == 0
        })
        .unwrap_or_else(|| panic!("no section {}", String::from_utf8_lossy(name)))
}

// ---- other ELF files, selection and hostile ELF input ----

#[test]
fn plain_elf_binaries_keep_nothing() {
    // This test program: a Rust binary built without cargo-auditable.
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let data = std::fs::read(&me).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    assert_eq!(binary::cataloger().reduce("usr/bin/x", data), None);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn elf_files_are_picked_by_magic_and_type() {
    let c = binary::cataloger();
    let mut head = gunzip("go/hello-amd64.gz");
    head.truncate(64);
    assert!(c.uses_magic() && c.wants_magic("usr/bin/hello", &head));
    assert!(!c.wants_magic("usr/share/doc/x/example", &head));
    assert!(!c.wants_path("usr/bin/hello"));
    head[16] = 1; // ET_REL: an object file or kernel module
    assert!(!c.wants_magic("lib/modules/x.ko", &head));
    assert!(!c.wants_magic("etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"));
    assert!(!c.wants_magic("x", b"\x7fEL"));
}

/// Every way of cutting or corrupting a binary reduces to nothing or to a payload that
/// catalogs to packages or an error; never a panic.
fn assert_survives(set: &CatalogerSet, path: &str, data: Vec<u8>) {
    if let Some(kept) = captured(set, path, data) {
        let inv = set.catalog(&FsView::from_files(vec![(path.to_string(), kept)]));
        assert!(inv.packages.len() < 100);
    }
}

#[test]
fn truncated_binaries_never_panic() {
    let set = set();
    for rel in [
        "go/hello-amd64.gz",
        "go/replaced-mips.gz",
        "rust/hello-auditable.gz",
    ] {
        let binary = gunzip(rel);
        let magic = memchr::memmem::find(&binary, b"\xff Go buildinf:").unwrap_or(0);
        let cuts = (0..256)
            .chain((0..binary.len()).step_by(4093))
            .chain(magic..magic + 512)
            .chain(binary.len().saturating_sub(2048)..binary.len());
        for cut in cuts {
            assert_survives(&set, "bin/x", binary[..cut.min(binary.len())].to_vec());
        }
    }
}

#[test]
fn corrupted_binaries_never_panic() {
    let set = set();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for rel in [
        "go/hello-amd64.gz",
        "go/replaced-mips.gz",
        "rust/hello-auditable.gz",
    ] {
        let original = gunzip(rel);
        let magic = memchr::memmem::find(&original, b"\xff Go buildinf:");
        // Where the interesting bytes are: the file header, the section header table at the
        // end, and the build info.
        let regions = [
            (0usize, 64usize),
            (original.len() - 4096, 4096),
            (magic.unwrap_or(0), 256),
        ];
        for _ in 0..600 {
            let mut data = original.clone();
            for _ in 0..4 {
                let (start, len) = regions[(next() % 3) as usize];
                let at = start + (next() as usize % len);
                data[at] = next() as u8;
            }
            assert_survives(&set, "bin/x", data);
        }
    }
}

#[test]
fn lying_go_build_info_length_is_an_error() {
    let mut binary = gunzip("go/hello-amd64.gz");
    let magic =
        memchr::memmem::find(&binary, b"\xff Go buildinf:").unwrap_or_else(|| panic!("no magic"));
    binary[magic + 32..magic + 37].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    let inv = scan(vec![("bin/hello", binary)]);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.errors.len(), 1);
    assert!(
        inv.errors[0]
            .message
            .starts_with("Go build info: Go version: length"),
        "{:?}",
        inv.errors
    );
}

// ---- go.mod ----

#[test]
fn go_mod_requires_with_indirect() {
    let inv = scan(vec![(
        "src/cmd/go.mod",
        fixture("go/gomod/go-1.19-cmd.go.mod"),
    )]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.packages.len(), 9);
    let crypto = inv
        .packages
        .iter()
        .find(|p| p.name == "golang.org/x/crypto");
    assert_eq!(crypto.and_then(|p| meta(p, "indirect")), Some("true"));
    insta::assert_json_snapshot!(inv.packages);
}

#[test]
fn go_mod_local_replace_and_goroot_skipped() {
    let inv = scan(vec![
        ("work/replaced/go.mod", fixture("go/src/replaced/go.mod")),
        (
            "usr/local/go/src/cmd/go.mod",
            fixture("go/gomod/go-1.19-cmd.go.mod"),
        ),
    ]);
    assert_eq!(
        purls(&inv.packages),
        vec!["pkg:golang/github.com/cespare/xxhash/v2@v2.1.1"]
    );
    assert_eq!(meta(&inv.packages[0], "replace_dir"), Some("./xxhash"));
}

// ---- Java ----

fn java_inventory() -> Inventory {
    scan(
        [
            "slf4j-nop.jar",
            "maven3-slf4j-provider.jar",
            "guice-jndi.jar",
            "jsr305-0.1~+svn49.jar",
            "app.war",
            "app.ear",
            "boot-demo.jar",
        ]
        .iter()
        .map(|name| (*name, fixture(&format!("java/{name}"))))
        .map(|(name, data)| {
            (
                Box::leak(format!("opt/app/{name}").into_boxed_str()) as &str,
                data,
            )
        })
        .collect(),
    )
}

#[test]
fn java_archives_and_nested_archives() {
    let inv = java_inventory();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    insta::assert_json_snapshot!(inv.packages);
}

#[test]
fn java_pom_properties_match_their_files() {
    let inv = java_inventory();
    let find = |purl: &str| {
        inv.packages
            .iter()
            .find(|p| p.purl == purl)
            .unwrap_or_else(|| panic!("no {purl} in {:#?}", purls(&inv.packages)))
    };
    // Oracle: `unzip -p <jar> META-INF/maven/*/*/pom.properties`.
    find("pkg:maven/org.slf4j/slf4j-nop@1.7.32");
    find("pkg:maven/org.apache.maven/maven-slf4j-provider@3.8.7");
    find("pkg:maven/org.slf4j/slf4j-simple@1.7.32");
    let api = find("pkg:maven/org.slf4j/slf4j-api@1.7.32");
    let mut paths: Vec<&str> = api.locations.iter().map(|l| l.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "/opt/app/app.ear:app.war:WEB-INF/lib/slf4j-api.jar",
            "/opt/app/app.war:WEB-INF/lib/slf4j-api.jar",
        ]
    );
    // Stored (uncompressed) nested jars, as Spring Boot writes them.
    let plexus = find("pkg:maven/org.codehaus.plexus/plexus-component-annotations@2.1.1");
    assert_eq!(
        plexus.locations[0].path,
        "/opt/app/boot-demo.jar:BOOT-INF/lib/plexus-component-annotations.jar"
    );
    // No pom.properties: manifest and file name.
    find("pkg:maven/com.google.inject/guice-jndi@4.2.3");
    find("pkg:maven/jsr305/jsr305@0.1~%2Bsvn49");
    find("pkg:maven/boot-demo/boot-demo@0.0.1");
}

fn zip_of(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, method) in entries {
        let options = SimpleFileOptions::default()
            .compression_method(*method)
            .large_file(data.len() > u32::MAX as usize);
        zip.start_file(*name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

#[test]
fn truncated_jars_are_errors_or_partial_never_panics() {
    let set = set();
    for name in ["app.war", "boot-demo.jar", "slf4j-nop.jar"] {
        let jar = fixture(&format!("java/{name}"));
        for cut in (0..jar.len()).step_by(97).chain(jar.len() - 200..jar.len()) {
            assert_survives(&set, "app/x.jar", jar[..cut].to_vec());
        }
    }
    let inv = scan(vec![("app/empty.jar", Vec::new())]);
    assert!(
        inv.errors[0]
            .message
            .starts_with("not a readable zip archive"),
        "{:?}",
        inv.errors
    );
}

/// A jar whose manifest (2 MiB) and one nested jar (80 MiB of zeros) inflate past the limits,
/// next to a real nested jar.
fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 80 << 20];
    let manifest = [
        b"Implementation-Title: bomb\nImplementation-Version: 9\nX: ".as_slice(),
        &vec![b'a'; 2 << 20],
    ]
    .concat();
    zip_of(&[
        (
            "META-INF/MANIFEST.MF",
            &manifest,
            CompressionMethod::Deflated,
        ),
        ("lib/zeros.jar", &zeros, CompressionMethod::Deflated),
        (
            "lib/slf4j-nop.jar",
            &fixture("java/slf4j-nop.jar"),
            CompressionMethod::Deflated,
        ),
    ])
}

#[test]
fn zip_bomb_entries_are_refused() {
    let bomb = zip_bomb();
    assert!(bomb.len() < 1 << 20);
    let started = Instant::now();
    let kept = java::cataloger()
        .reduce("app/bomb-1.0.jar", bomb.clone())
        .unwrap_or_else(|| panic!("dropped"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(kept.len() < 4096, "payload is {} bytes", kept.len());
    let text = String::from_utf8_lossy(&kept);
    assert!(text.contains("lib/zeros.jar: inflates past"), "{text}");
    let inv = scan(vec![("app/bomb-1.0.jar", bomb)]);
    // The oversized manifest is skipped, so the file name names the archive.
    assert_eq!(
        purls(&inv.packages),
        vec![
            "pkg:maven/bomb/bomb@1.0",
            "pkg:maven/org.slf4j/slf4j-nop@1.7.32"
        ]
    );
}

/// A nested-archive bomb: each level holds one archive and many overlapping entries that
/// point at its bytes, so the tree fans out exponentially while the file stays small.
fn fan_out(inner: &[u8], copies: usize, method: CompressionMethod) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    zip.start_file("lib/l0.jar", options)
        .unwrap_or_else(|e| panic!("{e}"));
    zip.write_all(inner).unwrap_or_else(|e| panic!("{e}"));
    for i in 1..copies {
        zip.shallow_copy_file("lib/l0.jar", &format!("lib/l{i}.jar"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

#[test]
fn nested_archive_bombs_stop_at_their_limits() {
    for method in [CompressionMethod::Stored, CompressionMethod::Deflated] {
        let mut bomb = fixture("java/slf4j-nop.jar");
        for _ in 0..6 {
            bomb = fan_out(&bomb, 64, method);
        }
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        let started = Instant::now();
        let inv = scan(vec![("app/bomb.war", bomb.clone())]);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{method:?}: {:?}",
            started.elapsed()
        );
        // The slf4j-nop jar 6 levels down is reached along the first branches (depth bound 8);
        // the archive or byte budget stops the fan-out, and that stop is reported as skipped.
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert!(
            purls(&inv.packages)
                .iter()
                .all(|p| p.starts_with("pkg:maven/org.slf4j/slf4j-nop@")),
            "{:?}",
            purls(&inv.packages)
        );
        let notes: Vec<&str> = inv.skipped.iter().map(|s| s.message.as_str()).collect();
        assert!(
            notes
                .iter()
                .any(|n| n.contains("more than 4096 nested archives") || n.contains("byte limit")),
            "{notes:?}"
        );
        let kept = java::cataloger()
            .reduce("app/bomb.war", bomb)
            .unwrap_or_else(|| panic!("dropped"));
        let payload: serde_json::Value =
            serde_json::from_slice(&kept[7..]).unwrap_or_else(|e| panic!("{e}"));
        let archives = payload["archives"].as_array().map_or(0, Vec::len);
        let skipped = payload["skipped"].to_string();
        eprintln!(
            "{method:?}: {archives} archives, {} payload bytes, skipped {skipped}",
            kept.len()
        );
        assert!(archives <= 4096, "{archives}");
        assert!(
            skipped.contains("more than 4096 nested archives") || skipped.contains("byte limit"),
            "{skipped}"
        );
    }
}

/// `inner` stored as `lib/level{n}.jar` inside a new archive, `levels` times.
fn nest(inner: Vec<u8>, levels: usize) -> Vec<u8> {
    (0..levels).fold(inner, |jar, n| {
        zip_of(&[(
            &format!("lib/level{n}.jar"),
            &jar,
            CompressionMethod::Deflated,
        )])
    })
}

/// A jar nested 5 deep (a fat jar inside a war inside an ear …) is inventoried; one nested
/// deeper than the bound is not dropped silently but reported as skipped.
#[test]
fn deeply_nested_jars_are_read_or_reported() {
    let log4j = zip_of(&[(
        "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
        b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n",
        CompressionMethod::Deflated,
    )]);
    let inv = scan(vec![("app/deep.ear", nest(log4j.clone(), 5))]);
    assert!(inv.errors.is_empty() && inv.skipped.is_empty(), "{inv:?}");
    assert_eq!(
        purls(&inv.packages),
        ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    );

    let inv = scan(vec![("app/deeper.ear", nest(log4j, 10))]);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert!(inv.packages.is_empty(), "{:?}", purls(&inv.packages));
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
    let s = &inv.skipped[0];
    assert_eq!((s.cataloger, s.path.as_str()), ("java", "/app/deeper.ear"));
    assert!(
        s.message.contains("lib/level1.jar") && s.message.contains("nested more than 8"),
        "{}",
        s.message
    );
}
