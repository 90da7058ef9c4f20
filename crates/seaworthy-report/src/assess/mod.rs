//! `seaworthy assess`: one report of every area, rendered in every format.

pub(crate) mod escape;
mod github;
mod html;
mod json;
mod junit;
mod markdown;
mod model;
mod sarif;
mod table;

pub use github::render_github;
pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::{ITEMS_PER_AREA, MARKDOWN_LIMIT, render_markdown};
pub use model::*;
pub use sarif::render_sarif;
pub use table::render_table;
