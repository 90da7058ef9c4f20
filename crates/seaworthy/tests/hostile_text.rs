//! Issue 17 item 2: control characters from data never reach a terminal or a CI log.
//!
//! Every input that can carry text seaworthy shows (a hardlink name, a `manifest.json` layer or
//! config path, a tar header, a cataloger's file path, an OCI tag, a Dockerfile instruction, a
//! compose service key or volume, a `docker run` flag or `-v` value, a feed zip entry name) gets
//! [`EVIL`]: ESC sequences, BEL, CR, LF, a forged GitHub Actions workflow command and a bidi
//! override. Each is run through the binary in every human format the command has (table, github,
//! stderr) and the output is checked byte by byte; JSON and SARIF must still parse and carry the
//! text as data. Error messages stay under a cap whatever the input's size.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use image_util::{Blob, Layer, oci_layout};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

/// Text an attacker controls: colors and a window title (ESC), a bell, a carriage return that
/// would overwrite the line, a line feed starting a forged workflow command, DEL, the 8-bit CSI
/// and a right-to-left override.
const EVIL: &str =
    "e\u{1b}[31mR\u{1b}]0;pwned\u{7}\r\u{7f}\u{9b}2J\u{202e}\n::error file=x::forged\n";

/// The forged workflow command as it would stand at the start of a line.
const FORGED: &str = "::error file=x::forged";

/// The longest line seaworthy writes on stderr ("seaworthy: " and a capped message).
const LINE_MAX: usize = 4096 + 64;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CACHE_HOME", dir.join("cache"))
        .env("HOME", dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.output().expect("run seaworthy")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Whether `c` may not reach a terminal: every control character but the line feeds and tabs
/// seaworthy writes itself, DEL, C1 (the 8-bit CSI among them), the line and paragraph
/// separators and the bidi marks, overrides and isolates.
fn forbidden(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{8}'
            | '\u{b}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Output for a terminal or log: UTF-8, no forbidden character, no line (even indented: the
/// Actions runner trims before it looks) that is a workflow command seaworthy did not write,
/// no line longer than [`LINE_MAX`]. `ours` is how many `::` lines seaworthy wrote (github).
fn assert_clean(what: &str, bytes: &[u8], ours: usize) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if let Some((i, c)) = text.char_indices().find(|(_, c)| forbidden(*c)) {
        panic!("{what}: {c:?} at byte {i}:\n{text}");
    }
    let commands: Vec<&str> = text
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("::") || l.starts_with("##["))
        .collect();
    assert!(
        commands.iter().all(|l| !l.starts_with(FORGED)),
        "{what}: a forged workflow command has a line of its own:\n{text}"
    );
    assert_eq!(commands.len(), ours, "{what}: workflow commands:\n{text}");
    for l in &commands {
        let kind = l[2..].split([' ', ':']).next().unwrap_or("");
        assert!(
            ["error", "warning", "notice"].contains(&kind),
            "{what}: {l}"
        );
    }
    if let Some(long) = text.lines().find(|l| l.len() > LINE_MAX) {
        panic!("{what}: a line of {} bytes", long.len());
    }
}

/// stdout and stderr of one run, both clean; returns stderr.
fn check(what: &str, o: &Output, github_lines: usize) -> String {
    assert_clean(&format!("{what} (stdout)"), &o.stdout, github_lines);
    assert_clean(&format!("{what} (stderr)"), &o.stderr, 0);
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The escaped form of [`EVIL`] that people see.
fn shown() -> &'static str {
    "e\\x1b[31mR\\x1b]0;pwned\\x07\\r\\x7f\\u{9b}2J\\u{202e}\\n::error file=x::forged\\n"
}

/// A JSON document: parses, is clean as text (control characters as JSON escapes), and once
/// parsed still holds `data` (the input text, as data).
fn assert_json_carries(what: &str, o: &Output, data: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    assert_clean(what, &o.stdout, 0);
    let mut strings = Vec::new();
    collect_strings(&doc, &mut strings);
    assert!(
        strings.iter().any(|s| s.contains(data)),
        "{what}: {data:?} is not in the data: {strings:?}"
    );
    doc
}

fn collect_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            collect_strings(x, out);
        }),
        _ => {}
    }
}

/// What [`every_format`] saw.
struct Seen {
    table: String,
    stderr: String,
}

// ---------------------------------------------------------------------------------------------
// Dockerfile, compose, docker run: table, github, JSON, SARIF and stderr.

/// Runs a findings command in every format; `errors` input errors expected, `min_findings` at
/// least; the JSON report holds `data` as it was in the input.
fn every_format(dir: &Path, args: &[&str], errors: usize, min_findings: usize, data: &str) -> Seen {
    let with = |format: &str| {
        let mut a = args.to_vec();
        // `run` takes the command line after `--`: options go before it.
        let at = a.iter().position(|x| *x == "--").unwrap_or(a.len());
        a.insert(at, format);
        a.insert(at, "-f");
        run_in(dir, &a)
    };
    // 2 for an input error; else 0 or 1 (the findings decide).
    let expected = |o: &Output| {
        let c = code(o);
        assert!(
            if errors > 0 { c == 2 } else { c == 0 || c == 1 },
            "{args:?}: exit {c}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let table = with("table");
    expected(&table);
    let stderr = check(&format!("{args:?} table"), &table, 0);

    let json = with("json");
    let doc = assert_json_carries(&format!("{args:?} json"), &json, data);
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .count();
    assert_eq!(doc["errors"].as_array().unwrap().len(), errors, "{doc:#}");
    assert!(findings >= min_findings, "{doc:#}");

    let github = with("github");
    expected(&github);
    check(&format!("{args:?} github"), &github, findings + errors);

    let sarif = with("sarif");
    let sarif_doc = assert_json_carries(&format!("{args:?} sarif"), &sarif, "");
    assert_eq!(sarif_doc["version"], "2.1.0");

    // JUnit is XML: no character XML 1.0 forbids (a parser would reject the whole report),
    // no ESC or bidi override for a CI test tab to show as it is.
    let junit = with("junit");
    expected(&junit);
    let xml = String::from_utf8(junit.stdout).unwrap();
    assert!(xml.starts_with("<?xml"), "{args:?} junit: {xml}");
    if let Some(c) = xml.chars().find(|&c| forbidden(c)) {
        panic!("{args:?} junit: {c:?} in\n{xml}");
    }
    Seen {
        table: String::from_utf8_lossy(&table.stdout).into_owned(),
        stderr,
    }
}

#[test]
fn dockerfile_unknown_instruction_and_quoted_lines() {
    let dir = tempfile::tempdir().unwrap();
    // One line: the Dockerfile's own line breaks would make the forged command an instruction.
    let evil_line = format!(
        "RUN echo \"{}\" && apt-get install curl\n",
        EVIL.replace('\n', "")
    );
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM ubuntu:latest\n{evil_line}USER root\n"),
    )
    .unwrap();
    let seen = every_format(dir.path(), &["dockerfile", "Dockerfile"], 0, 1, "");
    assert!(seen.stderr.is_empty(), "{}", seen.stderr);
    // The code frame shows the line, escaped.
    assert!(
        seen.table
            .contains("RUN echo \"e\\x1b[31mR\\x1b]0;pwned\\x07\\r"),
        "{}",
        seen.table
    );

    std::fs::write(
        dir.path().join("Bad.Dockerfile"),
        format!("FROM alpine\nFOO{}\u{202e} x\n", &EVIL[..9]),
    )
    .unwrap();
    let message = "unknown instruction `FOOe\\x1b[31mR\\x1b]\\u{202e}`";
    let seen = every_format(dir.path(), &["dockerfile", "Bad.Dockerfile"], 1, 0, message);
    assert!(seen.stderr.contains(message), "{}", seen.stderr);
    assert!(seen.table.contains(message), "{}", seen.table);
}

/// `value` as YAML (JSON is YAML), with DEL and C1 escaped as YAML requires: the parsed keys and
/// values hold the raw characters.
fn yaml(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn compose_service_key_and_volume() {
    let dir = tempfile::tempdir().unwrap();
    // A volume that parses: no `:` in the target.
    let compose = serde_json::json!({"services": {
        EVIL: {"image": "alpine", "privileged": true,
               "volumes": [format!("/var/run/docker.sock:/s{}", EVIL.replace(':', ""))]},
    }});
    std::fs::write(dir.path().join("compose.yml"), yaml(&compose)).unwrap();
    let seen = every_format(dir.path(), &["compose", "compose.yml"], 0, 1, EVIL);
    assert!(seen.stderr.is_empty(), "{}", seen.stderr);

    // A volume that does not parse: an input error quoting the key and the value.
    let compose = serde_json::json!({"services": {
        EVIL: {"image": "alpine", "volumes": [format!("{EVIL}:/data:ro:{EVIL}")]},
    }});
    std::fs::write(dir.path().join("bad.yml"), yaml(&compose)).unwrap();
    let message = format!("services.{}.volumes: invalid volume", shown());
    let seen = every_format(dir.path(), &["compose", "bad.yml"], 1, 0, &message);
    assert!(seen.stderr.contains(&message), "{}", seen.stderr);
    assert!(seen.table.contains(&message), "{}", seen.table);
}

#[test]
fn docker_run_flag_and_volume_value() {
    let dir = tempfile::tempdir().unwrap();
    let volume = format!("/var/run/docker.sock:/s{}", EVIL.replace(':', ""));
    let seen = every_format(
        dir.path(),
        &[
            "run",
            "--",
            "docker",
            "run",
            "--privileged",
            "-v",
            &volume,
            "alpine",
        ],
        0,
        1,
        &volume,
    );
    assert!(seen.stderr.is_empty(), "{}", seen.stderr);

    let flag = format!("--bogus{EVIL}");
    let message = "unknown flag: --boguse\\x1b[31mR\\x1b]0;pwned\\x07\\r\\x7f\\u{9b}2J";
    let seen = every_format(
        dir.path(),
        &["run", "--", "docker", "run", &flag, "alpine"],
        1,
        0,
        message,
    );
    assert!(seen.stderr.contains(message), "{}", seen.stderr);

    let volume = format!("{EVIL}:/x:zz:{EVIL}");
    let message = format!("invalid volume `{}", shown());
    let seen = every_format(
        dir.path(),
        &["run", "--", "docker", "run", "-v", &volume, "alpine"],
        1,
        0,
        &message,
    );
    assert!(seen.stderr.contains(&message), "{}", seen.stderr);
    assert!(seen.table.contains(&message), "{}", seen.table);
}

// ---------------------------------------------------------------------------------------------
// Images: `sbom` (the image reader and catalogers `image` uses too) in table and JSON.

/// `sbom IMAGE` in table and JSON: exit 2, clean output; returns the table run's stderr.
fn sbom_fails(dir: &Path, image: &str) -> String {
    let table = run_in(dir, &["sbom", image]);
    assert_eq!(
        code(&table),
        2,
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let stderr = check(&format!("sbom {image}"), &table, 0);
    let json = run_in(dir, &["sbom", image, "-f", "json"]);
    assert_eq!(code(&json), 2);
    check(&format!("sbom {image} -f json (stderr)"), &json, 0);
    if !json.stdout.is_empty() {
        assert_json_carries("sbom json", &json, "");
    }
    stderr
}

/// A `docker save` archive with the given layer and config names in `manifest.json`, holding
/// the layer and config under their plain names.
fn docker_archive(out: &Path, layer_name: &str, config_name: &str) {
    let layer = Layer::new().file("etc/hostname", b"x\n").tar();
    let blobs = [Blob::plain(layer.clone())];
    let cfg = image_util::config(&blobs);
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    };
    add("l0/layer.tar", &layer);
    add("config.json", &cfg);
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": [layer_name]}]);
    add("manifest.json", manifest.to_string().as_bytes());
    b.finish().unwrap();
}

#[test]
fn manifest_layer_and_config_paths() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("layer.tar");
    docker_archive(&archive, &format!("l{EVIL}/layer.tar"), "config.json");
    let stderr = sbom_fails(dir.path(), &format!("docker-archive:{}", archive.display()));
    assert!(stderr.contains(shown()), "{stderr}");

    let archive = dir.path().join("config.tar");
    docker_archive(&archive, "l0/layer.tar", &format!("c{EVIL}.json"));
    let stderr = sbom_fails(dir.path(), &format!("docker-archive:{}", archive.display()));
    assert!(stderr.contains(shown()), "{stderr}");
}

#[test]
fn a_megabyte_path_makes_a_small_error() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("long.tar");
    let long = format!("{EVIL}{}/layer.tar", "p".repeat(1 << 20));
    docker_archive(&archive, &long, "config.json");
    let reference = format!("docker-archive:{}", archive.display());
    let stderr = sbom_fails(dir.path(), &reference);
    assert!(stderr.len() < LINE_MAX, "{} bytes", stderr.len());
    assert!(stderr.contains("more bytes]"), "says it was cut: {stderr}");

    // A hardlink named by a 1 MB GNU long name, pointing nowhere.
    let name = format!("a{EVIL}{}", "n".repeat(1 << 20));
    let layer = Layer::new().hardlink(&name, &format!("missing{EVIL}"));
    let layout = dir.path().join("oci");
    oci_layout(&layout, &[Blob::plain(layer.tar())], "latest");
    let stderr = sbom_fails(dir.path(), &format!("oci-dir:{}", layout.display()));
    assert!(stderr.len() < LINE_MAX, "{} bytes", stderr.len());
}

#[test]
fn hardlink_name_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let layer = Layer::new().hardlink(&format!("a{EVIL}"), &format!("missing{EVIL}"));
    let layout = dir.path().join("oci");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    let stderr = sbom_fails(dir.path(), &format!("oci-dir:{}", layout.display()));
    assert!(
        stderr.contains(&format!("hardlink a{}", shown())),
        "{stderr}"
    );
}

#[test]
fn tar_header_bytes_are_not_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = Layer::new().file("f", b"x").tar();
    // The size field (12 bytes at 124) holds terminal escapes, the checksum is made right.
    tar[124..136].copy_from_slice(b"\x1b[31m\x07\r\n::x0");
    tar[148..156].copy_from_slice(b"        ");
    let sum: u32 = tar[..512].iter().map(|&b| u32::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let layout = dir.path().join("oci");
    oci_layout(&layout, &[Blob::plain(tar)], "latest");
    let stderr = sbom_fails(dir.path(), &format!("oci-dir:{}", layout.display()));
    assert!(
        stderr.contains("tar entry 1: malformed tar header: its size field is not a number"),
        "{stderr}"
    );
    assert!(!stderr.contains("[31m"), "header bytes quoted: {stderr}");
}

#[test]
fn cataloger_paths_npm_and_python() {
    let dir = tempfile::tempdir().unwrap();
    let name = EVIL.replace('/', "");
    let layer = Layer::new()
        .file(
            &format!("app/node_modules/{name}/package.json"),
            b"{not json",
        )
        .file(
            &format!("usr/lib/python3/site-packages/{name}.dist-info/METADATA"),
            b"\xff\xfe not utf-8",
        );
    let layout = dir.path().join("oci");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    let image = format!("oci-dir:{}", layout.display());
    let stderr = sbom_fails(dir.path(), &image);
    assert!(
        stderr.contains(&format!("/app/node_modules/{}/package.json", shown())),
        "{stderr}"
    );
    assert!(stderr.contains(".dist-info/METADATA"), "{stderr}");
    // The table lists the errors too (on stdout, escaped).
    let table = run_in(dir.path(), &["sbom", &image]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert!(out.contains(&format!("node_modules/{}", shown())), "{out}");
    // JSON keeps the path as data.
    let json = run_in(dir.path(), &["sbom", &image, "-f", "json"]);
    let doc = assert_json_carries("sbom json", &json, &name);
    let paths: Vec<&str> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&format!("/app/node_modules/{name}/package.json").as_str()),
        "{paths:?}"
    );
}

/// An OCI layout whose index lists the one image under every tag in `tags`.
fn tagged_layout(dir: &Path, tags: &[String]) -> PathBuf {
    let layout = dir.join("tagged");
    let layer = Layer::new().file("etc/hostname", b"x\n");
    let digest = oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    let size = std::fs::metadata(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap()
    .len();
    let manifests: Vec<serde_json::Value> = tags
        .iter()
        .map(|t| {
            serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest, "size": size,
            "annotations": {"org.opencontainers.image.ref.name": t}})
        })
        .collect();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap();
    layout
}

#[test]
fn oci_tags_escaped_and_listed_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let layout = tagged_layout(dir.path(), &[format!("a{EVIL}"), format!("b{EVIL}")]);
    let stderr = sbom_fails(dir.path(), &format!("oci-dir:{}", layout.display()));
    assert!(
        stderr.contains(&format!("tags: a{}, b", shown())),
        "{stderr}"
    );

    let many: Vec<String> = (0..70_000).map(|i| format!("tag-{i}")).collect();
    let layout = tagged_layout(dir.path(), &many);
    let stderr = sbom_fails(dir.path(), &format!("oci-dir:{}", layout.display()));
    assert!(stderr.len() < 1024, "{} bytes: {stderr}", stderr.len());
    assert!(stderr.contains("and 69990 more"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// `db import`: a feed zip's entry names reach stdout (the skipped lines) and stderr.

/// A zip of stored (uncompressed) entries.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let fixed = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags
            buf.extend_from_slice(&0u16.to_le_bytes()); // stored
            buf.extend_from_slice(&0u32.to_le_bytes()); // time, date
            buf.extend_from_slice(&crc.sum().to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        fixed(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        fixed(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn feed_zip_entry_names() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../seaworthy-vulndb/testdata/osv/PYSEC-2022-42969.json"),
    )
    .unwrap();
    let evil = format!("{EVIL}.json");
    let feed = dir.path().join("PyPI");
    std::fs::create_dir_all(&feed).unwrap();
    std::fs::File::create(feed.join("all.zip"))
        .unwrap()
        .write_all(&zip(&[
            ("PYSEC-2022-42969.json", &good),
            (&evil, b"{not an advisory"),
        ]))
        .unwrap();
    let db = dir.path().join("vuln.db");
    let out = run_in(
        dir.path(),
        &[
            "db",
            "import",
            feed.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    check("db import", &out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{}.json: not an OSV record", shown())),
        "{stdout}"
    );
    let status = run_in(dir.path(), &["db", "status", "--db", db.to_str().unwrap()]);
    assert_eq!(code(&status), 0);
    check("db status", &status, 0);
}

#[test]
fn the_helper_agrees_with_what_the_tests_look_for() {
    // The image builder writes names as given: a sanity check that the hostile bytes are there.
    let tar = Layer::new().hardlink(&format!("a{EVIL}"), "t").tar();
    assert!(tar.windows(EVIL.len()).any(|w| w == EVIL.as_bytes()));
    assert_eq!(
        seaworthy_core::text::escape_for_terminal(EVIL),
        shown(),
        "shown() is what seaworthy prints"
    );
}
