//! `seaworthy db …`: update, import, export, status and search of the vulnerability database.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use seaworthy_core::text::shown;
use seaworthy_vulndb::fetch::{FetchEvent, FetchOptions, Fetcher};
use seaworthy_vulndb::import;
use seaworthy_vulndb::store::{DbStatus, Store, StoreError};
use seaworthy_vulndb::update::{self, FeedUrls};
use seaworthy_vulndb::{Advisory, Status};

use crate::cli::{ColorChoice, DbCommand, OutputArgs, OutputFormat};
use crate::cli::{
    DbExportArgs, DbImportArgs, DbPathArgs, DbSearchArgs, DbStatusArgs, DbUpdateArgs, TableOrJson,
};
use crate::commands::sbom::{created_now, show_progress};
use crate::config::{self, DbSection};
use crate::exit::ExitCode;
use crate::output::emit;
use crate::progress::FeedBars;

/// An error with the exit code it deserves: 2 for bad input, 3 for the machine or network.
pub struct Failure {
    pub error: anyhow::Error,
    pub input: bool,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure {
            error: e.into(),
            input: true,
        }
    }
}

fn internal(e: impl Into<anyhow::Error>) -> Failure {
    Failure {
        error: e.into(),
        input: false,
    }
}

/// The `[db]` section and the directory paths in it are relative to.
fn db_section(args: &DbPathArgs) -> Result<DbSection> {
    let (file, path) = config::load_file(args.config.as_deref())?;
    let mut db = file.db;
    let base = path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    db.path = db.path.map(|p| base.join(p));
    db.cache_dir = db.cache_dir.map(|p| base.join(p));
    Ok(db)
}

/// `--db`, then `SEAWORTHY_DB` (both via clap), then `[db] path`, then the user cache dir.
pub fn db_path(args: &DbPathArgs) -> Result<PathBuf> {
    if let Some(p) = &args.path {
        return Ok(p.clone());
    }
    Ok(db_section(args)?
        .path
        .unwrap_or_else(update::default_db_path))
}

pub fn open(args: &DbPathArgs) -> Result<Store, Failure> {
    let path = db_path(args)?;
    Store::open(&path).map_err(store_failure)
}

pub fn store_failure(e: StoreError) -> Failure {
    let input = e.is_input_error();
    Failure {
        error: e.into(),
        input,
    }
}

/// What `db import` / `db update` did: the text for stdout, the feed files `db import` could
/// not read and left out (NVD, KEV, EPSS, Wolfi and Chainguard secdb; each error names its
/// file; any makes the exit code 2), and the feeds `db update` could not download or read
/// (one warning each; the exit code stays 0).
pub struct Outcome {
    pub text: String,
    pub left_out: Vec<String>,
    pub warnings: Vec<String>,
}

impl From<String> for Outcome {
    fn from(text: String) -> Outcome {
        Outcome {
            text,
            left_out: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

pub fn run_update(args: &DbUpdateArgs) -> Result<Outcome, Failure> {
    let section = db_section(&args.db)?;
    let db = db_path(&args.db)?;
    let pick = |cli: &Option<String>, file: &Option<String>, default: String| {
        cli.clone().or_else(|| file.clone()).unwrap_or(default)
    };
    let pick_list = |cli: &Vec<String>, file: &Option<Vec<String>>, default: Vec<String>| {
        if !cli.is_empty() {
            cli.clone()
        } else {
            file.clone().unwrap_or(default)
        }
    };
    let defaults = FeedUrls::default();
    let urls = FeedUrls {
        debian_tracker: pick(
            &args.debian_tracker_url,
            &section.debian_tracker_url,
            defaults.debian_tracker,
        ),
        alpine_secdb: pick(
            &args.alpine_secdb_url,
            &section.alpine_secdb_url,
            defaults.alpine_secdb,
        ),
        alpine_branches: pick_list(
            &args.alpine_branches,
            &section.alpine_branches,
            defaults.alpine_branches,
        ),
        osv: pick(&args.osv_url, &section.osv_url, defaults.osv),
        osv_ecosystems: pick_list(
            &args.osv_ecosystems,
            &section.osv_ecosystems,
            defaults.osv_ecosystems,
        ),
        rustsec: pick(&args.rustsec_url, &section.rustsec_url, defaults.rustsec),
        wolfi: pick(&args.wolfi_url, &section.wolfi_url, defaults.wolfi),
        chainguard: pick(
            &args.chainguard_url,
            &section.chainguard_url,
            defaults.chainguard,
        ),
        nvd: pick(&args.nvd_url, &section.nvd_url, defaults.nvd),
        nvd_years: defaults.nvd_years,
        kev: pick(&args.kev_url, &section.kev_url, defaults.kev),
        epss: pick(&args.epss_url, &section.epss_url, defaults.epss),
    };
    let cache = args
        .cache_dir
        .clone()
        .or(section.cache_dir)
        .unwrap_or_else(update::default_feed_cache);
    let options = FetchOptions {
        deadline: args.timeout.map(|t| std::time::Instant::now() + t),
        ..FetchOptions::default()
    };
    let fetcher = Fetcher::new(cache, options).map_err(internal)?;
    let bars = show_progress(args.progress).then(FeedBars::new);
    let progress = |event: FetchEvent| match &bars {
        Some(b) => b.event(&event),
        // Retries and failures stay quiet here: a feed that fails for good is named once, in
        // the summary's warnings.
        None => {
            if let FetchEvent::Finished { url, not_modified } = &event {
                let what = if *not_modified {
                    "unchanged"
                } else {
                    "downloaded"
                };
                crate::note!("seaworthy: {what} {url}");
            }
        }
    };
    let built = created_now();
    let result = update::update(&db, &fetcher, &urls, &built, &progress);
    if let Some(b) = &bars {
        b.finish();
    }
    let summary = result.map_err(|e| {
        let input = e.is_input_error();
        Failure {
            error: anyhow::Error::new(e).context(format!(
                "update failed; the previous database (if any) at {} is unchanged",
                db.display()
            )),
            input,
        }
    })?;
    let mut out = format!(
        "Updated {}: {} advisories from {} feeds ({} unchanged since the last update, {:.1} MiB downloaded)",
        db.display(),
        summary.import.advisories,
        summary.import.sources.len(),
        summary.not_modified,
        summary.downloaded_bytes as f64 / (1 << 20) as f64
    );
    intel_line(&mut out, &summary.import);
    skipped_lines(&mut out, &summary.import);
    Ok(Outcome {
        text: out,
        left_out: summary.import.failed,
        warnings: summary.failed.iter().map(ToString::to_string).collect(),
    })
}

/// `; NVD: 125 CVE records, KEV: 1404 entries, EPSS: 5 scores` when any were read.
fn intel_line(out: &mut String, summary: &import::ImportSummary) {
    let parts: Vec<String> = [
        ("NVD", summary.nvd, "CVE records"),
        ("KEV", summary.kev, "entries"),
        ("EPSS", summary.epss, "scores"),
    ]
    .iter()
    .filter(|(_, n, _)| *n > 0)
    .map(|(what, n, unit)| format!("{what}: {n} {unit}"))
    .collect();
    if !parts.is_empty() {
        let _ = write!(out, "; {}", parts.join(", "));
    }
}

fn skipped_lines(out: &mut String, summary: &import::ImportSummary) {
    if summary.skipped > 0 {
        // Exit 0 all the same: the rest was imported. Said on stderr too, where CI logs look.
        crate::note!(
            "seaworthy: warning: {} advisories could not be read and were skipped (see `seaworthy db status`)",
            summary.skipped
        );
        let _ = write!(
            out,
            "\n{} advisories could not be read and were skipped:",
            summary.skipped
        );
        // A problem names the feed file (a zip entry, a path) it comes from: shown escaped.
        for p in &summary.problems {
            let _ = write!(out, "\n  {}", shown(p));
        }
    }
    out.push('\n');
}

pub fn run_import(args: &DbImportArgs) -> Result<Outcome, Failure> {
    let db = db_path(&args.db)?;
    // A database written by `db export`: copied next to the database, validated (schema,
    // integrity), then renamed into place; a hostile or broken file leaves the old one as it was.
    if let [single] = args.paths.as_slice()
        && single.is_file()
        && is_sqlite(single)
    {
        seaworthy_vulndb::store::import_file(single, &db).map_err(|e| {
            let input = e.is_input_error();
            Failure {
                error: anyhow::Error::new(e)
                    .context("import failed; the previous database (if any) is unchanged"),
                input,
            }
        })?;
        return Ok(format!("Imported {} into {}\n", single.display(), db.display()).into());
    }
    let feeds = import::discover(&args.paths).map_err(import_failure)?;
    let built = created_now();
    let summary = import::build(&db, &feeds, &built, &|feed, parsed| {
        if feed.kind.is_intel() {
            crate::note!(
                "seaworthy: read {} ({} records)",
                feed.location,
                parsed.intel.len()
            );
        } else {
            crate::note!(
                "seaworthy: read {} ({} advisories)",
                feed.location,
                parsed.advisories.len()
            );
        }
    })
    .map_err(import_failure)?;
    let mut out = format!(
        "Imported {} advisories from {} feed files into {}",
        summary.advisories,
        summary.sources.len(),
        db.display()
    );
    intel_line(&mut out, &summary);
    skipped_lines(&mut out, &summary);
    Ok(Outcome {
        text: out,
        left_out: summary.failed,
        warnings: Vec::new(),
    })
}

fn import_failure(e: import::ImportError) -> Failure {
    let input = e.is_input_error();
    Failure {
        error: anyhow::Error::new(e)
            .context("import failed; the previous database (if any) is unchanged"),
        input,
    }
}

fn is_sqlite(path: &Path) -> bool {
    use seaworthy_core::files::{self, Links};
    use std::io::Read;
    let mut head = [0u8; 16];
    files::open(path, Links::Follow).is_ok_and(|(mut f, _)| f.read_exact(&mut head).is_ok())
        && &head == b"SQLite format 3\0"
}

pub fn run_export(args: &DbExportArgs) -> Result<String, Failure> {
    let store = open(&args.db)?;
    store.export(&args.file).map_err(store_failure)?;
    Ok(format!(
        "Exported {} to {}\n",
        store.path().display(),
        args.file.display()
    ))
}

pub fn run_status(args: &DbStatusArgs) -> Result<String, Failure> {
    let status = open(&args.db)?.status().map_err(store_failure)?;
    Ok(match args.format {
        TableOrJson::Json => seaworthy_report::json_pretty(&status) + "\n",
        TableOrJson::Table => status_table(&status),
    })
}

fn status_table(s: &DbStatus) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Database        {}",
        shown(&s.path.display().to_string())
    );
    let _ = writeln!(out, "Schema version  {}", s.schema_version);
    let _ = writeln!(out, "Built           {}", shown(&s.built));
    let _ = writeln!(
        out,
        "Advisories      {} ({} affected-package entries)",
        s.advisories, s.affected
    );
    if s.skipped > 0 {
        let _ = writeln!(
            out,
            "Skipped         {} advisories could not be read when it was built",
            s.skipped
        );
    }
    let _ = writeln!(out, "NVD             {} CVE records", s.nvd);
    let kev_version = s
        .kev_catalog_version
        .as_deref()
        .map(|v| format!(" (catalog {})", shown(v)))
        .unwrap_or_default();
    let _ = writeln!(out, "KEV             {} entries{kev_version}", s.kev);
    let epss_date = match (&s.epss_score_date, &s.epss_model_version) {
        (Some(d), Some(m)) => format!(" (scored {}, model {})", shown(d), shown(m)),
        (Some(d), None) => format!(" (scored {})", shown(d)),
        (None, Some(m)) => format!(" (model {})", shown(m)),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "EPSS            {} scores{epss_date}", s.epss);
    if !s.stale_sources.is_empty() {
        let names: Vec<String> = s
            .stale_sources
            .iter()
            .map(|n| shown(n).to_string())
            .collect();
        let _ = writeln!(
            out,
            "Stale           {} feeds could not be updated when it was built: {}",
            names.len(),
            names.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n{:<32} {:>10} {:>8}  {:<20}  {:<7}  location",
        "source", "advisories", "skipped", "updated", "state"
    );
    for src in &s.sources {
        let state = if src.is_missing() {
            "missing"
        } else if src.stale {
            "stale"
        } else {
            "fresh"
        };
        let _ = writeln!(
            out,
            "{:<32} {:>10} {:>8}  {:<20}  {:<7}  {}",
            shown(&src.name),
            src.advisories,
            src.skipped,
            shown(src.fetched.as_deref().unwrap_or(&src.updated)),
            state,
            shown(&src.location)
        );
        if let Some(problem) = &src.problem {
            let _ = writeln!(out, "{:<32} {}", "", shown(problem));
        }
    }
    out
}

pub fn run_search(args: &DbSearchArgs) -> Result<String, Failure> {
    let store = open(&args.db)?;
    let found = store
        .search(&args.query, args.limit)
        .map_err(store_failure)?;
    if args.format == TableOrJson::Json {
        return Ok(seaworthy_report::json_pretty(&found) + "\n");
    }
    if found.is_empty() {
        return Ok(format!("No advisory matches `{}`.\n", shown(&args.query)));
    }
    let mut out = String::new();
    for a in &found {
        advisory_text(&mut out, a);
    }
    Ok(out)
}

fn advisory_text(out: &mut String, a: &Advisory) {
    // Everything here comes from a feed: each value is shown escaped.
    let _ = write!(out, "{} ({})", shown(&a.id), shown(&a.source));
    if !a.aliases.is_empty() {
        let aliases: Vec<String> = a.aliases.iter().map(|x| shown(x).to_string()).collect();
        let _ = write!(out, "  aka {}", aliases.join(", "));
    }
    out.push('\n');
    if let Some(s) = &a.summary {
        let _ = writeln!(out, "  {}", shown(s));
    }
    if let Some(w) = &a.withdrawn {
        let _ = writeln!(out, "  withdrawn {}", shown(w));
    }
    for r in &a.ratings {
        let _ = writeln!(out, "  rating {:?}: {}", r.kind, shown(&r.value));
    }
    for af in &a.affected {
        let what = match af.status {
            Status::Affected => {
                let fixed: Vec<String> = af
                    .ranges
                    .iter()
                    .flat_map(|r| match r {
                        seaworthy_vulndb::Range::Events { events, .. } => events
                            .iter()
                            .filter_map(|e| match e {
                                seaworthy_vulndb::Event::Fixed(v) => Some(format!("fixed {v}")),
                                seaworthy_vulndb::Event::LastAffected(v) => {
                                    Some(format!("last affected {v}"))
                                }
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                        seaworthy_vulndb::Range::Requirements {
                            affected,
                            unaffected,
                            ..
                        } => affected
                            .iter()
                            .map(|a| format!("affected {a}"))
                            .chain(unaffected.iter().map(|u| format!("unaffected {u}")))
                            .collect(),
                    })
                    .collect();
                if fixed.is_empty() {
                    "affected".to_string()
                } else {
                    fixed.join("; ")
                }
            }
            other => format!("{other:?}").to_lowercase(),
        };
        let _ = writeln!(
            out,
            "  {} {}: {}",
            shown(&af.ecosystem),
            shown(&af.package),
            shown(&what)
        );
    }
    out.push('\n');
}

/// Prints the error of a failed command; exit 2 for bad input, 3 otherwise.
pub fn failure_code(f: &Failure) -> ExitCode {
    crate::say!("seaworthy: error: {:#}", f.error);
    if f.input {
        ExitCode::Usage
    } else {
        ExitCode::Internal
    }
}

/// `seaworthy db …`.
pub fn execute(command: &DbCommand) -> ExitCode {
    let result = match command {
        DbCommand::Update(args) => run_update(args),
        DbCommand::Import(args) => run_import(args),
        DbCommand::Export(args) => run_export(args).map(Outcome::from),
        DbCommand::Status(args) => run_status(args).map(Outcome::from),
        DbCommand::Search(args) => run_search(args).map(Outcome::from),
        DbCommand::Push(args) => crate::commands::db_oci::run_push(args).map(Outcome::from),
        DbCommand::Pull(args) => crate::commands::db_oci::run_pull(args).map(Outcome::from),
    };
    match result {
        Ok(outcome) => {
            let out = OutputArgs {
                format: OutputFormat::Table,
                output: None,
                color: ColorChoice::Never,
            };
            if let Err(e) = emit(&out, &outcome.text) {
                crate::say!("seaworthy: {e}");
                return ExitCode::Internal;
            }
            // A feed left out when broken (NVD, KEV, EPSS, Wolfi and Chainguard secdb) that
            // could not be read: named (never quoted), the rest was imported, and the run fails
            // as bad input.
            for e in &outcome.left_out {
                crate::say!(
                    "seaworthy: error: {} (left out; the other feeds were imported)",
                    shown(e)
                );
            }
            // A feed `db update` could not download or read: one line each (its last good copy
            // used, or left out), and the run passes with the database built from the rest.
            for w in &outcome.warnings {
                crate::say!("seaworthy: warning: {}", shown(w));
            }
            if !outcome.warnings.is_empty() {
                crate::say!(
                    "seaworthy: warning: the database was built without fresh data for {} feed(s) (see `seaworthy db status`)",
                    outcome.warnings.len()
                );
            }
            if outcome.left_out.is_empty() {
                ExitCode::Pass
            } else {
                ExitCode::Usage
            }
        }
        Err(f) => failure_code(&f),
    }
}
