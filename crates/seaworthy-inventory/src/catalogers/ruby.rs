//! Ruby: installed gems' `specifications/*.gemspec` (and `specifications/default/` for the
//! gems bundled with Ruby). These are Ruby source written by RubyGems; the `s.name`,
//! `s.version` and `s.license(s)` assignments are read by scanning, never evaluated.

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "ruby-gemspec";

/// Most licenses read from one `s.licenses = [...]`.
const MAX_LICENSES: usize = 64;

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(GemspecCataloger)
}

struct GemspecCataloger;

impl Cataloger for GemspecCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        let Some(dir) = path
            .strip_suffix(".gemspec")
            .and_then(|p| p.rsplit_once('/'))
            .map(|(dir, _)| dir)
        else {
            return false;
        };
        let dir = dir.strip_suffix("/default").unwrap_or(dir);
        dir == "specifications" || dir.ends_with("/specifications")
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = std::str::from_utf8(file.data)
            .map_err(|e| format!("not UTF-8 (at byte {})", e.valid_up_to()))?;
        let spec = scan(text);
        let name = spec.name.ok_or("no `s.name = \"…\"` assignment")?;
        let version = spec.version.ok_or("no `s.version = \"…\"` assignment")?;
        let mut p = Package::new(
            NAME,
            Ecosystem::Gem,
            name.as_str(),
            version.as_str(),
            purl("gem", None, &name, &version, &[]),
        );
        p.licenses = spec.licenses;
        Ok(vec![p])
    }
}

#[derive(Default)]
struct Gemspec {
    name: Option<String>,
    version: Option<String>,
    licenses: Vec<String>,
}

/// Reads the first `<var>.name`, `<var>.version`, `<var>.license(s)` assignment of each kind.
fn scan(text: &str) -> Gemspec {
    let mut spec = Gemspec::default();
    let mut licenses_seen = false;
    for line in text.lines() {
        let Some((field, value)) = assignment(line) else {
            continue;
        };
        match field {
            "name" if spec.name.is_none() => spec.name = string_literal(value).map(|(s, _)| s),
            "version" if spec.version.is_none() => spec.version = version_value(value),
            "license" | "licenses" if !licenses_seen => {
                licenses_seen = true;
                spec.licenses = string_list(value);
            }
            _ => {}
        }
    }
    spec.name = spec.name.filter(|s| !s.is_empty());
    spec.version = spec.version.filter(|s| !s.is_empty());
    spec
}

/// `  s.field = value` → (`field`, `value`); the receiver is any identifier.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let (receiver, rest) = line.split_once('.')?;
    if receiver.is_empty()
        || !receiver
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let (field, value) = rest.split_once('=')?;
    let field = field.trim_end();
    if value.starts_with(['=', '~']) || !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return None;
    }
    Some((field, value.trim_start()))
}

/// `"1.2.3"`, `"1.2.3".freeze` or `Gem::Version.new("1.2.3")`.
fn version_value(value: &str) -> Option<String> {
    let inner = value
        .strip_prefix("Gem::Version.new")
        .map(|v| v.trim_start().strip_prefix('(').unwrap_or(v).trim_start())
        .unwrap_or(value);
    string_literal(inner).map(|(s, _)| s)
}

/// `"MIT"` or `["MIT".freeze, "Ruby".freeze]` (at most [`MAX_LICENSES`]).
fn string_list(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(mut rest) = value.strip_prefix('[') else {
        return string_literal(value)
            .map(|(s, _)| vec![s])
            .unwrap_or_default();
    };
    while out.len() < MAX_LICENSES {
        rest = rest.trim_start_matches([' ', ',']);
        let Some((s, after)) = string_literal(rest) else {
            break;
        };
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
        rest = after.strip_prefix(".freeze").unwrap_or(after);
    }
    out
}

/// A Ruby string literal at the start of `s`: `"…"` (with `\` escapes), `'…'`, or
/// `%q<…>`/`%q{…}`/`%q(…)`/`%q[…]`. Returns its text and what follows it.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let (close, body) = if let Some(b) = s.strip_prefix('"') {
        ('"', b)
    } else if let Some(b) = s.strip_prefix('\'') {
        ('\'', b)
    } else {
        let b = s.strip_prefix("%q").or_else(|| s.strip_prefix("%Q"))?;
        let open = b.chars().next()?;
        let close = match open {
            '<' => '>',
            '{' => '}',
            '(' => ')',
            '[' => ']',
            c if c.is_ascii_punctuation() => c,
            _ => return None,
        };
        (close, b.get(open.len_utf8()..)?)
    };
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            if let Some((_, next)) = chars.next() {
                out.push(next);
            }
        } else if c == close {
            let after = body.get(i.checked_add(c.len_utf8())?..)?;
            return Some((out, after.strip_prefix(".freeze").unwrap_or(after)));
        } else {
            out.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_rubygems_output() {
        let spec = scan(
            "Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"2.2.22\"\n  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze)\n  s.licenses = [\"MIT\".freeze, \"Ruby\".freeze]\nend\n",
        );
        assert_eq!(spec.name.as_deref(), Some("rack"));
        assert_eq!(spec.version.as_deref(), Some("2.2.22"));
        assert_eq!(spec.licenses, ["MIT", "Ruby"]);
    }

    #[test]
    fn other_literal_forms() {
        let spec = scan(
            "spec.name = %q<my_gem>\nspec.version = Gem::Version.new(\"1.0.0.pre\")\nspec.license = 'Apache-2.0'\n",
        );
        assert_eq!(spec.name.as_deref(), Some("my_gem"));
        assert_eq!(spec.version.as_deref(), Some("1.0.0.pre"));
        assert_eq!(spec.licenses, ["Apache-2.0"]);
    }

    #[test]
    fn ignores_comparisons_and_unterminated_strings() {
        let spec = scan("if s.name == \"x\"\ns.version = \"1.0\ns.name = \"ok\"\n");
        assert_eq!(spec.name.as_deref(), Some("ok"));
        assert_eq!(spec.version, None);
    }
}
