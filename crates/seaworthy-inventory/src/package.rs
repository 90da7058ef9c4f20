//! The package model every cataloger produces.

use std::fmt;

use serde::Serialize;

/// Package ecosystems, named as in package-url types (and OSV ecosystems where they differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Deb,
    Apk,
    Rpm,
    Cargo,
    Golang,
    Npm,
    Pypi,
    Maven,
    Gem,
    Composer,
    Nuget,
}

impl Ecosystem {
    /// The package-url type.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Golang => "golang",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
        }
    }

    /// True for packages managed by the OS package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// The source package a binary package was built from (dpkg `Source:`, rpm `SOURCERPM`, apk origin).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourcePackage {
    pub name: String,
    pub version: String,
}

/// Where a package was found: a file in the image and the layer that added the package there
/// (for a package database, see [`crate::attribution`]; else the layer that last wrote the file).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PackageLocation {
    /// Absolute path in the image (`/var/lib/dpkg/status`).
    pub path: String,
    /// Index of the layer (0 = base).
    pub layer: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    /// The ecosystem's full version string (`1:2.36-9+deb12u4`, `0:1.2-3.el9` without `0:`).
    pub version: String,
    pub ecosystem: Ecosystem,
    /// package-url (https://github.com/package-url/purl-spec).
    pub purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Declared licenses as written (SPDX expressions where the package gives one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Every file the package was seen in; the first is the primary one (the installed manifest
    /// before the lockfiles of its project, see `merge_sightings` in [`crate::cataloger`]).
    pub locations: Vec<PackageLocation>,
    /// Which cataloger found it (`dpkg`, `go-binary`, …).
    pub cataloger: &'static str,
    /// Ecosystem-specific extras (rpm modularity label, Go toolchain version, …), sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<(String, String)>,
    /// For a language package whose manifest (or binary) is a file of an OS package (Debian's
    /// `python3-pip` ships `pip-23.0.1.dist-info`): that OS package's purl. The distribution
    /// patches and tracks it, so it is matched through the distribution's advisories only
    /// (see [`crate::ownership`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

impl Package {
    /// The order packages are listed in everywhere: ecosystem, name, version, purl, cataloger,
    /// locations.
    #[allow(clippy::type_complexity)]
    pub fn sort_key(
        &self,
    ) -> (
        Ecosystem,
        &str,
        &str,
        &str,
        &'static str,
        &[PackageLocation],
    ) {
        (
            self.ecosystem,
            &self.name,
            &self.version,
            &self.purl,
            self.cataloger,
            &self.locations,
        )
    }

    /// A package with the required fields; the rest default to empty.
    pub fn new(
        cataloger: &'static str,
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        purl: impl Into<String>,
    ) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            ecosystem,
            purl: purl.into(),
            source: None,
            licenses: Vec::new(),
            arch: None,
            locations: Vec::new(),
            cataloger,
            metadata: Vec::new(),
            owned_by: None,
        }
    }
}
