//! The assessment as GitHub Actions workflow commands: an annotation per active item of every
//! area (`error` when it gates, `warning` down to medium, `notice` below) and an `error` per
//! input that could not be read. Escaping is the findings format's (`crate::github`).

use super::Assessment;
use crate::github::{finding, input_error, kind_of};

pub fn render_github(a: &Assessment) -> String {
    let mut out = String::new();
    for area in &a.areas {
        for item in area.items.iter().filter(|i| !i.is_waived()) {
            let f = &item.finding;
            finding(&mut out, kind_of(f.severity, item.gating), f);
        }
        for e in &area.errors {
            input_error(&mut out, e);
        }
    }
    out
}
