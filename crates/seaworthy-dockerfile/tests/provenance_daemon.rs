//! Provenance against real builds: each test imports a tiny base image (`docker import` of a
//! root filesystem tar it writes), builds a Dockerfile on it with the daemon's classic builder
//! (`DOCKER_BUILDKIT=0`; BuildKit needs buildx, which this machine lacks), reads the image
//! config's history from `docker save` and checks the Dockerfile lines it maps to. Images are
//! tagged per test and process and removed afterwards. Without a daemon the tests are
//! skipped, unless SEAWORTHY_REQUIRE_DOCKER=1.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use seaworthy_dockerfile::model::Model;
use seaworthy_dockerfile::parser::Dockerfile;
use seaworthy_dockerfile::provenance::{HistoryStep, Origin, Provenance, map_history};

/// A static shell for RUN inside the test images (Debian package `busybox-static`).
const BUSYBOX: &str = "/bin/busybox";

fn require_docker() -> bool {
    std::env::var("SEAWORTHY_REQUIRE_DOCKER").as_deref() == Ok("1")
}

fn docker_ready(test: &str) -> bool {
    let answered = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if answered {
        return true;
    }
    if require_docker() {
        panic!("{test}: SEAWORTHY_REQUIRE_DOCKER=1 but no Docker daemon answers `docker version`");
    }
    eprintln!("skipping {test}: no Docker daemon (SEAWORTHY_REQUIRE_DOCKER=1 makes this fail)");
    false
}

/// An image tag removed (`docker rmi -f`) when dropped.
struct Tagged(String);

impl Drop for Tagged {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn unique_name(label: &str) -> String {
    format!("seaworthy-test-prov-{label}-{}:latest", std::process::id())
}

fn docker(args: &[&str], envs: &[(&str, &str)]) -> Vec<u8> {
    let out = Command::new("docker")
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A root filesystem tar: `(path, contents, mode)` files, `(path, target)` symlinks.
fn rootfs_tar(files: &[(&str, Vec<u8>, u32)], links: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data, mode) in files {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(*mode);
        h.set_size(data.len() as u64);
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, path, &data[..])
            .unwrap_or_else(|e| panic!("rootfs {path}: {e}"));
    }
    for (path, target) in links {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        h.set_mtime(1_700_000_000);
        b.append_link(&mut h, path, target)
            .unwrap_or_else(|e| panic!("rootfs {path}: {e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("rootfs tar: {e}"))
}

fn import(rootfs: &[u8], name: &str, dir: &Path) -> Tagged {
    let path = dir.join("rootfs.tar");
    std::fs::write(&path, rootfs).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tagged = Tagged(name.to_string());
    docker(&["import", &path.to_string_lossy(), name], &[]);
    tagged
}

/// `docker build` with the classic builder; `files` are written into the context first.
fn build(
    dockerfile: &str,
    files: &[(&str, &str)],
    build_args: &[(&str, &str)],
    name: &str,
    dir: &Path,
) -> Tagged {
    let ctx = dir.join("context");
    for (path, data) in files.iter().chain([("Dockerfile", dockerfile)].iter()) {
        let p = ctx.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&p, data).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let mut args: Vec<String> = vec![
        "build".into(),
        "-q".into(),
        "--no-cache".into(),
        "--force-rm".into(),
    ];
    for (k, v) in build_args {
        args.push("--build-arg".into());
        args.push(format!("{k}={v}"));
    }
    args.extend([
        "-t".into(),
        name.to_string(),
        ctx.to_string_lossy().into_owned(),
    ]);
    let tagged = Tagged(name.to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    docker(&refs, &[("DOCKER_BUILDKIT", "0")]);
    tagged
}

/// `(created_by, empty_layer)` of the image config's history, oldest first, and the number of
/// layers (`rootfs.diff_ids`).
fn history(name: &str) -> (Vec<(Option<String>, bool)>, usize) {
    let archive = docker(&["save", name], &[]);
    let mut members: HashMap<String, Vec<u8>> = HashMap::new();
    let mut reader = tar::Archive::new(&archive[..]);
    for entry in reader
        .entries()
        .unwrap_or_else(|e| panic!("save of {name}: {e}"))
    {
        let mut entry = entry.unwrap_or_else(|e| panic!("save of {name}: {e}"));
        let path = entry
            .path()
            .unwrap_or_else(|e| panic!("save of {name}: {e}"))
            .to_string_lossy()
            .into_owned();
        if path.ends_with(".json") {
            let mut data = Vec::new();
            entry
                .read_to_end(&mut data)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            members.insert(path, data);
        }
    }
    let json = |path: &str| -> serde_json::Value {
        let data = members
            .get(path)
            .unwrap_or_else(|| panic!("save of {name}: no {path}"));
        serde_json::from_slice(data).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let manifest = json("manifest.json");
    let config_path = manifest[0]["Config"]
        .as_str()
        .unwrap_or_else(|| panic!("manifest of {name}: no Config"))
        .to_string();
    let config = json(&config_path);
    let entries = config["history"]
        .as_array()
        .unwrap_or_else(|| panic!("{config_path}: no history"))
        .iter()
        .map(|h| {
            (
                h["created_by"].as_str().map(str::to_string),
                h["empty_layer"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let layers = config["rootfs"]["diff_ids"].as_array().map_or(0, Vec::len);
    (entries, layers)
}

fn provenance(
    dockerfile: &str,
    build_args: &[(&str, &str)],
    entries: &[(Option<String>, bool)],
) -> Provenance {
    let df = Dockerfile::parse_str(dockerfile).unwrap_or_else(|e| panic!("{e}"));
    let args: HashMap<String, String> = build_args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let model = Model::new(&df, &args, None);
    let steps: Vec<HistoryStep<'_>> = entries
        .iter()
        .map(|(created_by, empty_layer)| HistoryStep {
            created_by: created_by.as_deref(),
            empty_layer: *empty_layer,
        })
        .collect();
    map_history(&df, &model, &steps)
}

/// `(line, keyword)` per history entry; base entries as `(FROM line, "BASE <image>")`.
fn lines(p: &Provenance) -> Vec<(u32, String)> {
    p.origins()
        .iter()
        .map(|o| match o {
            Origin::Instruction {
                line, instruction, ..
            } => (*line, instruction.clone()),
            Origin::Base { from, line } => (*line, format!("BASE {from}")),
            Origin::Unknown => (0, "?".into()),
        })
        .collect()
}

fn want(items: &[(u32, &str)]) -> Vec<(u32, String)> {
    items.iter().map(|(l, k)| (*l, k.to_string())).collect()
}

#[test]
fn classic_build_without_run_maps_every_entry_to_its_line() {
    let test = "classic_build_without_run_maps_every_entry_to_its_line";
    if !docker_ready(test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let base = unique_name("base-norun");
    let rootfs = rootfs_tar(
        &[
            (
                "etc/os-release",
                b"ID=seaworthytest\nVERSION_ID=1\n".to_vec(),
                0o644,
            ),
            ("usr/share/base.txt", b"from the base\n".to_vec(), 0o644),
        ],
        &[],
    );
    let _base = import(&rootfs, &base, dir.path());
    let dockerfile = "ARG BASE_IMAGE=missing\n\
         FROM ${BASE_IMAGE}\n\
         LABEL org.opencontainers.image.title=\"prov test\"\n\
         ARG APP_DIR=/srv/app\n\
         ENV APP_DIR=$APP_DIR \\\n    MODE=test\n\
         WORKDIR $APP_DIR\n\
         COPY app.conf ./\n\
         COPY lib/ /opt/lib/\n\
         ADD notes.txt /notes.txt\n\
         USER 1000:1000\n\
         EXPOSE 8080\n\
         CMD [\"/srv/app/run\"]\n";
    let app = unique_name("app-norun");
    let _app = build(
        dockerfile,
        &[
            ("app.conf", "mode=test\n"),
            ("lib/a.txt", "a\n"),
            ("lib/b.txt", "b\n"),
            ("notes.txt", "notes\n"),
        ],
        &[("BASE_IMAGE", &base)],
        &app,
        dir.path(),
    );
    let (entries, layer_count) = history(&app);
    let p = provenance(dockerfile, &[("BASE_IMAGE", &base)], &entries);
    let base_label = format!("BASE {base}");
    assert_eq!(
        lines(&p),
        want(&[
            (2, &base_label),
            (3, "LABEL"),
            (4, "ARG"),
            (5, "ENV"),
            (7, "WORKDIR"),
            (8, "COPY"),
            (9, "COPY"),
            (10, "ADD"),
            (11, "USER"),
            (12, "EXPOSE"),
            (13, "CMD"),
        ]),
        "history: {entries:?}"
    );
    assert_eq!(p.mismatch(), None);
    // Layers: the import, WORKDIR, two COPYs and the ADD.
    assert_eq!(p.layer_count(), layer_count);
    assert_eq!(layer_count, 5);
    assert!(p.is_base_layer(0));
    let layer_lines: Vec<u32> = (1..layer_count)
        .map(|l| match p.origin_of_layer(l) {
            Origin::Instruction { line, .. } => *line,
            other => panic!("layer {l}: {other:?}"),
        })
        .collect();
    assert_eq!(layer_lines, vec![7, 8, 9, 10]);
    match p.origin(3) {
        Origin::Instruction { line, end_line, .. } => assert_eq!((*line, *end_line), (5, 6)),
        other => panic!("ENV entry: {other:?}"),
    }
}

#[test]
fn classic_multi_stage_build_with_run_and_build_args() {
    let test = "classic_multi_stage_build_with_run_and_build_args";
    if !docker_ready(test) {
        return;
    }
    if !Path::new(BUSYBOX).is_file() {
        if require_docker() {
            panic!("{test}: {BUSYBOX} is missing (install the Debian package busybox-static)");
        }
        eprintln!("skipping {test}: no static {BUSYBOX} to give the test image a shell");
        return;
    }
    let busybox = std::fs::read(BUSYBOX).unwrap_or_else(|e| panic!("{BUSYBOX}: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let base = unique_name("base-run");
    let rootfs = rootfs_tar(
        &[
            ("bin/busybox", busybox, 0o755),
            (
                "etc/os-release",
                b"ID=seaworthytest\nVERSION_ID=1\n".to_vec(),
                0o644,
            ),
        ],
        &[("bin/sh", "busybox")],
    );
    let _base = import(&rootfs, &base, dir.path());
    let dockerfile = "ARG BASE_IMAGE=missing\n\
         FROM ${BASE_IMAGE} AS tools\n\
         ARG TOOL_VERSION=1.0\n\
         RUN /bin/busybox mkdir -p /opt/tools && \\\n    echo \"tool $TOOL_VERSION\" > /opt/tools/version\n\
         \n\
         FROM tools AS final\n\
         ARG RELEASE\n\
         COPY --from=tools /opt/tools/version /version.txt\n\
         RUN [\"/bin/busybox\", \"touch\", \"/exec-form\"]\n\
         RUN echo \"release $RELEASE\" > /release.txt\n\
         ENTRYPOINT [\"/bin/sh\"]\n";
    let args = [
        ("BASE_IMAGE", base.as_str()),
        ("TOOL_VERSION", "2.5"),
        ("RELEASE", "r7"),
    ];
    let app = unique_name("app-run");
    let _app = build(dockerfile, &[], &args, &app, dir.path());
    let (entries, layer_count) = history(&app);
    let p = provenance(dockerfile, &args, &entries);
    let base_label = format!("BASE {base}");
    assert_eq!(
        lines(&p),
        want(&[
            (2, &base_label),
            (3, "ARG"),
            (4, "RUN"),
            (8, "ARG"),
            (9, "COPY"),
            (10, "RUN"),
            (11, "RUN"),
            (12, "ENTRYPOINT"),
        ]),
        "history: {entries:?}"
    );
    assert_eq!(p.mismatch(), None);
    assert_eq!(p.layer_count(), layer_count);
    match p.origin(2) {
        Origin::Instruction {
            line,
            end_line,
            stage,
            stage_name,
            ..
        } => assert_eq!(
            (*line, *end_line, *stage, stage_name.as_deref()),
            (4, 5, 0, Some("tools"))
        ),
        other => panic!("RUN entry: {other:?}"),
    }

    // The Dockerfile changed after the build: the mapping stops at the change.
    let edited = dockerfile.replace("RUN echo \"release", "RUN echo \"version");
    let p = provenance(&edited, &args, &entries);
    let m = p
        .mismatch()
        .unwrap_or_else(|| panic!("edited Dockerfile still matched"));
    assert_eq!((m.line, m.history_index), (11, Some(entries.len() - 2)));
    assert!(
        p.origins()[..entries.len() - 2]
            .iter()
            .all(|o| *o == Origin::Unknown)
    );
}
