//! Rules, the same shape in every area: [`declare_rule!`](crate::declare_rule) writes a rule's
//! documentation, [`RuleMeta`], test cases and area data; a [`Registry`] per area lists them;
//! a [`Catalog`] lists the registries of every area; [`testing`] holds the meta-test.

mod declare;
mod meta;
mod registry;
pub mod testing;

pub use declare::Rule;
pub use meta::{Area, CrossRef, Peer, RuleMeta};
pub use registry::{Catalog, Registry, RuleSet};

#[cfg(test)]
mod tests;
