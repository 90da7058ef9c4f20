//! Memory and time bounds (issue 17 items 5 and 6): kilobyte inputs that used to take
//! gigabytes or minutes. Each runs the binary under an address-space limit of 1 GiB (an abort
//! would be a signal, never exit 2) and a time bound, and its error must name the limit it hit.
//! The inputs are built here, small on disk: sparse tar entries, gzip'd repetitive files, the
//! same layer listed many times.
#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

/// Runs seaworthy in `dir` under `ulimit -v` 1 GiB; returns its output and how long it took.
fn bounded(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -v 1048576 && exec "$0" "$@""#)
        .arg(BIN)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = cmd.output().expect("run seaworthy");
    (out, started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code `code` (never a signal: an out-of-memory abort is SIGABRT), within `limit`.
fn expect(o: &Output, took: Duration, code: i32, limit: Duration) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "status {:?} after {took:?}; stderr:\n{}",
        o.status,
        stderr(o)
    );
    assert!(
        took < limit,
        "took {took:?}, over {limit:?}; stderr:\n{}",
        stderr(o)
    );
}

fn expect_stderr(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Image building: tar entries written by hand (GNU sparse headers), layers gzip'd as they are
// written (a 255 MB file never sits in memory), docker-archives with any manifest listing.

/// A writer that hashes what passes (a layer's diff_id).
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A layer: its bytes as stored and the diff_id of the tar inside.
struct LayerBlob {
    bytes: Vec<u8>,
    diff_id: String,
}

/// One file of a layer: path, size, contents.
type File = (String, u64, Box<dyn Read>);

/// A file whose contents are `unit` repeated (see [`repeated`]).
fn file(path: &str, (size, data): (u64, Box<dyn Read>)) -> File {
    (path.to_string(), size, data)
}

/// A gzip'd layer of regular files whose contents are read from the given readers.
fn gzip_layer(files: Vec<File>) -> LayerBlob {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(Hashing {
        inner: gz,
        hash: Sha256::new(),
    });
    for (path, size, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, &path, data).unwrap();
    }
    let hashing = b.into_inner().unwrap();
    LayerBlob {
        diff_id: format!("sha256:{}", hex::encode(hashing.hash.finalize())),
        bytes: hashing.inner.finish().unwrap(),
    }
}

/// `unit` repeated to `size` bytes (after `head`), then `tail`: one file's contents.
fn repeated(head: &[u8], unit: &[u8], size: usize, tail: &[u8]) -> (u64, Box<dyn Read>) {
    let n = (size - head.len() - tail.len()) / unit.len();
    let len = head.len() + n * unit.len() + tail.len();
    let units = Repeat {
        unit: unit.to_vec(),
        left: n,
        at: 0,
    };
    let reader = io::Cursor::new(head.to_vec())
        .chain(units)
        .chain(io::Cursor::new(tail.to_vec()));
    (len as u64, Box::new(reader))
}

/// Reads `unit` `left` times without holding them all.
struct Repeat {
    unit: Vec<u8>,
    left: usize,
    at: usize,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            let take = (self.unit.len() - self.at).min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&self.unit[self.at..self.at + take]);
            n += take;
            self.at += take;
            if self.at == self.unit.len() {
                self.at = 0;
                self.left -= 1;
            }
        }
        Ok(n)
    }
}

fn octal(n: u64, width: usize) -> Vec<u8> {
    let mut v = format!("{n:0w$o}", w = width - 1).into_bytes();
    v.push(0);
    v
}

/// A GNU sparse entry: 512 stored bytes at offset 0 (`data`), a hole up to `real_size`.
fn sparse_entry(path: &str, real_size: u64, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..path.len()].copy_from_slice(path.as_bytes());
    h[100..108].copy_from_slice(&octal(0o644, 8));
    h[108..116].copy_from_slice(&octal(0, 8));
    h[116..124].copy_from_slice(&octal(0, 8));
    h[124..136].copy_from_slice(&octal(512, 12));
    h[136..148].copy_from_slice(&octal(1_700_000_000, 12));
    h[156] = b'S';
    h[257..265].copy_from_slice(b"ustar  \0");
    // sparse[0]: offset 0, 512 bytes; sparse[1]: the end, 0 bytes; real size.
    h[386..398].copy_from_slice(&octal(0, 12));
    h[398..410].copy_from_slice(&octal(512, 12));
    h[410..422].copy_from_slice(&octal(real_size, 12));
    h[422..434].copy_from_slice(&octal(0, 12));
    h[483..495].copy_from_slice(&octal(real_size, 12));
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut block = [b' '; 512];
    block[..data.len()].copy_from_slice(data);
    [&h[..], &block[..]].concat()
}

/// A docker-archive whose manifest lists `layers[i]` for each `i` of `listing`.
fn docker_archive(out: &Path, layers: &[LayerBlob], listing: &[usize]) {
    let diff_ids: Vec<&str> = listing
        .iter()
        .map(|&i| layers[i].diff_id.as_str())
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let config_name = format!("{}.json", hex::encode(Sha256::digest(&config)));
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    };
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("layer{i}/layer.tar"))
        .collect();
    for (name, layer) in names.iter().zip(layers) {
        add(name, &layer.bytes);
    }
    add(&config_name, &config);
    let listed: Vec<&str> = listing.iter().map(|&i| names[i].as_str()).collect();
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["t:1"], "Layers": listed}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    b.finish().unwrap();
}

fn sbom(dir: &Path, archive: &str) -> (Output, Duration) {
    bounded(
        dir,
        &["sbom", &format!("docker-archive:{archive}"), "-f", "json"],
    )
}

// ---------------------------------------------------------------------------------------------
// Item 5: images.

/// 20 sparse `package.json` of 250 MB each in a 30 KB uncompressed layer: the holes count as
/// uncompressed bytes, so the layer is a compression bomb, refused before anything is read.
#[test]
fn sparse_entries_count_at_their_expanded_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = Vec::new();
    for i in 0..20 {
        tar.extend(sparse_entry(
            &format!("app/node_modules/p{i}/package.json"),
            250_000_000,
            br#"{"name":"p","version":"1"}"#,
        ));
    }
    tar.extend([0u8; 1024]);
    let layer = LayerBlob {
        diff_id: format!("sha256:{}", hex::encode(Sha256::digest(&tar))),
        bytes: tar,
    };
    docker_archive(&dir.path().join("i.tar"), &[layer], &[0]);
    let (out, took) = sbom(dir.path(), "i.tar");
    expect(&out, took, 2, Duration::from_secs(30));
    expect_stderr(&out, &["sparse files count at their expanded size"]);
}

/// A 255 MB package.json layer listed 512 times: read once (one error, not 512 reads), and
/// not read at all, since its parser would refuse it.
#[test]
fn a_layer_listed_many_times_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = repeated(b"", &[0u8; 4096], 255_000_000, b"");
    let wanted = gzip_layer(vec![file("app/node_modules/z/package.json", zeros)]);
    docker_archive(&dir.path().join("w.tar"), &[wanted], &[0; 512]);
    let (out, took) = sbom(dir.path(), "w.tar");
    expect(&out, took, 2, Duration::from_secs(30));
    expect_stderr(&out, &["package.json", "(max_parse_bytes)"]);
    assert_eq!(stderr(&out).matches("max_parse_bytes").count(), 1);

    // Not wanted by any cataloger: 512 × 255 MB of zeros took a minute; now one read.
    let zeros = repeated(b"", &[0u8; 4096], 255_000_000, b"");
    let plain = gzip_layer(vec![file("zero.bin", zeros)]);
    docker_archive(&dir.path().join("z.tar"), &[plain], &[0; 512]);
    let (out, took) = sbom(dir.path(), "z.tar");
    expect(&out, took, 0, Duration::from_secs(30));
}

/// Files that blew up while parsed: each is refused with the limit it hit, the rest of the
/// image is inventoried, and the run exits 2.
#[test]
fn parse_blow_ups_are_refused_per_file() {
    let dir = tempfile::tempdir().unwrap();
    const MB: usize = 1_000_000;
    let files = vec![
        // 4.5 GB as a JSON value; over the parse limit, so not even read.
        file(
            "app/node_modules/z/package.json",
            repeated(b"[", b"0,", 40 * MB, b"0]"),
        ),
        // Under the parse limit, but more packages than one file may hold.
        file(
            "var/lib/dpkg/status.d/x",
            repeated(b"", b"Package:a\nVersion:1\n\n", 30 * MB, b""),
        ),
        file(
            "lib/apk/db/installed",
            repeated(b"", b"P:a\nV:1\n\n", 30 * MB, b""),
        ),
        file(
            "app/yarn.lock",
            repeated(b"", b"a@1:\n  version \"1\"\n", 30 * MB, b""),
        ),
        file(
            "app/vendor/composer/installed.json",
            repeated(b"[", b"{},", 30 * MB, b"{}]"),
        ),
        file(
            "app/package-lock.json",
            repeated(
                b"{\"packages\":{",
                b"\"node_modules/a\":{},",
                30 * MB,
                b"\"node_modules/b\":{}}}",
            ),
        ),
        file(
            "app/Cargo.lock",
            repeated(
                b"",
                b"[[package]]\nname=\"a\"\nversion=\"1\"\nsource=\"x\"\n",
                4 * MB,
                b"",
            ),
        ),
        // A sound file next to them is still inventoried.
        file(
            "usr/lib/node_modules/ok/package.json",
            repeated(b"", br#"{"name":"ok","version":"1.0.0"}"#, 31, b""),
        ),
    ];
    docker_archive(&dir.path().join("p.tar"), &[gzip_layer(files)], &[0]);
    let (out, took) = sbom(dir.path(), "p.tar");
    expect(&out, took, 2, Duration::from_secs(60));
    expect_stderr(
        &out,
        &[
            "/app/node_modules/z/package.json (layer 0): npm-package: not read: ",
            "bytes, over the 33554432 byte limit for one file (max_parse_bytes)",
            "/var/lib/dpkg/status.d/x (layer 0): dpkg: more than 50000 packages in one file \
             (max_packages_per_file)",
            "/lib/apk/db/installed (layer 0): apk: more than 50000",
            "/app/yarn.lock (layer 0): yarn-lock: more than 50000",
            "/app/vendor/composer/installed.json (layer 0): composer: invalid JSON: more than \
             50000 packages (records) in one file (max_packages_per_file)",
            "/app/package-lock.json (layer 0): npm-lock: invalid JSON: more than 50000",
            "/app/Cargo.lock (layer 0): cargo-lock: more than 50000",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["ok"], "the sound file is inventoried");
}

/// Budgets for the whole image: bytes held for the catalogers and packages found.
#[test]
fn image_wide_budgets_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // Nine 31 MB lockfiles: more than the 256 MiB capture budget together.
    let files = (0..9)
        .map(|i| {
            let lock = repeated(
                b"{\"packages\":{",
                b"\"node_modules/a\":{},",
                31_000_000,
                b"}}",
            );
            file(&format!("app{i}/package-lock.json"), lock)
        })
        .collect();
    docker_archive(&dir.path().join("c.tar"), &[gzip_layer(files)], &[0]);
    let (out, took) = sbom(dir.path(), "c.tar");
    expect(&out, took, 2, Duration::from_secs(60));
    expect_stderr(
        &out,
        &["the image's capture budget of 268435456 bytes is spent (max_captured_bytes)"],
    );

    // Three package databases of 40,000 packages each: over the 100,000-package budget.
    let stanza = b"Package: a\nVersion: 1\n\n";
    let files = (0..3)
        .map(|i| {
            let status = repeated(b"", stanza, 40_000 * stanza.len(), b"");
            file(&format!("var/lib/dpkg/status.d/p{i}"), status)
        })
        .collect();
    docker_archive(&dir.path().join("n.tar"), &[gzip_layer(files)], &[0]);
    let (out, took) = sbom(dir.path(), "n.tar");
    expect(&out, took, 2, Duration::from_secs(60));
    expect_stderr(
        &out,
        &["the image's budget of 100000 packages is spent (max_packages)"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = doc["packages"].as_array().map_or(0, Vec::len);
    // Same name and version in each file: merged; the point is the rest was inventoried.
    assert!(found >= 1, "the files within the budget are inventoried");

    // The budgets are the caller's to raise.
    let (out, took) = bounded(
        dir.path(),
        &[
            "sbom",
            "docker-archive:n.tar",
            "-f",
            "json",
            "--max-packages",
            "200000",
        ],
    );
    expect(&out, took, 0, Duration::from_secs(60));
}

// ---------------------------------------------------------------------------------------------
// Items 5 and 6: Dockerfiles.

fn dockerfile(dir: &Path, name: &str, text: &str) -> (Output, Duration) {
    std::fs::write(dir.join(name), text).unwrap();
    bounded(dir, &["dockerfile", name, "-f", "json"])
}

/// Global ARGs doubling before FROM (621 bytes → 2.1 GB): the expansion budget.
#[test]
fn doubling_global_args_hit_the_expansion_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("ARG V0=0123456789abcdef\n");
    for i in 1..=30 {
        text.push_str(&format!("ARG V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    text.push_str("FROM alpine:3.20\n");
    let (out, took) = dockerfile(dir.path(), "Dockerfile", &text);
    expect(&out, took, 2, Duration::from_secs(20));
    expect_stderr(
        &out,
        &["expands to more than 1048576 bytes", "expansion budget"],
    );

    // The same inside a stage, expanded on each of many lines: bounded by the lookup depth
    // (16) in size, but each expansion fans out to 2^16 lookups.
    let mut text = String::from("FROM alpine:3.20\nENV V0=0123456789abcdef\n");
    for i in 1..=16 {
        text.push_str(&format!("ENV V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    text.push_str(&"WORKDIR /$V16\n".repeat(2000));
    let (out, took) = dockerfile(dir.path(), "Dockerfile.stage", &text);
    expect(&out, took, 2, Duration::from_secs(20));
    expect_stderr(&out, &["expansion budget"]);
}

/// A million RUN lines (6 MB, 2 GB once analysed): the instruction limit.
#[test]
fn a_million_instructions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("FROM alpine:3.20\n{}", "RUN a\n".repeat(1_000_000));
    let (out, took) = dockerfile(dir.path(), "Dockerfile", &text);
    expect(&out, took, 2, Duration::from_secs(60));
    expect_stderr(&out, &["1000001 instructions", "(the instruction limit)"]);
}

/// Item 6: shapes that were quadratic. Sized so that the old code took a minute or more in a
/// debug build (25,000 stages took 43 s, 50,000 took 177 s; 20,000 `COPY --from` stages 43 s);
/// linear code takes a few seconds.
#[test]
fn long_files_are_linted_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let limit = Duration::from_secs(40);

    let mut text = String::from("FROM alpine:3.20\nRUN a \\\n");
    text.push_str(&" a \\\n".repeat(400_000));
    text.push_str(" a\n");
    let (out, took) = dockerfile(dir.path(), "Dockerfile.continued", &text);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    expect(&out, took, out.status.code().unwrap_or(-1), limit);

    let n = 30_000;
    let mut text = String::from("FROM alpine:3.20 AS s0\n");
    for i in 1..n {
        text.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
    }
    let (out, took) = dockerfile(dir.path(), "Dockerfile.chain", &text);
    expect(&out, took, out.status.code().unwrap_or(-1), limit);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );

    let mut text = String::from("FROM alpine:3.20 AS s0\n");
    for i in 1..n {
        text.push_str(&format!(
            "FROM alpine:3.20 AS s{i}\nCOPY --from=s{} /a /a\n",
            i - 1
        ));
    }
    let (out, took) = dockerfile(dir.path(), "Dockerfile.copies", &text);
    expect(&out, took, out.status.code().unwrap_or(-1), limit);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Item 5: compose.

/// A 1 MB `.env` value interpolated into 9,000 services (3.9 GB): the interpolation budget.
#[test]
fn compose_interpolation_has_a_budget() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("V={}\n", "x".repeat(1_000_000)),
    )
    .unwrap();
    let mut compose = String::from("services:\n");
    for i in 0..9000 {
        compose.push_str(&format!("  s{i}:\n    image: ${{V}}\n"));
    }
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let (out, took) = bounded(dir.path(), &["compose", "compose.yaml", "-f", "json"]);
    expect(&out, took, 2, Duration::from_secs(20));
    expect_stderr(&out, &["(the interpolation budget)"]);
}
