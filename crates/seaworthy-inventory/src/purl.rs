//! package-url strings, built with the `packageurl` crate (spec-conformant percent-encoding).

use packageurl::PackageUrl;

/// `pkg:type/namespace/name@version?qualifiers`; empty qualifier values are dropped.
pub fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let build = || -> Result<String, packageurl::Error> {
        let mut p = PackageUrl::new(ty, name)?;
        if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
            p.with_namespace(ns)?;
        }
        if !version.is_empty() {
            p.with_version(version)?;
        }
        let mut sorted: Vec<&(&str, &str)> =
            qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
        sorted.sort();
        for (k, v) in sorted {
            p.add_qualifier(*k, *v)?;
        }
        Ok(p.to_string())
    };
    build().unwrap_or_else(|_| format!("pkg:{ty}/{name}@{version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_per_spec() {
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "libc6",
                "2.36-9+deb12u4",
                &[("arch", "amd64"), ("distro", "debian-12")]
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            purl("npm", Some("@babel"), "core", "7.0.0", &[]),
            "pkg:npm/%40babel/core@7.0.0"
        );
    }
}
