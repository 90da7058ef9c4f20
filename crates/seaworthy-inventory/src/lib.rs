//! What is inside an image: the OS and every package, from OS package databases and
//! language ecosystems, each with its purl and the layer and path it came from.

pub mod attribution;
pub mod cataloger;
pub mod catalogers;
pub mod os;
pub mod ownership;
pub mod package;
pub mod purl;
pub mod sbom;

pub use cataloger::{CatalogError, Cataloger, CatalogerSet, Env, Inventory};
pub use os::OsInfo;
pub use package::{Ecosystem, Package, PackageLocation, SourcePackage};

/// Every cataloger seaworthy has.
pub fn all_catalogers() -> CatalogerSet {
    CatalogerSet::new(catalogers::all())
}
