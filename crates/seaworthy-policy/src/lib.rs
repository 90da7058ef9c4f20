//! Policy decisions on findings that are already found: waivers (`[[waiver]]` in seaworthy.toml,
//! `.trivyignore`), OpenVEX statements, and the comparison with a baseline report.
//!
//! Every finding kind is seen through a [`Target`] — its ids and where it is — so one waiver
//! format covers Dockerfile, image, vulnerability, host and container findings.

pub mod baseline;
pub mod selection;
pub mod target;
pub mod trivyignore;
pub mod vex;
pub mod waiver;

pub use target::Target;
pub use waiver::{Decision, Waiver, WaiverError, WaiverSet, WaiverSource};
