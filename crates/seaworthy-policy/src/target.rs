//! What a waiver or VEX statement is matched against.

/// A finding or vulnerability as policy sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target<'a> {
    /// The rule id or advisory id, then its aliases (`CVE-…`, `GHSA-…`).
    pub ids: Vec<&'a str>,
    /// A file (Dockerfile, compose file, or a path inside an image).
    pub path: Option<&'a str>,
    /// The image as the user named it.
    pub image: Option<&'a str>,
    /// The package name (vulnerabilities).
    pub package: Option<&'a str>,
    /// A package URL, for OpenVEX products.
    pub purl: Option<&'a str>,
    /// The container name.
    pub container: Option<&'a str>,
}
