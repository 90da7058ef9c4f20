//! The assessment as JSON: the model as is, documented by `docs/assess-report-format.md` and the
//! `assessment` definition of `docs/report-schema.json`.

use super::Assessment;

pub fn render_json(a: &Assessment) -> String {
    // Plain structs with string keys: serializing into a String cannot fail.
    let mut out = crate::json_pretty(a);
    out.push('\n');
    out
}
