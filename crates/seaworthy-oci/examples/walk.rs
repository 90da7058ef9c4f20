//! Reads an image and prints how many paths its merged view holds (a quick timing tool).
//! `cargo run --release -p seaworthy-oci --example walk -- oci-dir:DIR`

fn main() {
    let Some(reference) = std::env::args().nth(1) else {
        eprintln!("usage: walk IMAGE");
        std::process::exit(2);
    };
    let filter = seaworthy_oci::ExactPaths(&["var/lib/dpkg/status", "etc/os-release"]);
    match seaworthy_oci::load(&reference, &seaworthy_oci::LoadOptions::new(&filter)) {
        Ok(image) => println!(
            "{} layers, {} paths, {} captured",
            image.info.layers.len(),
            image.fs.len(),
            image.fs.captured().len()
        ),
        Err(e) => {
            eprintln!("walk: {e}");
            std::process::exit(2);
        }
    }
}
