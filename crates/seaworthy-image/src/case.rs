//! A small language for images in rule tests and documentation, one statement per line:
//!
//! ```text
//! ref registry.example/app:1.2          the image as the user names it (default `case:image`)
//! config {"User": "app"}                merged into the config's `config` object
//! step RUN apt-get update               a history entry that made a layer; later files land in it
//! meta USER app                         a history entry without a layer (ENV, USER, …)
//! file etc/shadow 640 root:*:19000::::: a file, octal mode, contents (`\n` for newlines)
//! dir usr/local/bin 777                 a directory
//! link bin/sh dash                      a symlink
//! signature unsigned                    settings: verification outcome, `trusted REG`, `minimal`,
//! today 2026-12-07                      the date end-of-support dates are compared with
//! ```
//!
//! Files are scanned for secrets as the image walk scans them.
//! ```text
//! ```

use seaworthy_oci::{
    EntryKind, FsView, HistoryEntry, Image, ImageConfig, ImageInfo, LayerInfo, LayerSecrets, Node,
};
use serde_json::{Map, Value, json};

use crate::{Settings, SignatureCheck};

/// The settings a case asks for: `signature verified|unsigned|unknown-key|invalid|not-applicable`,
/// `trusted REGISTRY`, `minimal`.
pub fn settings(case: &str) -> Settings {
    let mut settings = Settings::default();
    for line in case.lines().map(str::trim) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "trusted" => settings.trusted_registries.push(rest.to_string()),
            "minimal" => settings.minimal = true,
            "today" => settings.today = Some(rest.to_string()),
            "signature" => {
                settings.signature = Some(match rest {
                    "verified" => SignatureCheck::Verified {
                        key: "0123456789abcdef".into(),
                    },
                    "unsigned" => SignatureCheck::Unsigned {
                        looked_for: vec!["sha256-0123.sig".into()],
                    },
                    "unknown-key" => SignatureCheck::UnknownKey {
                        detail: "signature 1 does not verify with the given keys".into(),
                    },
                    "not-applicable" => SignatureCheck::NotApplicable {
                        why: "a docker-archive has no registry signature".into(),
                    },
                    other => SignatureCheck::Invalid {
                        detail: other.to_string(),
                    },
                })
            }
            _ => {}
        }
    }
    settings
}

/// Builds the image a case describes; `Err` names the line that is not understood.
pub fn image(case: &str) -> Result<Image, String> {
    let mut reference = "case:image".to_string();
    let mut config = Map::new();
    let mut history: Vec<HistoryEntry> = Vec::new();
    let mut fs = FsView::default();
    let mut layers = 0usize;
    for (n, line) in case.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("case line {}: `{line}`", n + 1);
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let layer = layers.saturating_sub(1);
        match word {
            "ref" => reference = rest.to_string(),
            "signature" | "trusted" | "minimal" | "today" => {}
            "config" => {
                let Value::Object(more) = serde_json::from_str(rest).map_err(|_| bad())? else {
                    return Err(bad());
                };
                config.extend(more);
            }
            "step" | "meta" => {
                let empty_layer = word == "meta";
                layers += usize::from(!empty_layer);
                history.push(HistoryEntry {
                    created_by: Some(rest.to_string()),
                    empty_layer,
                    ..HistoryEntry::default()
                });
            }
            "file" | "dir" | "link" => {
                let mut parts = rest.splitn(3, ' ');
                let path = parts.next().filter(|p| !p.is_empty()).ok_or_else(bad)?;
                let second = parts.next().unwrap_or_default();
                let (kind, mode, data) = match word {
                    "link" => (EntryKind::Symlink(second.to_string()), 0o777, None),
                    _ => {
                        let mode = u32::from_str_radix(second, 8).map_err(|_| bad())?;
                        if word == "dir" {
                            (EntryKind::Dir, mode, None)
                        } else {
                            let text = parts.next().unwrap_or_default().replace("\\n", "\n");
                            (EntryKind::File, mode, Some(text.into_bytes()))
                        }
                    }
                };
                if let Some(bytes) = &data {
                    let secrets = seaworthy_secrets::scan_file(path, bytes);
                    if !secrets.is_empty() {
                        fs.add_secrets(LayerSecrets {
                            path: path.to_string(),
                            layer,
                            secrets,
                        });
                    }
                }
                let node = Node {
                    kind,
                    mode,
                    size: data.as_ref().map_or(0, |d| d.len() as u64),
                    uid: 0,
                    gid: 0,
                    layer,
                };
                fs.insert(path, node, data);
            }
            _ => return Err(bad()),
        }
    }
    let diff_ids: Vec<String> = (0..layers.max(1))
        .map(|i| format!("sha256:{:064x}", i + 1))
        .collect();
    let raw = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": Value::Object(config),
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    let config = ImageConfig::parse(raw.to_string().as_bytes())?;
    let layers = config
        .diff_ids
        .iter()
        .map(|d| LayerInfo {
            digest: None,
            diff_id: Some(d.clone()),
            media_type: "application/vnd.oci.image.layer.v1.tar".into(),
            size: None,
            history: None,
        })
        .collect();
    let mut info = ImageInfo {
        reference,
        source: "case",
        manifest_digest: None,
        config_digest: None,
        repo_tags: Vec::new(),
        config,
        layers,
    };
    info.link_layers();
    Ok(Image { info, fs })
}
