//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, and `$$` for a literal `$`.
//! Defaults may themselves contain variables (nesting bounded).

use std::collections::HashMap;

/// Variables: the `.env` file next to the compose file, overridden by the process environment.
pub type Env = HashMap<String, String>;

/// Interpolated text longer than this is refused.
const MAX_LEN: usize = 1 << 20;
/// The interpolated text all values of one compose file may produce together (the
/// interpolation budget): a 1 MB `.env` value named by thousands of services stops here.
pub const MAX_INTERPOLATED_BYTES: usize = 16 << 20;
const MAX_NESTING: usize = 8;

pub fn interpolate(text: &str, env: &Env) -> Result<String, String> {
    expand(text, env, 0)
}

fn expand(text: &str, env: &Env, depth: usize) -> Result<String, String> {
    if depth > MAX_NESTING {
        return Err("variables nested too deeply".to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            out.push_str(&braced(&body[..end], env, depth)?);
            rest = &body[end + 1..];
        } else {
            let starts_name = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if !starts_name || len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(env.get(&after[..len]).map_or("", String::as_str));
            }
            rest = &after[len..];
        }
        if out.len() > MAX_LEN {
            return Err("interpolated value too long".to_string());
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `text` names a variable (`$VAR`, `${VAR…}`); `$$` is a literal `$`, not one.
pub fn has_variables(text: &str) -> bool {
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        let after = &rest[pos + 1..];
        if let Some(r) = after.strip_prefix('$') {
            rest = r;
            continue;
        }
        if after.starts_with(|c: char| c == '{' || c.is_ascii_alphabetic() || c == '_') {
            return true;
        }
        rest = after;
    }
    false
}

/// Index of the `}` closing a `${`, counting nested `${…}`.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn braced(body: &str, env: &Env, depth: usize) -> Result<String, String> {
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, op) = body.split_at(name_len);
    if name.is_empty() {
        return Err(format!("invalid variable `${{{body}}}`"));
    }
    let value = env.get(name);
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let current = value.cloned().unwrap_or_default();
    let arg = |skip: usize| expand(&op[skip..], env, depth + 1);
    match op {
        "" => Ok(current),
        o if o.starts_with(":-") => {
            if non_empty {
                Ok(current)
            } else {
                arg(2)
            }
        }
        o if o.starts_with('-') => {
            if set {
                Ok(current)
            } else {
                arg(1)
            }
        }
        o if o.starts_with(":?") => {
            if non_empty {
                Ok(current)
            } else {
                Err(format!(
                    "required variable {name} is missing a value: {}",
                    arg(2)?
                ))
            }
        }
        o if o.starts_with('?') => {
            if set {
                Ok(current)
            } else {
                Err(format!(
                    "required variable {name} is missing a value: {}",
                    arg(1)?
                ))
            }
        }
        o if o.starts_with(":+") => {
            if non_empty {
                arg(2)
            } else {
                Ok(String::new())
            }
        }
        o if o.starts_with('+') => {
            if set {
                arg(1)
            } else {
                Ok(String::new())
            }
        }
        _ => Err(format!("invalid variable `${{{body}}}`")),
    }
}

/// A `.env` file: `KEY=VALUE` lines, `export` prefixes, `#` comments, quotes removed.
pub fn parse_dotenv(text: &str) -> Env {
    let mut env = Env::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            &v[1..v.len() - 1]
        } else {
            v.split(" #").next().unwrap_or(v).trim_end()
        };
        env.insert(k.trim().to_string(), v.to_string());
    }
    env
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn env() -> Env {
        Env::from([
            ("SET".into(), "yes".into()),
            ("EMPTY".into(), String::new()),
        ])
    }

    #[test]
    fn forms() {
        let e = env();
        let i = |t: &str| interpolate(t, &e);
        assert_eq!(i("$SET-${SET}").unwrap(), "yes-yes");
        assert_eq!(
            i("${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}").unwrap(),
            "d|d||d"
        );
        assert_eq!(
            i("${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}").unwrap(),
            "alt||alt"
        );
        assert_eq!(i("$$SET costs $5").unwrap(), "$SET costs $5");
        assert_eq!(i("${UNSET:-${SET}}").unwrap(), "yes");
        assert!(i("${UNSET:?need it}").unwrap_err().contains("need it"));
        assert!(i("${EMPTY?x}").is_ok());
        assert!(i("${UNSET").is_err());
        assert!(i("${}").is_err());
    }

    #[test]
    fn variables_are_told_from_literal_dollars() {
        for t in ["$A", "x${A}", "${A:-d}", "$$x $_y"] {
            assert!(has_variables(t), "{t}");
        }
        for t in ["", "plain", "$$A", "costs $5", "a$", "$$$$B"] {
            assert!(!has_variables(t), "{t}");
        }
    }

    #[test]
    fn dotenv() {
        let e = parse_dotenv("# c\nexport A=1\nB=\"two words\"\nC='x' \nD=v # comment\nbad\n");
        assert_eq!(e["A"], "1");
        assert_eq!(e["B"], "two words");
        assert_eq!(e["C"], "x");
        assert_eq!(e["D"], "v");
        assert!(!e.contains_key("bad"));
    }
}
