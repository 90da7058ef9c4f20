//! One module per package source. Register new catalogers in [`all`].

pub mod apk;
pub mod binary;
pub mod cargo_lock;
pub mod dotnet;
pub mod dpkg;
pub mod gomod;
pub mod java;
mod json;
pub mod npm;
pub mod php;
pub mod python;
pub mod python_lock;
pub mod rpm;
pub mod ruby;

use crate::cataloger::Cataloger;

/// Every cataloger, in a fixed order: OS package databases, then language ecosystems, then
/// binaries and archives.
pub fn all() -> Vec<Box<dyn Cataloger>> {
    let mut all = vec![dpkg::cataloger(), apk::cataloger(), rpm::cataloger()];
    all.extend(npm::catalogers());
    all.push(python::cataloger());
    all.extend(python_lock::catalogers());
    all.extend([
        ruby::cataloger(),
        php::cataloger(),
        dotnet::cataloger(),
        cargo_lock::cataloger(),
        gomod::cataloger(),
        binary::cataloger(),
        java::cataloger(),
    ]);
    all
}
