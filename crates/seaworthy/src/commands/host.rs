//! `seaworthy host`: the CIS host checks (sections 1–3, 6, 7) on the daemon and the files below
//! `--root`, and the host OS packages matched against the vulnerability database.
//!
//! Host results report, they do not gate: without `--fail-on` the exit code is 0 whatever the
//! warnings. An unreachable daemon is not an error: its checks become `info` ("daemon not
//! reachable") and the host files are still checked.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use seaworthy_core::{CheckResult, Level, Severity};
use seaworthy_host::gather::gather;
use seaworthy_host::root::HostRoot;
use seaworthy_host::rules;
use seaworthy_inventory::{CatalogerSet, all_catalogers};
use seaworthy_oci::{EntryKind, FsView, Node};
use seaworthy_vulndb::LayerRef;
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, match_packages};

use crate::cli;
use crate::cli::HostArgs;
use crate::cli::{OutputArgs, OutputFormat};
use crate::commands::db;
use crate::exit::ExitCode;
use crate::output::{emit, use_color};

/// Largest package database file read (rpmdb.sqlite can be large).
const MAX_PACKAGE_DB: u64 = 512 * 1024 * 1024;

/// Directories whose files may be package databases; only files the catalogers want are read.
const PACKAGE_DIRS: &[&str] = &[
    "var/lib/dpkg/status.d",
    "var/lib/rpm",
    "usr/lib/sysimage/rpm",
];
const PACKAGE_FILES: &[&str] = &["var/lib/dpkg/status", "lib/apk/db/installed"];

pub struct Outcome {
    pub target: String,
    /// The host as the checks' findings name it (`localhost`).
    pub host: String,
    pub results: Vec<CheckResult>,
    pub notes: Vec<String>,
    pub checks_time: Duration,
    /// The host OS packages' known vulnerabilities, worst first.
    pub vulnerabilities: Vec<seaworthy_vulndb::VulnMatch>,
}

pub fn run(args: &HostArgs) -> Result<Outcome, anyhow::Error> {
    if !args.root.is_dir() {
        anyhow::bail!("--root {}: not a directory", args.root.display());
    }
    let started = Instant::now();
    let root = HostRoot::new(&args.root);
    let endpoint = (!args.no_daemon).then(seaworthy_engine::engine::endpoint);
    let facts = gather(&root, endpoint.as_ref(), "localhost");
    let level = if args.level >= 2 {
        Level::L2
    } else {
        Level::L1
    };
    let results = rules::run(&facts, level);
    let checks_time = started.elapsed();

    let mut notes = Vec::new();
    match (&facts.daemon, &endpoint) {
        (Ok(d), _) => notes.push(format!(
            "daemon: Docker Engine {} at {}",
            d.server_version, d.endpoint
        )),
        (Err(e), Some(_)) => notes.push(format!(
            "daemon not reachable ({e}): daemon checks are info, host files are still checked"
        )),
        (Err(_), None) => notes.push("daemon skipped (--no-daemon)".to_string()),
    }
    if args.root != Path::new("/") {
        notes.push(format!("host files read below {}", args.root.display()));
    }
    notes.extend(facts.config.problems.iter().cloned());
    notes.push(format!(
        "{} checks (level {}) in {} ms",
        results.len(),
        args.level,
        checks_time.as_millis()
    ));
    let mut vulnerabilities = Vec::new();
    if !args.no_packages {
        let (note, matches) = packages(args, &root);
        notes.push(note);
        vulnerabilities = matches;
    }
    Ok(Outcome {
        target: endpoint.map_or_else(|| "localhost".to_string(), |e| e.host),
        host: facts.host.clone(),
        results,
        notes,
        checks_time,
        vulnerabilities,
    })
}

/// The host OS packages' known vulnerabilities and a note on the scan (never an error: without
/// a database the scan is skipped with a note).
fn packages(args: &HostArgs, root: &HostRoot) -> (String, Vec<seaworthy_vulndb::VulnMatch>) {
    let started = Instant::now();
    // The host's own databases are read up to MAX_PACKAGE_DB; the parse limits that guard image
    // scans (32 MiB, rpm 64 MiB) would refuse a full system's rpm database.
    let catalogers = all_catalogers().with_limits(seaworthy_oci::Limits {
        max_parse_bytes: MAX_PACKAGE_DB / 2,
        ..seaworthy_oci::Limits::default()
    });
    let fs = package_view(root, &catalogers);
    let inventory = catalogers.catalog(&fs);
    let os = inventory
        .os
        .as_ref()
        .map(|o| format!("{} {}", o.id, o.version_id))
        .unwrap_or_else(|| "unknown OS".to_string());
    let found = format!("host packages: {} ({os})", inventory.packages.len());
    let missing = db::db_path(&args.db).map_or(true, |p| !p.is_file());
    if missing {
        let note = format!(
            "{found}; not matched: no vulnerability database (run `seaworthy db update`); {} ms",
            started.elapsed().as_millis()
        );
        return (note, Vec::new());
    }
    let store = match db::open(&args.db) {
        Ok(s) => s,
        Err(e) => return (format!("{found}; not matched: {:#}", e.error), Vec::new()),
    };
    let layers = [LayerRef {
        index: 0,
        diff_id: "host".to_string(),
        created_by: None,
    }];
    let input = MatchInput {
        os: inventory.os.as_ref(),
        packages: &inventory.packages,
        layers: &layers,
    };
    match match_packages(&store, &input, MatchOptions::default()) {
        Ok(mut result) => {
            let count = |s: Severity| result.matches.iter().filter(|m| m.severity == s).count();
            let note = format!(
                "{found}; {} known vulnerabilities ({} critical, {} high, {} medium, {} low); scanned in {} ms",
                result.matches.len(),
                count(Severity::Critical),
                count(Severity::High),
                count(Severity::Medium),
                count(Severity::Low),
                started.elapsed().as_millis()
            );
            result
                .matches
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            (note, result.matches)
        }
        Err(e) => (format!("{found}; not matched: {e}"), Vec::new()),
    }
}

/// A filesystem view holding only the package database and OS release files of the host.
fn package_view(root: &HostRoot, catalogers: &CatalogerSet) -> FsView {
    use seaworthy_oci::ContentFilter;
    let mut candidates: Vec<String> = PACKAGE_FILES.iter().map(|p| p.to_string()).collect();
    candidates.extend(
        seaworthy_inventory::os::OS_FILES
            .iter()
            .map(|p| p.to_string()),
    );
    for dir in PACKAGE_DIRS {
        for name in root.list(&format!("/{dir}"), 100_000) {
            candidates.push(format!("{dir}/{name}"));
        }
    }
    let mut fs = FsView::default();
    for path in candidates {
        if !catalogers.wants_path(&path) {
            continue;
        }
        let Some(real) = root.resolve(&format!("/{path}")) else {
            continue;
        };
        // Regular files only: a FIFO or device is skipped, never opened for a blocking read.
        let Ok((file, _)) =
            seaworthy_core::files::open(&real, seaworthy_core::files::Links::Follow)
        else {
            continue;
        };
        let mut data = Vec::new();
        if file.take(MAX_PACKAGE_DB).read_to_end(&mut data).is_err() {
            continue;
        }
        let node = Node {
            kind: EntryKind::File,
            mode: 0o644,
            size: data.len() as u64,
            uid: 0,
            gid: 0,
            layer: 0,
        };
        fs.insert(&path, node, Some(data));
    }
    fs
}

/// `seaworthy host`.
pub fn execute(args: &cli::HostArgs) -> ExitCode {
    use seaworthy_report::checks::{CheckFormat, CheckReport, render_checks};
    let outcome = match run(args) {
        Ok(o) => o,
        Err(e) => {
            crate::say!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let rules: Vec<_> = seaworthy_host::rules::metas();
    let report = CheckReport {
        area: seaworthy_core::Area::Host,
        target: &outcome.target,
        results: &outcome.results,
        fail_on: args.fail_on.and_then(crate::cli::FailOn::threshold),
        tool_version: env!("CARGO_PKG_VERSION"),
        notes: &outcome.notes,
        rules: &rules,
        vulnerabilities: &outcome.vulnerabilities,
    };
    let (format, out_format) = match args.format {
        cli::HostFormat::Table => (CheckFormat::Table, OutputFormat::Table),
        cli::HostFormat::Json => (CheckFormat::Json, OutputFormat::Json),
        cli::HostFormat::Sarif => (CheckFormat::Sarif, OutputFormat::Sarif),
        cli::HostFormat::Junit => (CheckFormat::Junit, OutputFormat::Junit),
        cli::HostFormat::Github => (CheckFormat::Github, OutputFormat::Github),
    };
    let out = OutputArgs {
        format: out_format,
        output: args.output.clone(),
        color: args.color,
    };
    let text = render_checks(&report, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        crate::say!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    let _ = outcome.checks_time;
    if report.passed() {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}
