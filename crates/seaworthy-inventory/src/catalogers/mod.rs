//! One module per package source. Register new catalogers in [`all`].

pub mod apk;
pub mod binary;
pub mod cargo_lock;
pub mod dotnet;
pub mod dpkg;
pub mod gomod;
pub mod java;
pub mod npm;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;

use crate::cataloger::Cataloger;

/// Every cataloger, in a fixed order. Each module exposes `cataloger() -> Box<dyn Cataloger>`
/// once written; add it here.
pub fn all() -> Vec<Box<dyn Cataloger>> {
    vec![]
}
