//! Language-ecosystem catalogers (python, npm/yarn, ruby, php, dotnet, cargo) on real files
//! from `testdata/` (origins in each `SOURCES.md`), checked against the tools' own views where
//! the tool is on this machine (`*.oracle`), and fed truncated and hostile input.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use seaworthy_inventory::catalogers::{cargo_lock, dotnet, npm, php, python, python_lock, ruby};
use seaworthy_inventory::{Cataloger, CatalogerSet, Env, Inventory};
use seaworthy_oci::{FileRef, FsView};

fn testdata(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `catalogers` over an image holding `files` (image path, testdata path).
fn scan(catalogers: Vec<Box<dyn Cataloger>>, files: &[(&str, &str)]) -> Inventory {
    let fs = FsView::from_files(
        files
            .iter()
            .map(|(image, rel)| (image.to_string(), testdata(rel))),
    );
    CatalogerSet::new(catalogers).catalog(&fs)
}

/// One line per package (and per error), for snapshots.
fn listing(inv: &Inventory) -> String {
    let mut out = String::new();
    for p in &inv.packages {
        out.push_str(&format!("{} {} {}", p.name, p.version, p.purl));
        if !p.licenses.is_empty() {
            out.push_str(&format!(" licenses={:?}", p.licenses));
        }
        if let Some(s) = &p.source {
            out.push_str(&format!(" source={}@{}", s.name, s.version));
        }
        for (k, v) in &p.metadata {
            out.push_str(&format!(" {k}={v}"));
        }
        let paths: Vec<&str> = p.locations.iter().map(|l| l.path.as_str()).collect();
        out.push_str(&format!(" [{}] <{}>\n", paths.join(", "), p.cataloger));
    }
    for e in &inv.errors {
        out.push_str(&format!(
            "ERROR {} {}: {}\n",
            e.cataloger, e.path, e.message
        ));
    }
    out
}

fn name_versions(inv: &Inventory, sep: &str) -> BTreeSet<String> {
    inv.packages
        .iter()
        .map(|p| format!("{}{sep}{}", p.name, p.version))
        .collect()
}

fn oracle(rel: &str, parse: impl Fn(&str) -> String) -> BTreeSet<String> {
    String::from_utf8(testdata(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// python

const SITE: &str = "usr/local/lib/python3.11/site-packages";
const DIST: &str = "usr/lib/python3/dist-packages";

fn python_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for d in [
        "MarkupSafe-3.0.2",
        "packaging-25.0",
        "six-1.17.0",
        "typing_extensions-4.13.2",
        "zope.interface-7.2",
    ] {
        files.push((
            format!("{SITE}/{d}.dist-info/METADATA"),
            format!("python/{d}.dist-info/METADATA"),
        ));
    }
    for d in [
        "lazr.restfulclient-0.14.5",
        "PyJWT-2.6.0",
        "python_apt-2.6.0",
    ] {
        files.push((
            format!("{DIST}/{d}.egg-info/PKG-INFO"),
            format!("python/{d}.egg-info/PKG-INFO"),
        ));
    }
    files.push((
        "usr/local/lib/python2.7/wsgiref.egg-info".into(),
        "python/wsgiref.egg-info".into(),
    ));
    files
}

fn python_inventory() -> Inventory {
    let files = python_files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    scan(vec![python::cataloger()], &refs)
}

#[test]
fn python_site_packages() {
    let inv = python_inventory();
    insta::assert_snapshot!(listing(&inv));
}

/// `pip list --path` over the same files (it does not list the version-less `wsgiref.egg-info`).
#[test]
fn python_matches_pip_list() {
    let inv = python_inventory();
    let mut ours = name_versions(&inv, "==");
    assert!(ours.remove("wsgiref==0.1.2"));
    assert_eq!(ours, oracle("python/pip-list.oracle", str::to_string));
}

#[test]
fn python_ignores_other_files() {
    let c = python::cataloger();
    assert!(!c.wants_path("usr/lib/python3/dist-packages/six-1.17.0.dist-info/RECORD"));
    assert!(!c.wants_path("usr/lib/python3/dist-packages/six.py"));
    assert!(c.wants_path("opt/app/.venv/lib/python3.12/site-packages/a-1.dist-info/METADATA"));
}

// ---------------------------------------------------------------------------------------------
// python lockfiles

const PYTHON_LOCKS: &[(&str, &str)] = &[
    ("app/requirements.txt", "python-lock/requirements.txt"),
    ("srv/poetry.lock", "python-lock/poetry.lock"),
    ("web/Pipfile.lock", "python-lock/Pipfile.lock"),
];

/// [`listing`] and the parts skipped, one line each.
fn listing_and_skipped(inv: &Inventory) -> String {
    let mut out = listing(inv);
    for s in &inv.skipped {
        out.push_str(&format!(
            "SKIPPED {} {}: {}\n",
            s.cataloger, s.path, s.message
        ));
    }
    out
}

/// Exact pins from a `pip-compile` file, Poetry's `[[package]]` tables and Pipenv's `default`
/// and `develop`; ranges, URLs, editables and path dependencies left out; malformed entries
/// skipped and noted (see `testdata/python-lock/SOURCES.md`).
#[test]
fn python_lockfiles() {
    let inv = scan(python_lock::catalogers(), PYTHON_LOCKS);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let django = inv
        .packages
        .iter()
        .find(|p| p.name == "Django")
        .unwrap_or_else(|| panic!("Django"));
    assert_eq!(django.purl, "pkg:pypi/django@3.2.12");
    assert_eq!(django.ecosystem.to_string(), "pypi");
    assert_eq!(django.locations[0].path, "/app/requirements.txt");
    assert_eq!(inv.skipped.len(), 4, "{:#?}", inv.skipped);
    insta::assert_snapshot!(listing_and_skipped(&inv));
}

#[test]
fn python_lockfiles_inside_site_packages_are_not_read() {
    for c in python_lock::catalogers() {
        for path in [
            "usr/local/lib/python3.11/site-packages/a/requirements.txt",
            "usr/lib/python3/dist-packages/a/poetry.lock",
            "app/.venv/lib/python3.11/site-packages/a/Pipfile.lock",
        ] {
            assert!(!c.wants_path(path), "{} {path}", c.name());
        }
    }
}

/// A 40 MiB line, a line of NULs, binary junk: skipped or an error, never a panic.
#[test]
fn python_lockfiles_hostile_input() {
    let mut huge = "a".repeat(40 << 20);
    huge.push_str("==1.0\nsix==1.17.0\n");
    let limits = seaworthy_oci::Limits::default();
    let fs = FsView::from_files(Vec::<(String, Vec<u8>)>::new());
    let env = Env::new(None, &fs, &limits);
    let [req, poetry, pipfile] = <[Box<dyn Cataloger>; 3]>::try_from(python_lock::catalogers())
        .unwrap_or_else(|_| panic!("three catalogers"));
    let file = |path, data| FileRef {
        path,
        layer: 0,
        data,
    };
    let found = req
        .catalog(&file("requirements.txt", huge.as_bytes()), &env)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "six");
    let skipped = env.take_skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("line 1: longer than"), "{skipped:?}");

    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (c, path) in [
        (&req, "requirements.txt"),
        (&poetry, "poetry.lock"),
        (&pipfile, "Pipfile.lock"),
    ] {
        assert!(c.catalog(&file(path, &junk), &env).is_err(), "{path}");
        let nul_line = b"\0\0\0==\0\n[[package]]\n{\0}";
        let _ = c.catalog(&file(path, nul_line), &env);
    }
    expect_err("requirements.txt", b"six==1.17.0\n\xff\n", "UTF-8");
    expect_err("poetry.lock", b"[[package]]\nname = \"\xff\"\n", "UTF-8");
    expect_err("poetry.lock", b"[[package]\n", "poetry.lock");
    expect_err("Pipfile.lock", b"{\"default\": {", "JSON");
    expect_err("Pipfile.lock", b"{\"_meta\": {}}", "default");

    // More pins than one file may hold is an error naming the limit.
    let small = seaworthy_oci::Limits {
        max_packages_per_file: 3,
        ..seaworthy_oci::Limits::default()
    };
    let env = Env::new(None, &fs, &small);
    let many = "a==1\nb==1\nc==1\nd==1\n";
    let e = req
        .catalog(&file("requirements.txt", many.as_bytes()), &env)
        .err()
        .unwrap_or_default();
    assert!(e.contains("max_packages_per_file"), "{e}");
    let many = "[[package]]\nname = \"a\"\nversion = \"1\"\n".repeat(4);
    let e = poetry
        .catalog(&file("poetry.lock", many.as_bytes()), &env)
        .err()
        .unwrap_or_default();
    assert!(e.contains("max_packages_per_file"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// npm / yarn

const NPM_MANIFESTS: &[&str] = &[
    "npm/package.json",
    "npm/node_modules/abbrev/package.json",
    "npm/node_modules/@npmcli/fs/package.json",
    "npm/node_modules/qrcode-terminal/package.json",
    "npm/node_modules/tar/node_modules/minipass/package.json",
    "npm/node_modules/wrap-ansi-cjs/package.json",
    "npm/node_modules/glob/dist/esm/package.json",
];

#[test]
fn npm_installed_packages() {
    let files: Vec<(String, String)> = NPM_MANIFESTS
        .iter()
        .map(|m| {
            (
                format!("usr/lib/node_modules/{m}"),
                format!("npm/node_modules/{m}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let inv = scan(npm::catalogers(), &refs);
    insta::assert_snapshot!(listing(&inv));
}

fn npm_lock(rel: &str) -> Inventory {
    scan(npm::catalogers(), &[("app/package-lock.json", rel)])
}

#[test]
fn npm_lock_v3() {
    insta::assert_snapshot!(listing(&npm_lock("npm/package-lock.v3.json")));
}

/// The same project written as lockfile v2 finds what v3 finds; v1 records no version for
/// `file:` dependencies, so it finds none of them.
#[test]
fn npm_lock_versions_agree() {
    let v3 = npm_lock("npm/package-lock.v3.json");
    let v2 = npm_lock("npm/package-lock.v2.json");
    let v1 = npm_lock("npm/package-lock.v1.json");
    assert_eq!(listing(&v2), listing(&v3));
    assert!(
        v1.packages.is_empty() && v1.errors.is_empty(),
        "{}",
        listing(&v1)
    );
}

/// A real v1 lockfile of registry packages, against `npm ls --all --package-lock-only`
/// (and, for the packages not marked `dev`, the same with `--omit=dev`).
#[test]
fn npm_lock_v1_matches_npm_ls() {
    let inv = npm_lock("npm/d3flamegraph-package-lock.json");
    assert!(inv.errors.is_empty(), "{}", listing(&inv));
    let ours = name_versions(&inv, "@");
    assert_eq!(
        ours,
        oracle("npm/d3flamegraph-npm-ls.oracle", str::to_string)
    );
    let prod: BTreeSet<String> = inv
        .packages
        .iter()
        .filter(|p| !p.metadata.iter().any(|(k, v)| k == "dev" && v == "true"))
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    assert_eq!(
        prod,
        oracle("npm/d3flamegraph-npm-ls-omit-dev.oracle", str::to_string)
    );
}

#[test]
fn yarn_v1() {
    let inv = scan(npm::catalogers(), &[("app/yarn.lock", "npm/yarn-v1.lock")]);
    insta::assert_snapshot!(listing(&inv));
}

#[test]
fn yarn_berry() {
    let inv = scan(
        npm::catalogers(),
        &[("app/yarn.lock", "npm/yarn-berry.lock")],
    );
    insta::assert_snapshot!(listing(&inv));
}

#[test]
fn npm_lockfiles_inside_node_modules_are_not_read() {
    let inv = scan(
        npm::catalogers(),
        &[
            ("app/node_modules/x/yarn.lock", "npm/yarn-berry.lock"),
            (
                "app/node_modules/x/package-lock.json",
                "npm/package-lock.v3.json",
            ),
        ],
    );
    assert!(
        inv.packages.is_empty() && inv.errors.is_empty(),
        "{}",
        listing(&inv)
    );
}

// ---------------------------------------------------------------------------------------------
// ruby

const GEMSPECS: &[(&str, &str)] = &[
    (
        "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
        "ruby/rack-2.2.22.gemspec",
    ),
    (
        "usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/specifications/json-2.6.3.gemspec",
        "ruby/json-2.6.3.gemspec",
    ),
    (
        "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
        "ruby/rake-13.0.6.gemspec",
    ),
    (
        "usr/lib/ruby/gems/3.1.0/specifications/test-unit-3.5.3.gemspec",
        "ruby/test-unit-3.5.3.gemspec",
    ),
    (
        "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
        "ruby/default/json-2.6.1.gemspec",
    ),
    (
        "usr/lib/ruby/gems/3.1.0/specifications/default/openssl-3.0.1.gemspec",
        "ruby/default/openssl-3.0.1.gemspec",
    ),
    (
        "usr/lib/ruby/gems/3.1.0/specifications/default/rdoc-6.4.1.1.gemspec",
        "ruby/default/rdoc-6.4.1.1.gemspec",
    ),
];

#[test]
fn ruby_gemspecs() {
    let inv = scan(vec![ruby::cataloger()], GEMSPECS);
    insta::assert_snapshot!(listing(&inv));
}

/// `Gem::Specification.load` (Ruby 3.1) on the same files: name, version, licenses.
#[test]
fn ruby_matches_gem_specification_load() {
    let inv = scan(vec![ruby::cataloger()], GEMSPECS);
    let ours: BTreeSet<String> = inv
        .packages
        .iter()
        .map(|p| format!("{} {} {}", p.name, p.version, p.licenses.join(",")))
        .collect();
    assert_eq!(ours, oracle("ruby/gem-spec-load.oracle", str::to_string));
}

#[test]
fn ruby_ignores_gemspecs_outside_specifications() {
    let c = ruby::cataloger();
    assert!(!c.wants_path("usr/lib/ruby/gems/3.1.0/gems/rack-2.2.22/rack.gemspec"));
    assert!(c.wants_path("usr/local/bundle/specifications/rack-3.0.0.gemspec"));
}

// ---------------------------------------------------------------------------------------------
// php, dotnet, cargo

#[test]
fn composer_v1() {
    let inv = scan(
        vec![php::cataloger()],
        &[(
            "var/www/vendor/composer/installed.json",
            "php/composer-v1-installed.json",
        )],
    );
    insta::assert_snapshot!(listing(&inv));
}

#[test]
fn composer_v2() {
    let inv = scan(
        vec![php::cataloger()],
        &[(
            "usr/share/mediawiki/vendor/composer/installed.json",
            "php/mediawiki-installed.json",
        )],
    );
    assert_eq!(inv.packages.len(), 67);
    insta::assert_snapshot!(listing(&inv));
}

#[test]
fn dotnet_deps_json() {
    let inv = scan(
        vec![dotnet::cataloger()],
        &[(
            "app/pythonnet/runtime/Python.Runtime.deps.json",
            "dotnet/Python.Runtime.deps.json",
        )],
    );
    insta::assert_snapshot!(listing(&inv));
}

#[test]
fn cargo_lock_v4() {
    let inv = scan(
        vec![cargo_lock::cataloger()],
        &[("src/app/Cargo.lock", "cargo/Cargo.v4.lock")],
    );
    insta::assert_snapshot!(listing(&inv));
}

/// A lockfile is rewritten whole: `cargo update -p itoa` in a later layer takes itoa only, and
/// a `chown -R` above that takes nothing.
#[test]
fn lockfile_packages_belong_to_the_layer_that_added_them() {
    use seaworthy_oci::ContentFilter;
    const LOCK: &str = "src/app/Cargo.lock";
    let set = CatalogerSet::new(vec![cargo_lock::cataloger()]);
    assert!(
        set.keeps_versions(LOCK),
        "the layer walk keeps its versions"
    );
    let current = testdata("cargo/Cargo.v4.lock");
    let text = String::from_utf8_lossy(&current);
    assert_eq!(text.matches("version = \"1.0.19\"").count(), 1);
    let older = text.replace("version = \"1.0.19\"", "version = \"1.0.18\"");
    let fs = FsView::from_layers(vec![
        support::layer(vec![(LOCK, older.into_bytes())]),
        support::layer(vec![(LOCK, current.clone())]),
        support::layer(vec![(LOCK, current)]),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let inv = set.catalog(&fs);
    assert!(inv.errors.is_empty() && inv.skipped.is_empty(), "{inv:?}");
    assert!(inv.packages.len() > 2);
    for p in &inv.packages {
        let expected = if p.name == "itoa" { 1 } else { 0 };
        assert_eq!(p.locations[0].layer, expected, "{}", p.name);
    }
}

/// `cargo metadata` on the project that lockfile belongs to; packages without a source are
/// the workspace's own.
#[test]
fn cargo_lock_matches_cargo_metadata() {
    let inv = scan(
        vec![cargo_lock::cataloger()],
        &[("Cargo.lock", "cargo/Cargo.v4.lock")],
    );
    let expected = oracle("cargo/Cargo.v4.cargo-metadata.oracle", |l| l.to_string())
        .into_iter()
        .filter(|l| !l.ends_with(" -"))
        .map(|l| {
            l.rsplit_once(' ')
                .map(|(nv, _)| nv.to_string())
                .unwrap_or(l)
        })
        .collect::<BTreeSet<_>>();
    assert_eq!(name_versions(&inv, " "), expected);
}

#[test]
fn cargo_lock_v1() {
    let inv = scan(
        vec![cargo_lock::cataloger()],
        &[(
            "src/same-file/Cargo.lock",
            "cargo/same-file-1.0.6.Cargo.lock",
        )],
    );
    insta::assert_snapshot!(listing(&inv));
}

// ---------------------------------------------------------------------------------------------
// hostile input

/// Every fixture with the image path its cataloger reads it at.
fn all_fixtures() -> Vec<(String, String)> {
    let mut all = python_files();
    for m in NPM_MANIFESTS.iter().filter(|m| !m.contains("/dist/")) {
        all.push((format!("node_modules/{m}"), format!("npm/node_modules/{m}")));
    }
    for lock in [
        "package-lock.v1.json",
        "package-lock.v2.json",
        "package-lock.v3.json",
        "d3flamegraph-package-lock.json",
    ] {
        all.push(("package-lock.json".into(), format!("npm/{lock}")));
    }
    for lock in ["yarn-v1.lock", "yarn-berry.lock"] {
        all.push(("yarn.lock".into(), format!("npm/{lock}")));
    }
    for (image, rel) in GEMSPECS {
        all.push((image.to_string(), rel.to_string()));
    }
    for f in ["composer-v1-installed.json", "mediawiki-installed.json"] {
        all.push(("vendor/composer/installed.json".into(), format!("php/{f}")));
    }
    all.push((
        "a/App.deps.json".into(),
        "dotnet/Python.Runtime.deps.json".into(),
    ));
    for f in ["Cargo.v4.lock", "same-file-1.0.6.Cargo.lock"] {
        all.push(("Cargo.lock".into(), format!("cargo/{f}")));
    }
    for (image, rel) in PYTHON_LOCKS {
        all.push((image.to_string(), rel.to_string()));
    }
    all
}

fn every_cataloger() -> Vec<Box<dyn Cataloger>> {
    let mut all = vec![
        python::cataloger(),
        ruby::cataloger(),
        php::cataloger(),
        dotnet::cataloger(),
        cargo_lock::cataloger(),
    ];
    all.extend(npm::catalogers());
    all.extend(python_lock::catalogers());
    all
}

/// Runs every cataloger that wants `path` on `data`; returns the results.
fn run_on(path: &str, data: &[u8]) -> Vec<Result<usize, String>> {
    let fs = FsView::from_files(Vec::<(String, Vec<u8>)>::new());
    let limits = seaworthy_oci::Limits::default();
    let env = Env::new(None, &fs, &limits);
    let file = FileRef {
        path,
        layer: 0,
        data,
    };
    every_cataloger()
        .iter()
        .filter(|c| c.wants_path(path))
        .map(|c| c.catalog(&file, &env).map(|p| p.len()))
        .collect()
}

/// Offsets to cut `len` bytes at: all of a small file, ~300 spread over a large one.
fn cuts(len: usize) -> Vec<usize> {
    let step = (len / 300).max(1);
    (0..len)
        .step_by(step)
        .chain([len.saturating_sub(1)])
        .collect()
}

#[test]
fn truncated_fixtures_never_panic() {
    for (path, rel) in all_fixtures() {
        let data = testdata(&rel);
        let full = run_on(&path, &data);
        assert!(!full.is_empty(), "no cataloger wants {path}");
        assert!(full.iter().all(Result::is_ok), "{rel}: {full:?}");
        for cut in cuts(data.len()) {
            let _ = run_on(&path, data.get(..cut).unwrap_or_default());
        }
    }
}

#[test]
fn corrupted_fixtures_never_panic() {
    for (path, rel) in all_fixtures() {
        let data = testdata(&rel);
        for at in cuts(data.len()).into_iter().step_by(7) {
            for byte in [0xff, b'"', b'{', b'[', b'\n', b':', b'@', b'/', 0] {
                let mut bad = data.clone();
                if let Some(b) = bad.get_mut(at) {
                    *b = byte;
                }
                let _ = run_on(&path, &bad);
            }
        }
    }
}

fn expect_err(path: &str, data: &[u8], needle: &str) {
    let results = run_on(path, data);
    assert!(!results.is_empty(), "no cataloger wants {path}");
    for r in results {
        match r {
            Err(e) => assert!(
                e.to_lowercase().contains(&needle.to_lowercase()),
                "{path}: {e:?} lacks {needle:?}"
            ),
            Ok(n) => panic!("{path}: accepted hostile input ({n} packages)"),
        }
    }
}

#[test]
fn invalid_utf8_is_an_error() {
    expect_err(
        "a/x-1.dist-info/METADATA",
        b"Name: \xff\nVersion: 1\n",
        "UTF-8",
    );
    expect_err(
        "specifications/x-1.gemspec",
        b"s.name = \"\xff\"\n",
        "UTF-8",
    );
    expect_err("yarn.lock", b"a@1:\n  version \"\xfe\"\n", "UTF-8");
    expect_err("Cargo.lock", b"[[package]]\nname = \"\xff\"\n", "UTF-8");
    expect_err(
        "node_modules/a/package.json",
        b"{\"name\": \"\xff\"}",
        "JSON",
    );
}

#[test]
fn deep_nesting_is_an_error() {
    // Nesting the parser would have to build is refused by its recursion limit; nesting where
    // no cataloger reads is skipped without building it (linear, no recursion), and the file
    // is then an error for what it lacks (composer: the first package has no name).
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (path, needle) in [
        ("node_modules/a/package.json", "JSON"),
        ("package-lock.json", "JSON"),
        ("vendor/composer/installed.json", "name"),
        ("a.deps.json", "JSON"),
    ] {
        expect_err(path, deep_json.as_bytes(), needle);
    }
    let deep_object = format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    for (path, needle) in [
        ("node_modules/a/package.json", "JSON"),
        ("package-lock.json", "JSON"),
        ("vendor/composer/installed.json", "JSON"),
        ("a.deps.json", "JSON"),
    ] {
        expect_err(path, deep_object.as_bytes(), needle);
    }

    let mut yaml = String::from("__metadata:\n  version: 8\n\"a@npm:1\":\n  x: ");
    yaml.push_str(&"[".repeat(100_000));
    expect_err("yarn.lock", yaml.as_bytes(), "YAML");

    let toml = format!(
        "[[package]]\nname = \"a\"\nversion = \"1\"\nx = {}",
        "[".repeat(100_000)
    );
    expect_err("Cargo.lock", toml.as_bytes(), "Cargo.lock");
}

/// A v1 tree nested deeper than the walk allows (but within the JSON parser's limit).
#[test]
fn deep_package_lock_v1_is_an_error() {
    let mut lock = String::from("{\"lockfileVersion\": 1, \"dependencies\": ");
    let depth = 60;
    for _ in 0..depth {
        lock.push_str("{\"a\": {\"version\": \"1.0.0\", \"dependencies\": ");
    }
    lock.push_str("{}");
    for _ in 0..depth {
        lock.push_str("}}");
    }
    lock.push('}');
    expect_err("package-lock.json", lock.as_bytes(), "nested deeper");
}

#[test]
fn missing_fields_are_named() {
    expect_err("a/x-1.dist-info/METADATA", b"Name: x\n", "Version");
    expect_err(
        "node_modules/a/package.json",
        b"{\"name\": \"a\"}",
        "version",
    );
    expect_err(
        "specifications/x-1.gemspec",
        b"s.version = \"1\"\n",
        "s.name",
    );
    expect_err(
        "vendor/composer/installed.json",
        b"[{\"name\": \"a/b\"}]",
        "version",
    );
    expect_err(
        "vendor/composer/installed.json",
        b"{\"x\": 1}",
        "Composer 2",
    );
    expect_err(
        "a.deps.json",
        b"{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}}}",
        "Name/Version",
    );
    expect_err("package-lock.json", b"{\"lockfileVersion\": 3}", "packages");
}

// ---------------------------------------------------------------------------------------------
// one package, many sightings

/// A v3 `package-lock.json` of project `app` listing `deps` (name, version).
fn lockfile(deps: &[(&str, &str)]) -> Vec<u8> {
    let mut packages = serde_json::Map::new();
    let root: serde_json::Map<String, serde_json::Value> = deps
        .iter()
        .map(|(n, v)| (n.to_string(), serde_json::Value::from(*v)))
        .collect();
    packages.insert(
        String::new(),
        serde_json::json!({ "name": "app", "version": "1.0.0", "dependencies": root }),
    );
    for (name, version) in deps {
        packages.insert(
            format!("node_modules/{name}"),
            serde_json::json!({
                "version": version,
                "resolved": format!("https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"),
                "license": "MIT",
            }),
        );
    }
    serde_json::to_vec(&serde_json::json!({
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": true,
        "packages": packages,
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn installed(name: &str, version: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "name": name,
        "version": version,
        "license": "MIT",
        "main": format!("{name}.js"),
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `COPY package-lock.json` then `npm ci`: lodash in the lockfile and installed beside it is one
/// package with two locations, the installed manifest first (its layer); a lockfile entry that
/// is not installed, and the same lodash in another project's lockfile, stay packages of their
/// own.
#[test]
fn lockfile_and_installed_manifest_of_one_project_are_one_package() {
    let fs = FsView::from_layers(vec![
        support::layer(vec![
            (
                "app/package-lock.json",
                lockfile(&[("lodash", "4.17.20"), ("left-pad", "1.3.0")]),
            ),
            (
                "other/package-lock.json",
                lockfile(&[("lodash", "4.17.20")]),
            ),
        ]),
        support::layer(vec![(
            "app/node_modules/lodash/package.json",
            installed("lodash", "4.17.20"),
        )]),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let inv = CatalogerSet::new(npm::catalogers()).catalog(&fs);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let lodash: Vec<_> = inv.packages.iter().filter(|p| p.name == "lodash").collect();
    assert_eq!(lodash.len(), 2, "{lodash:#?}");
    let app = lodash
        .iter()
        .find(|p| p.cataloger == "npm-package")
        .unwrap_or_else(|| panic!("the installed lodash"));
    assert_eq!(app.version, "4.17.20");
    assert_eq!(app.purl, "pkg:npm/lodash@4.17.20");
    let at: Vec<(&str, usize)> = app
        .locations
        .iter()
        .map(|l| (l.path.as_str(), l.layer))
        .collect();
    assert_eq!(
        at,
        [
            ("/app/node_modules/lodash/package.json", 1),
            ("/app/package-lock.json", 0)
        ]
    );
    let other = lodash
        .iter()
        .find(|p| p.cataloger == "npm-lock")
        .unwrap_or_else(|| panic!("the other project's lodash"));
    assert_eq!(other.locations[0].path, "/other/package-lock.json");
    let left_pad: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.name == "left-pad")
        .collect();
    assert_eq!(left_pad.len(), 1);
    assert_eq!(left_pad[0].cataloger, "npm-lock");
    insta::assert_snapshot!(listing(&inv));
}

/// `pip install -r requirements.txt` into the project's virtual environment: Django 3.2.12 in
/// `/app/requirements.txt` and installed in `/app/.venv` is one package with two locations,
/// the installed metadata first (its layer); the same pin in another project's lockfile, a pin
/// not installed, and a package of the system site-packages stay packages of their own.
#[test]
fn python_lockfile_and_virtualenv_of_one_project_are_one_package() {
    let metadata = |name: &str, version: &str| {
        format!(
            "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: BSD-3-Clause\n\n"
        )
        .into_bytes()
    };
    let fs = FsView::from_layers(vec![
        support::layer(vec![
            (
                "app/requirements.txt",
                b"Django==3.2.12\nsqlparse==0.4.4\nsix==1.17.0\n".to_vec(),
            ),
            ("other/requirements.txt", b"django==3.2.12\n".to_vec()),
            // A project without an environment of its own: pip installed into the system's.
            ("srv/requirements.txt", b"six==1.17.0\n".to_vec()),
            (
                "usr/local/lib/python3.11/site-packages/six-1.17.0.dist-info/METADATA",
                metadata("six", "1.17.0"),
            ),
        ]),
        support::layer(vec![(
            "app/.venv/lib/python3.11/site-packages/Django-3.2.12.dist-info/METADATA",
            metadata("Django", "3.2.12"),
        )]),
    ])
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mut catalogers = vec![python::cataloger()];
    catalogers.extend(python_lock::catalogers());
    let inv = CatalogerSet::new(catalogers).catalog(&fs);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let django: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.name.eq_ignore_ascii_case("django"))
        .collect();
    assert_eq!(django.len(), 2, "{django:#?}");
    let app = django
        .iter()
        .find(|p| p.cataloger == "python")
        .unwrap_or_else(|| panic!("the installed Django"));
    assert_eq!(app.purl, "pkg:pypi/django@3.2.12");
    let at: Vec<(&str, usize)> = app
        .locations
        .iter()
        .map(|l| (l.path.as_str(), l.layer))
        .collect();
    assert_eq!(
        at,
        [
            (
                "/app/.venv/lib/python3.11/site-packages/Django-3.2.12.dist-info/METADATA",
                1
            ),
            ("/app/requirements.txt", 0)
        ]
    );
    let other = django
        .iter()
        .find(|p| p.cataloger == "pip-requirements")
        .unwrap_or_else(|| panic!("the other project's Django"));
    assert_eq!(other.locations.len(), 1);
    assert_eq!(other.locations[0].path, "/other/requirements.txt");
    // /app has its own environment, so its pin of six is not the system's six; /srv has none,
    // so its pin is the six `pip install -r` put in the system site-packages.
    let six: Vec<_> = inv.packages.iter().filter(|p| p.name == "six").collect();
    assert_eq!(six.len(), 2, "{six:#?}");
    let system = six
        .iter()
        .find(|p| p.cataloger == "python")
        .unwrap_or_else(|| panic!("the installed six"));
    let at: Vec<&str> = system.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        at,
        [
            "/usr/local/lib/python3.11/site-packages/six-1.17.0.dist-info/METADATA",
            "/srv/requirements.txt"
        ]
    );
    insta::assert_snapshot!(listing(&inv));
}
