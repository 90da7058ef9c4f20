//! `seaworthy image --dockerfile`: every finding and vulnerability names the Dockerfile line that
//! brought it in, with a fix; `--ignore-base` drops what came from the base image.

use std::collections::HashMap;
use std::path::Path;

use seaworthy_core::{DockerfileLine, Finding, Origin};
use seaworthy_dockerfile::Dockerfile;
use seaworthy_dockerfile::model::Model;
use seaworthy_dockerfile::provenance::{self, HistoryStep, Origin as Made, Provenance};
use seaworthy_oci::ImageInfo;
use seaworthy_vulndb::VulnMatch;

use crate::commands::db::Failure;

/// The Dockerfile mapped onto the image history.
pub struct Mapping {
    path: String,
    provenance: Provenance,
}

pub fn map(
    path: &Path,
    build_args: &[String],
    target: Option<&str>,
    info: &ImageInfo,
) -> Result<Mapping, Failure> {
    let max = seaworthy_dockerfile::parser::source::MAX_FILE_BYTES as u64;
    let bytes = seaworthy_core::files::read(path, max, seaworthy_core::files::Links::Follow)
        .map_err(|e| Failure {
            input: e.is_input_error(),
            error: e.into(),
        })?;
    let df = Dockerfile::parse(&bytes).map_err(|e| Failure {
        error: anyhow::anyhow!("{}: {e}", path.display()),
        input: true,
    })?;
    let args: HashMap<String, String> = build_args
        .iter()
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let model = Model::new(&df, &args, target);
    let steps: Vec<HistoryStep<'_>> = info
        .config
        .history
        .iter()
        .map(|h| HistoryStep {
            created_by: h.created_by.as_deref(),
            empty_layer: h.empty_layer,
        })
        .collect();
    let provenance = provenance::map_history(&df, &model, &steps);
    if let Some(m) = provenance.mismatch() {
        crate::note!(
            "seaworthy: warning: {} line {} ({}) does not match the image history; older steps are not traced",
            path.display(),
            m.line,
            m.instruction
        );
    }
    Ok(Mapping {
        path: path.display().to_string(),
        provenance,
    })
}

impl Mapping {
    fn line(&self, made: &Made) -> Option<DockerfileLine> {
        match made {
            Made::Instruction {
                line, instruction, ..
            } => Some(DockerfileLine {
                path: self.path.clone(),
                line: *line,
                instruction: instruction.clone(),
                base_image: None,
            }),
            Made::Base { from, line } => Some(DockerfileLine {
                path: self.path.clone(),
                line: *line,
                instruction: "FROM".into(),
                base_image: Some(from.clone()),
            }),
            Made::Unknown => None,
        }
    }

    fn made_by(&self, origin: &Origin) -> &Made {
        match (origin.step, origin.layer) {
            (Some(step), _) => self.provenance.origin(step as usize),
            (None, Some(layer)) => self.provenance.origin_of_layer(layer as usize),
            _ => &Made::Unknown,
        }
    }

    /// How many of the image's lowest layers its base image (the FROM) made.
    pub fn base_layers(&self, layers: usize) -> usize {
        (0..layers)
            .take_while(|&i| matches!(self.provenance.origin_of_layer(i), Made::Base { .. }))
            .count()
    }

    /// Adds the Dockerfile line to image findings; drops base-image ones when `ignore_base`.
    /// Returns how many were dropped.
    pub fn findings(&self, findings: &mut Vec<Finding>, ignore_base: bool) -> usize {
        let before = findings.len();
        findings.retain_mut(|f| {
            let Some(origin) = f.origin.as_mut() else {
                return true;
            };
            let made = self.made_by(origin).clone();
            origin.dockerfile = self.line(&made);
            !(ignore_base && matches!(made, Made::Base { .. }))
        });
        before - findings.len()
    }

    /// Adds the Dockerfile line and a fix to vulnerability matches; drops base-image ones when
    /// `ignore_base`. Returns how many were dropped.
    pub fn matches(&self, matches: &mut Vec<VulnMatch>, ignore_base: bool) -> usize {
        let before = matches.len();
        matches.retain_mut(|m| {
            let Some(layer) = m.package.layer.as_ref().map(|l| l.index) else {
                return true;
            };
            let made = self.provenance.origin_of_layer(layer).clone();
            let name = m
                .package
                .matched_as
                .as_ref()
                .map_or(m.package.name.as_str(), |(n, _)| n.as_str());
            m.origin = Some(Origin {
                layer: u32::try_from(layer).ok(),
                layer_digest: m.package.layer.as_ref().map(|l| l.diff_id.clone()),
                step: self
                    .provenance
                    .history_index_of_layer(layer)
                    .and_then(|s| u32::try_from(s).ok()),
                created_by: None,
                dockerfile: self.line(&made),
                fix: provenance::fix_hint(
                    &made,
                    name,
                    m.fixed_version.as_deref(),
                    &m.package.ecosystem,
                ),
            });
            !(ignore_base && matches!(made, Made::Base { .. }))
        });
        before - matches.len()
    }
}
