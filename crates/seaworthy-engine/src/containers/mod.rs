//! Running containers through the Engine API: which to check ([`Selection`]), what is read about
//! each ([`Observed`]: inspect as a [`seaworthy_container::ContainerSpec`], processes, changes,
//! package databases). The drift rules judging them live in `seaworthy_container::drift`.

pub mod archive;
pub mod collect;
pub mod inspect;

pub use collect::{ObserveError, Observed, Selection, host_context, observe};
