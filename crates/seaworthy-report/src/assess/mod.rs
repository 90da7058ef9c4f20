//! `seaworthy assess`: one report of every area, rendered in every format.

mod model;
mod table;

pub use model::*;
pub use table::render_table;
