//! Times matching N packages against a database: `bench_match DB [N]`. The packages are drawn
//! from the database's own affected entries (every ecosystem, spread evenly), each at a low
//! version, so nearly every lookup finds advisories and judges ranges: a worst case for the
//! matcher. The sample is deterministic (a hash of the names picks it). Prints the median of 11 runs.

use std::time::Instant;

// The allocator the seaworthy binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use seaworthy_inventory::{Ecosystem, OsInfo, Package};
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, match_packages};
use seaworthy_vulndb::store::Store;

fn ecosystem_of(key: &str) -> Option<(Ecosystem, &'static str)> {
    let family = key.split(':').next()?;
    Some(match family {
        "PyPI" => (Ecosystem::Pypi, "1.0"),
        "Go" => (Ecosystem::Golang, "v0.1.0"),
        "crates.io" => (Ecosystem::Cargo, "0.1.0"),
        "npm" => (Ecosystem::Npm, "0.1.0"),
        "RubyGems" => (Ecosystem::Gem, "0.1"),
        "Packagist" => (Ecosystem::Composer, "1.0.0"),
        "almalinux" => (Ecosystem::Rpm, "0:0.1-1.el9"),
        _ => return None,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let db = args.next().ok_or("usage: bench_match DB [N]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let store = Store::open(std::path::Path::new(&db))?;
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT ecosystem, package FROM (SELECT DISTINCT ecosystem, package FROM affected \
         WHERE ecosystem IN ('PyPI','Go','crates.io','npm','RubyGems','Packagist','almalinux:9')) \
         ORDER BY (length(package) * 7919 + unicode(package) * 104729 + unicode(substr(package, -1))) % 1009, package",
    )?;
    let pairs: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let packages: Vec<Package> = pairs
        .iter()
        .filter_map(|(eco, name)| {
            let (e, v) = ecosystem_of(eco)?;
            Some(Package::new(
                "bench",
                e,
                name.clone(),
                v,
                format!("pkg:{e}/{name}@{v}"),
            ))
        })
        .take(n)
        .collect();
    let os = OsInfo {
        id: "almalinux".into(),
        version_id: "9.4".into(),
        ..OsInfo::default()
    };
    let input = MatchInput {
        os: Some(&os),
        packages: &packages,
        layers: &[],
    };
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..11 {
        let t = Instant::now();
        let result = match_packages(&store, &input, MatchOptions::default())?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found = result.matches.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "matching {} packages: median {:.1} ms (min {:.1}), {found} matches",
        packages.len(),
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}
