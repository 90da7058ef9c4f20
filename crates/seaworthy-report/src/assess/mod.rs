//! `seaworthy assess`: one report of every area, rendered in every format.

mod json;
mod junit;
mod model;
mod sarif;
mod table;

pub use json::render_json;
pub use junit::render_junit;
pub use model::*;
pub use sarif::render_sarif;
pub use table::render_table;
