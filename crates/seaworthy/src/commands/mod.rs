pub mod compose;
pub mod db;
pub mod dockerfile;
pub mod image;
pub mod provenance;
pub mod rules;
pub mod run;
pub mod sbom;
