//! The JSON report: the report model as is, documented by `docs/report-schema.json` and
//! `docs/report-format.md`.

use seaworthy_core::Report;

pub(crate) fn render(report: &Report) -> String {
    // Serializing plain structs with string keys into a String cannot fail.
    let mut out = crate::json_pretty(report);
    out.push('\n');
    out
}
