//! `seaworthy db push` and `db pull`: the database as an OCI artifact in any registry.
//!
//! A pulled database is installed as `db import` installs a file: written next to the target,
//! validated ([`store::validate_file`]) and renamed into place, so a broken or hostile artifact
//! leaves the old database as it was. A sidecar file (`<db>.oci.json`) records the blob the
//! database came from, with its build time and size: the next pull of the same blob downloads
//! nothing, and a database rebuilt since (`db update`, `db import`) no longer matches it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use seaworthy_core::text::shown;
use seaworthy_oci::artifact::{self, PullLimits};
use seaworthy_oci::{ImageError, LoadOptions, NoContent};
use seaworthy_vulndb::store::{self, Store};
use serde::{Deserialize, Serialize};

use crate::cli::{DbPullArgs, DbPushArgs, DbRegistryArgs};
use crate::commands::db::{Failure, db_path, open, store_failure};

/// What the sidecar records of the artifact a database was pulled from.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Installed {
    reference: String,
    manifest: String,
    blob: String,
    /// The database's `built` and file size when installed.
    built: String,
    size: u64,
}

fn sidecar(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".oci.json");
    PathBuf::from(name)
}

fn registry_options(args: &DbRegistryArgs) -> LoadOptions<'static> {
    let mut opts = LoadOptions::new(&NoContent);
    opts.insecure_registries = args.insecure_registries.clone();
    if let Some(user) = &args.username {
        let password = std::env::var("SEAWORTHY_REGISTRY_PASSWORD").unwrap_or_default();
        opts.credentials = Some((user.clone(), password));
    }
    opts
}

fn image_failure(e: ImageError, context: String) -> Failure {
    let input = e.is_input_error();
    Failure {
        // Its message already holds its cause (a network error's too): not chained again.
        error: anyhow!("{e}").context(context),
        input,
    }
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure {
        error: anyhow!("{}: {e}", path.display()),
        input: false,
    }
}

/// A temporary file removed when dropped.
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn run_push(args: &DbPushArgs) -> Result<String, Failure> {
    let store = open(&args.db)?;
    let status = store.status().map_err(store_failure)?;
    let mut annotations = BTreeMap::new();
    annotations.insert(
        artifact::ANNOTATION_CREATED.to_string(),
        status.built.clone(),
    );
    annotations.insert(
        artifact::ANNOTATION_SCHEMA.to_string(),
        status.schema_version.to_string(),
    );
    annotations.insert(
        "dev.seaworthy.db.advisories".to_string(),
        status.advisories.to_string(),
    );
    for source in &status.sources {
        annotations.insert(
            format!("{}{}", artifact::ANNOTATION_FEED_PREFIX, source.name),
            source.updated.clone(),
        );
    }
    let dir = tempdir_for_push()?;
    let exported = TempPath(dir.join("vuln.db"));
    store.export(&exported.0).map_err(store_failure)?;
    let opts = registry_options(&args.registry);
    let pushed = artifact::push(&args.reference, &exported.0, &annotations, &opts)
        .map_err(|e| image_failure(e, format!("push to {} failed", args.reference)))?;
    drop(exported);
    let _ = std::fs::remove_dir(&dir);
    Ok(format!(
        "Pushed {} to {} ({}, {:.1} MiB compressed from {:.1} MiB; blob {})\n",
        store.path().display(),
        shown(&args.reference),
        pushed.manifest,
        pushed.compressed as f64 / (1 << 20) as f64,
        pushed.uncompressed as f64 / (1 << 20) as f64,
        pushed.blob
    ))
}

/// A private directory for the exported file.
fn tempdir_for_push() -> Result<PathBuf, Failure> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let dir = base.join(format!("seaworthy-push.{}.{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_failure(&dir, e)),
        }
    }
    Err(io_failure(
        &base,
        std::io::Error::other("cannot create a temporary directory"),
    ))
}

/// The record of where the database at `db` came from, if it still describes that file.
fn installed_from(db: &Path) -> Option<Installed> {
    let text = std::fs::read(sidecar(db)).ok()?;
    let installed: Installed = serde_json::from_slice(&text).ok()?;
    let size = std::fs::metadata(db).ok()?.len();
    let built = Store::open(db).ok()?.status().ok()?.built;
    (size == installed.size && built == installed.built).then_some(installed)
}

pub fn run_pull(args: &DbPullArgs) -> Result<String, Failure> {
    let db = db_path(&args.db)?;
    let opts = registry_options(&args.registry);
    let unchanged = || {
        format!(
            "the previous database (if any) at {} is unchanged",
            db.display()
        )
    };
    let found = artifact::resolve(&args.reference, &opts)
        .map_err(|e| image_failure(e, format!("pull failed; {}", unchanged())))?;
    if let Some(installed) = installed_from(&db)
        && installed.blob == found.blob.to_string()
    {
        crate::note!(
            "seaworthy: {} is up to date with {} ({}); nothing downloaded",
            db.display(),
            shown(&args.reference),
            found.blob
        );
        return Ok(format!(
            "Database {} is up to date ({})\n",
            db.display(),
            found.blob
        ));
    }
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io_failure(dir, e))?;
    let pid = std::process::id();
    let scratch = TempPath(dir.join(format!(".pull.{pid}.zst.tmp")));
    let temp = TempPath(dir.join(format!(".pull.{pid}.db.tmp")));
    let create = |p: &Path| {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(p)
            .map_err(|e| io_failure(p, e))
    };
    let mut scratch_file = create(&scratch.0)?;
    let mut out = create(&temp.0)?;
    let limits = PullLimits {
        max_bytes: args
            .max_db_mib
            .saturating_mul(1 << 20)
            .min(store::MAX_DB_BYTES),
        max_ratio: seaworthy_oci::Limits::default().max_compression_ratio,
        ratio_floor_bytes: seaworthy_oci::Limits::default().ratio_floor_bytes,
    };
    let size = found
        .download(&mut scratch_file, &mut out, limits)
        .map_err(|e| image_failure(e, format!("pull failed; {}", unchanged())))?;
    drop(scratch_file);
    drop(scratch);
    out.sync_all().map_err(|e| io_failure(&temp.0, e))?;
    drop(out);
    let what = format!("{}: database", args.reference);
    store::validate_file(&temp.0, store::INTEGRITY_CHECK_TIME).map_err(|e| {
        let input = e.is_input_error();
        Failure {
            error: anyhow!(
                "{}: {}",
                shown(&what),
                seaworthy_core::causes::outer_and_innermost(&e)
            )
            .context(format!("pull failed; {}", unchanged())),
            input,
        }
    })?;
    let built = Store::open(&temp.0)
        .and_then(|s| s.status())
        .map_err(store_failure)?
        .built;
    // The old record goes first: a crash between the two renames leaves no stale claim.
    let record = sidecar(&db);
    match std::fs::remove_file(&record) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_failure(&record, e)),
    }
    std::fs::rename(&temp.0, &db).map_err(|e| io_failure(&db, e))?;
    std::mem::forget(temp);
    let installed = Installed {
        reference: args.reference.clone(),
        manifest: found.manifest.to_string(),
        blob: found.blob.to_string(),
        built,
        size,
    };
    if let Err(e) = serde_json::to_vec_pretty(&installed)
        .map_err(std::io::Error::other)
        .and_then(|json| std::fs::write(&record, json))
    {
        crate::note!(
            "seaworthy: warning: cannot record the pulled digest in {} ({e}); the next pull \
             downloads again",
            record.display()
        );
    }
    Ok(format!(
        "Pulled {} ({}, {:.1} MiB) into {}\n",
        shown(&args.reference),
        found.blob,
        size as f64 / (1 << 20) as f64,
        db.display()
    ))
}
