//! `seaworthy assess`: one report of every area, rendered in every format.

mod json;
mod model;
mod table;

pub use json::render_json;
pub use model::*;
pub use table::render_table;
