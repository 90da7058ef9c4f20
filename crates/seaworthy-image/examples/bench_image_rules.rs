//! What the image rules cost on top of the inventory: `bench_image_rules IMAGE [RUNS]`. Each run
//! reads the image twice, interleaved: (a) the inventory alone (`seaworthy sbom`'s work: layers
//! streamed with the catalogers' filter, then cataloged) and (b) the same plus the rule files,
//! the secret scan of every layer's candidate files and every image rule. Prints the medians and
//! the overhead of (b) over (a).

use std::time::Instant;

use seaworthy_image::{Settings, WithRuleFiles, check};
use seaworthy_inventory::all_catalogers;
use seaworthy_oci::{LoadOptions, load};

// The allocator the seaworthy binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let image = args.next().ok_or("usage: bench_image_rules IMAGE [RUNS]")?;
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(9);
    let catalogers = all_catalogers();
    let settings = Settings::default();
    let (mut plain, mut full) = (Vec::new(), Vec::new());
    let (mut packages, mut findings, mut secrets) = (0, 0, 0);
    for run in 0..runs {
        // Alternate which goes first, so neither always meets the warmer cache.
        for full_pass in [run % 2 == 0, run % 2 == 1] {
            let t = Instant::now();
            if full_pass {
                let filter = WithRuleFiles(&catalogers);
                let img = load(&image, &LoadOptions::new(&filter))?;
                let _inventory = catalogers.catalog(&img.fs);
                let found = check(&img, &settings);
                full.push(t.elapsed().as_secs_f64());
                findings = found.len();
                secrets = found.iter().filter(|f| f.rule_id == "SW-IMG-020").count();
            } else {
                let img = load(&image, &LoadOptions::new(&catalogers))?;
                packages = catalogers.catalog(&img.fs).packages.len();
                plain.push(t.elapsed().as_secs_f64());
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut plain), median(&mut full));
    println!(
        "inventory {a:.3} s ({packages} packages); inventory + config + secrets {b:.3} s \
         ({findings} findings, {secrets} secrets in files): {:+.1}% (median of {runs})",
        (b / a - 1.0) * 100.0
    );
    Ok(())
}
