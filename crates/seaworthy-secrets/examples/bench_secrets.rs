//! Throughput of the secret scanner over a directory tree, I/O excluded: files are read into
//! memory first, then scanned through `is_candidate_path` + `scan_file`, once on one thread
//! and once in parallel with rayon.
//!
//! `cargo run --release -p seaworthy-secrets --example bench_secrets -- [DIR…]`
//! (default: /usr/share/perl5 /etc /usr/lib/python3).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

/// Files collected under `root` (no symlinks followed), with paths relative to `/`.
fn collect(root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut stack: Vec<PathBuf> = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && let Ok(bytes) = std::fs::read(&path)
            {
                let rel = path.to_string_lossy().trim_start_matches('/').to_string();
                out.push((rel, bytes));
            }
        }
    }
}

fn main() {
    let mut roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        roots = ["/usr/share/perl5", "/etc", "/usr/lib/python3"]
            .iter()
            .map(PathBuf::from)
            .collect();
    }
    let mut files = Vec::new();
    for root in &roots {
        collect(root, &mut files);
    }
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let candidates: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| seaworthy_secrets::is_candidate_path(p))
        .collect();
    let scanned: usize = candidates.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{} files, {:.1} MB; {} candidates, {:.1} MB",
        files.len(),
        total as f64 / 1e6,
        candidates.len(),
        scanned as f64 / 1e6
    );

    let started = Instant::now();
    let mut findings = 0usize;
    for (path, bytes) in &files {
        if seaworthy_secrets::is_candidate_path(path) {
            findings += seaworthy_secrets::scan_file(path, bytes).len();
        }
    }
    let serial = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let parallel_findings: usize = files
        .par_iter()
        .filter(|(p, _)| seaworthy_secrets::is_candidate_path(p))
        .map(|(p, b)| seaworthy_secrets::scan_file(p, b).len())
        .sum();
    let parallel = started.elapsed().as_secs_f64();

    println!(
        "1 thread: {:.3} s, {:.0} MB/s of all files ({:.0} MB/s of candidates); {findings} findings",
        serial,
        total as f64 / 1e6 / serial,
        scanned as f64 / 1e6 / serial
    );
    println!(
        "{} threads: {:.3} s, {:.0} MB/s of all files; {parallel_findings} findings",
        rayon::current_num_threads(),
        parallel,
        total as f64 / 1e6 / parallel
    );
    if std::env::var_os("BENCH_SHOW").is_some() {
        for (path, bytes) in &files {
            for s in seaworthy_secrets::scan_file(path, bytes) {
                println!("{path}:{} {} {}", s.line, s.id(), s.masked);
            }
        }
    }
}
