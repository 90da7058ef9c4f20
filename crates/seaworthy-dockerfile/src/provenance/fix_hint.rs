//! One-line fix suggestions for a vulnerable package, from where its layer came from.

use super::Origin;

/// How to fix `package` (of `ecosystem`: a package-url type such as `deb`, `apk`, `pypi`, or an
/// OSV ecosystem name) given the origin of the layer that installed it. `None` without a
/// fixed version or without a known origin.
pub fn fix_hint(
    origin: &Origin,
    package: &str,
    fixed_version: Option<&str>,
    ecosystem: &str,
) -> Option<String> {
    let fixed = fixed_version.map(str::trim).filter(|v| !v.is_empty())?;
    match origin {
        Origin::Instruction {
            line, instruction, ..
        } => {
            let how = if instruction == "RUN" {
                install_command(ecosystem, package, fixed)
                    .map(|c| format!(" (`{c}`)"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            Some(format!(
                "upgrade {package} to {fixed} in the {instruction} at line {line}{how}"
            ))
        }
        Origin::Base { from, line } => Some(format!(
            "bump the base image `FROM {from}` (line {line}) to a release that ships {package} {fixed}"
        )),
        Origin::Unknown => None,
    }
}

/// The package manager command that installs at least `fixed`.
fn install_command(ecosystem: &str, package: &str, fixed: &str) -> Option<String> {
    let eco = ecosystem.to_ascii_lowercase();
    Some(match eco.as_str() {
        "deb" | "debian" | "ubuntu" => format!("apt-get install {package}={fixed}"),
        "apk" | "alpine" | "wolfi" | "chainguard" => format!("apk add '{package}>={fixed}'"),
        "rpm" | "redhat" | "rocky" | "almalinux" | "fedora" | "centos" => {
            format!("dnf install '{package} >= {fixed}'")
        }
        "pypi" => format!("pip install '{package}>={fixed}'"),
        "npm" => format!("npm install {package}@{fixed}"),
        "gem" | "rubygems" => format!("gem install {package} -v '>= {fixed}'"),
        "golang" | "go" => format!("go get {package}@v{}", fixed.trim_start_matches('v')),
        "cargo" | "crates.io" => format!("cargo update -p {package} --precise {fixed}"),
        "composer" | "packagist" => format!("composer require '{package}:^{fixed}'"),
        "nuget" => format!("dotnet add package {package} --version {fixed}"),
        _ => return None,
    })
}
