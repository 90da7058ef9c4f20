//! The export walk and assembly on hand-built `docker save` streams (no daemon needed): both
//! layouts, links between members, members in any order, and corrupt or hostile exports.

use sha2::{Digest as _, Sha256};

use super::assemble::{Inspected, assemble};
use super::export::walk;
use crate::error::{ImageError, Result};
use crate::limits::CaptureBudget;
use crate::scan::{Image, merge};
use crate::{ExactPaths, LoadOptions};

enum Member {
    File(String, Vec<u8>),
    Link(String, String),
}

fn f(path: impl Into<String>, data: impl Into<Vec<u8>>) -> Member {
    Member::File(path.into(), data.into())
}

fn link(path: &str, target: &str) -> Member {
    Member::Link(path.into(), target.into())
}

fn hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn tar_of(members: &[Member]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        let res = match m {
            Member::File(path, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, &data[..])
            }
            Member::Link(path, target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                b.append_link(&mut h, path, target)
            }
        };
        res.unwrap_or_else(|e| panic!("{e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("{e}"))
}

fn layer(files: &[(&'static str, &[u8])]) -> Vec<u8> {
    tar_of(&files.iter().map(|(p, d)| f(*p, *d)).collect::<Vec<_>>())
}

fn config(layers: &[&[u8]]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", hex(l)))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "os": "linux", "architecture": "amd64",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap_or_default()
}

fn manifest(config: &str, layers: &[&str]) -> Vec<u8> {
    serde_json::to_vec(
        &serde_json::json!([{"Config": config, "RepoTags": ["t:1"], "Layers": layers}]),
    )
    .unwrap_or_default()
}

fn read(stream: &[u8], inspected: &Inspected) -> Result<Image> {
    let filter = ExactPaths(&["a", "b"]);
    let opts = LoadOptions::new(&filter);
    let budget = CaptureBudget::of(&opts.limits);
    let export = walk(stream, "t: export", &opts, &budget)?;
    let (info, indexes, order) = assemble(
        export,
        inspected,
        "t:1",
        "docker:t:1",
        "t: export",
        &opts,
        &budget,
    )?;
    merge(info, indexes, &order)
}

fn bad_message(result: Result<Image>) -> String {
    match result {
        Err(ImageError::BadInput { what, message }) => format!("{what}: {message}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

/// Legacy layout, config after the layers, the duplicate layer a relative symlink.
#[test]
fn legacy_layout_with_linked_duplicate() {
    let l0 = layer(&[("a", b"A0")]);
    let l1 = layer(&[("b", b"B1"), ("a", b"A1")]);
    let cfg = config(&[&l0, &l1, &l0]);
    let cfg_name = format!("{}.json", hex(&cfg));
    let stream = tar_of(&[
        f("111/VERSION", *b"1.0"),
        f("111/json", *b"{}"),
        f("111/layer.tar", l0.clone()),
        f("222/layer.tar", l1.clone()),
        link("333/layer.tar", "../111/layer.tar"),
        f(cfg_name.clone(), cfg.clone()),
        f(
            "manifest.json",
            manifest(
                &cfg_name,
                &["111/layer.tar", "222/layer.tar", "333/layer.tar"],
            ),
        ),
        f("repositories", *b"{}"),
    ]);
    let image = read(&stream, &Inspected::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image.info.layers.len(), 3);
    assert_eq!(image.info.repo_tags, vec!["t:1".to_string()]);
    assert_eq!(
        image.info.config_digest.map(|d| d.to_string()),
        Some(format!("sha256:{}", hex(&cfg)))
    );
    assert_eq!(
        image.fs.read("a").map(|f| (f.data, f.layer)),
        Some((&b"A0"[..], 2))
    );
    assert_eq!(
        image.fs.read("b").map(|f| (f.data, f.layer)),
        Some((&b"B1"[..], 1))
    );
}

/// Docker 25+ layout: blobs named by digest, config first, an OCI manifest blob alongside,
/// and a layer whose first byte is `{` (its first file's name), kept as JSON then indexed.
#[test]
fn blobs_layout() {
    let l0 = layer(&[("a", b"A")]);
    let l1 = layer(&[("{odd}", b"x"), ("b", b"B")]);
    let cfg = config(&[&l0, &l1]);
    let cfg_path = format!("blobs/sha256/{}", hex(&cfg));
    let l0_path = format!("blobs/sha256/{}", hex(&l0));
    let l1_path = format!("blobs/sha256/{}", hex(&l1));
    let oci_manifest = br#"{"schemaVersion":2}"#.to_vec();
    let stream = tar_of(&[
        f(cfg_path.clone(), cfg.clone()),
        f(l1_path.clone(), l1.clone()),
        f(l0_path.clone(), l0.clone()),
        f(format!("blobs/sha256/{}", hex(&oci_manifest)), oci_manifest),
        f("index.json", *b"{}"),
        f("manifest.json", manifest(&cfg_path, &[&l0_path, &l1_path])),
        f("oci-layout", *b"{}"),
    ]);
    let inspected = Inspected {
        id: Some(format!("sha256:{}", hex(&cfg))),
        repo_tags: vec!["t:2".into()],
        repo_digests: vec![format!("t@sha256:{}", hex(b"x"))],
        layer_count: Some(2),
    };
    let image = read(&stream, &inspected).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.layers[0].digest.as_ref().map(|d| d.to_string()),
        Some(format!("sha256:{}", hex(&l0)))
    );
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(format!("sha256:{}", hex(b"x")))
    );
    assert_eq!(image.info.repo_tags, vec!["t:2".to_string()]);
    assert_eq!(image.fs.read("a").map(|f| f.data), Some(&b"A"[..]));
    assert_eq!(
        image.fs.read("b").map(|f| (f.data, f.layer)),
        Some((&b"B"[..], 1))
    );
    assert!(image.fs.node("{odd}").is_some());
}

#[test]
fn legacy_layer_must_match_its_diff_id() {
    let l0 = layer(&[("a", b"A")]);
    let other = layer(&[("a", b"B")]);
    let cfg = config(&[&other]);
    let cfg_name = format!("{}.json", hex(&cfg));
    let stream = tar_of(&[
        f("111/layer.tar", l0),
        f(cfg_name.clone(), cfg),
        f("manifest.json", manifest(&cfg_name, &["111/layer.tar"])),
    ]);
    let msg = bad_message(read(&stream, &Inspected::default()));
    assert!(
        msg.contains("111/layer.tar") && msg.contains("diff_id"),
        "{msg}"
    );
}

#[test]
fn blob_must_match_its_name() {
    let l0 = layer(&[("a", b"A")]);
    let name = format!("blobs/sha256/{}", hex(b"something else"));
    let stream = tar_of(&[f(name, l0)]);
    let msg = bad_message(read(&stream, &Inspected::default()));
    assert!(
        msg.contains("blobs/sha256/") && msg.contains("mismatch"),
        "{msg}"
    );
}

#[test]
fn corrupt_and_hostile_exports() {
    let l0 = layer(&[("a", b"A")]);
    let cfg = config(&[&l0]);
    let cfg_name = format!("{}.json", hex(&cfg));
    let cfg_member = || f(cfg_name.clone(), cfg.clone());

    let no_manifest = tar_of(&[f("111/layer.tar", l0.clone())]);
    assert!(bad_message(read(&no_manifest, &Inspected::default())).contains("no manifest.json"));

    let escaping = tar_of(&[link("111/layer.tar", "../../etc/passwd")]);
    assert!(bad_message(read(&escaping, &Inspected::default())).contains("outside"));

    let missing_layer = tar_of(&[
        cfg_member(),
        f("manifest.json", manifest(&cfg_name, &["111/layer.tar"])),
    ]);
    assert!(bad_message(read(&missing_layer, &Inspected::default())).contains("missing"));

    let link_loop = tar_of(&[
        link("111/layer.tar", "../222/layer.tar"),
        link("222/layer.tar", "../111/layer.tar"),
        cfg_member(),
        f("manifest.json", manifest(&cfg_name, &["111/layer.tar"])),
    ]);
    assert!(bad_message(read(&link_loop, &Inspected::default())).contains("missing"));

    let count_mismatch = tar_of(&[
        f("111/layer.tar", l0.clone()),
        cfg_member(),
        f(
            "manifest.json",
            manifest(&cfg_name, &["111/layer.tar", "111/layer.tar"]),
        ),
    ]);
    assert!(bad_message(read(&count_mismatch, &Inspected::default())).contains("diff_ids"));

    let bad_json = tar_of(&[f("manifest.json", *b"{not json")]);
    assert!(bad_message(read(&bad_json, &Inspected::default())).contains("manifest.json"));

    let truncated = tar_of(&[f("111/layer.tar", l0.clone())]);
    let cut = truncated.get(..700).unwrap_or_default();
    assert!(read(cut, &Inspected::default()).is_err());
}

#[test]
fn json_limit_applies() {
    let filter = ExactPaths(&[]);
    let mut opts = LoadOptions::new(&filter);
    opts.limits.max_json_bytes = 8;
    let stream = tar_of(&[f("manifest.json", *b"[                ]")]);
    let budget = CaptureBudget::of(&opts.limits);
    let err = walk(&stream[..], "t: export", &opts, &budget).err();
    assert!(
        matches!(&err, Some(ImageError::BadInput { what, .. }) if what.contains("manifest.json")),
        "{err:?}"
    );
}
