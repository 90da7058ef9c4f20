pub mod db;
pub mod dockerfile;
pub mod image;
pub mod rules;
pub mod sbom;
