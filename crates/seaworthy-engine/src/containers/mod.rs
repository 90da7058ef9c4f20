//! Running containers through the Engine API: which to check ([`Selection`]), what is read about
//! each ([`Observed`]: inspect as a [`seaworthy_container::ContainerSpec`], processes, changes,
//! package databases) and the drift found in them.

pub mod archive;
pub mod collect;
pub mod drift;
pub mod inspect;

pub use collect::{ObserveError, Observed, Selection, host_context, observe};
