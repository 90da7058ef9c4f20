//! Declared license strings sorted into SPDX ids, SPDX expressions and free-form names, with
//! the `spdx` crate's license list as the judge.

use spdx::{Expression, LicenseItem, ParseMode};

/// Longer strings are license texts, not identifiers; they are never parsed.
const MAX_EXPRESSION_LEN: usize = 1024;

/// One declared license, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum License {
    /// A license id from the SPDX license list, exactly as listed (`MIT`, `GPL-2.0-only`).
    Id(String),
    /// A valid SPDX expression over listed ids, operators in upper case.
    Expression(String),
    /// Anything else (`GPL-2+`, `BSD-like`), as written.
    Name(String),
}

/// Strict SPDX syntax, but deprecated ids (`GPL-2.0`) still count: they are on the list, and
/// the grammar allows `+` after any id, GNU ones included (`GPL-2.0+`).
const MODE: ParseMode = ParseMode {
    allow_deprecated: true,
    allow_postfix_plus_on_gpl: true,
    ..ParseMode::STRICT
};

/// Classifies each non-empty license once, keeping the declared order.
pub(crate) fn classify_all(licenses: &[String]) -> Vec<License> {
    let mut out: Vec<License> = Vec::new();
    for raw in licenses {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let license = classify(raw);
        if !out.contains(&license) {
            out.push(license);
        }
    }
    out
}

pub(crate) fn classify(raw: &str) -> License {
    if is_listed_id(raw) {
        return License::Id(raw.to_string());
    }
    if raw.len() <= MAX_EXPRESSION_LEN
        && let Ok(expr) = Expression::parse_mode(raw, MODE)
        && expr.requirements().all(|r| {
            matches!(r.req.license, LicenseItem::Spdx { id, .. } if is_listed_id(id.name))
                && r.req.addition.as_ref().is_none_or(|a| a.id().is_some())
        })
    {
        return License::Expression(upper_operators(raw));
    }
    License::Name(raw.to_string())
}

/// An id on the SPDX license list, spelled exactly as listed (deprecated `GPL-2.0+` included).
/// The crate's table also holds base names of GNU licenses that the list itself does not have
/// (`GFDL-1.1-invariants`), and the special value NOASSERTION, which is not a license.
fn is_listed_id(s: &str) -> bool {
    use spdx::flags::{IS_DEPRECATED, IS_GNU};
    let licenses = spdx::identifiers::LICENSES;
    let Some(entry) = licenses
        .binary_search_by(|l| l.name.cmp(s))
        .ok()
        .and_then(|i| licenses.get(i))
    else {
        return false;
    };
    let synthetic_gnu = entry.flags & IS_GNU != 0
        && entry.flags & IS_DEPRECATED == 0
        && !(s.ends_with("-only") || s.ends_with("-or-later"));
    !synthetic_gnu && !matches!(s, "NOASSERTION" | "NONE")
}

/// `MIT or Apache-2.0` → `MIT OR Apache-2.0`: SPDX operators are matched case-sensitively.
fn upper_operators(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if ["and", "or", "with"]
            .iter()
            .any(|op| word.eq_ignore_ascii_case(op))
        {
            out.push_str(&word.to_ascii_uppercase());
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in expr.chars() {
        if c.is_whitespace() || c == '(' || c == ')' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// One SPDX expression for all licenses when every one is an id or an expression
/// (`(MIT OR Apache-2.0) AND Zlib`); `None` when any is free-form or there are none.
pub(crate) fn combined_expression(licenses: &[License]) -> Option<String> {
    let mut parts = Vec::with_capacity(licenses.len());
    for license in licenses {
        match license {
            License::Id(id) => parts.push(id.clone()),
            License::Expression(e) if licenses.len() == 1 => parts.push(e.clone()),
            License::Expression(e) => parts.push(format!("({e})")),
            License::Name(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_names() {
        assert_eq!(classify("MIT"), License::Id("MIT".into()));
        assert_eq!(classify("GPL-2.0-only"), License::Id("GPL-2.0-only".into()));
        // Deprecated, but on the list.
        assert_eq!(classify("GPL-2.0"), License::Id("GPL-2.0".into()));
        assert_eq!(
            classify("MIT or Apache-2.0"),
            License::Expression("MIT OR Apache-2.0".into())
        );
        assert_eq!(
            classify("GPL-2.0-or-later WITH Classpath-exception-2.0"),
            License::Expression("GPL-2.0-or-later WITH Classpath-exception-2.0".into())
        );
        assert_eq!(classify("GPL-2.0+"), License::Id("GPL-2.0+".into()));
        assert_eq!(
            classify("GPL-2.0+ OR MIT"),
            License::Expression("GPL-2.0+ OR MIT".into())
        );
        for name in [
            "GPL-2+",
            "mit",
            "BSD-like",
            "NOASSERTION",
            "GFDL-1.1-invariants",
            "LicenseRef-foo",
            "MIT OR",
        ] {
            assert_eq!(classify(name), License::Name(name.into()), "{name}");
        }
    }

    #[test]
    fn combines_only_spdx_licenses() {
        let all = classify_all(&["MIT OR Apache-2.0".into(), "Zlib".into(), "Zlib".into()]);
        assert_eq!(
            combined_expression(&all).as_deref(),
            Some("(MIT OR Apache-2.0) AND Zlib")
        );
        let mixed = classify_all(&["MIT".into(), "GPL-2+".into()]);
        assert_eq!(combined_expression(&mixed), None);
        assert_eq!(combined_expression(&[]), None);
    }
}
