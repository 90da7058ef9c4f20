//! `seaworthy assess`: one report of every area, rendered in every format.

mod model;

pub use model::*;
