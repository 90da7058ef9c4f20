pub mod dockerfile;
pub mod rules;
pub mod sbom;
