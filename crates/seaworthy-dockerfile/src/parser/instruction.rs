//! One logical line to one typed instruction.

use super::ast::*;
use super::lexer::{LogicalLine, heredoc_markers};
use super::source::SourceMap;
use super::words::{RawWord, split_raw, unquote};

/// A parse error at an offset of the logical line.
pub struct LineError {
    pub offset: usize,
    pub map: SourceMap,
    pub message: String,
}

struct Cx<'a> {
    text: &'a str,
    map: &'a SourceMap,
    escape: char,
}

impl Cx<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> LineError {
        LineError {
            offset,
            map: self.map.clone(),
            message: message.into(),
        }
    }

    fn word(&self, w: RawWord) -> Word {
        let raw = &self.text[w.start..w.end];
        Word {
            raw: raw.to_string(),
            value: unquote(raw, self.escape),
            range: self.map.range(w.start, w.end),
        }
    }

    fn words_from(&self, from: usize) -> Vec<RawWord> {
        split_raw(&self.text[from..], self.escape)
            .into_iter()
            .map(|w| RawWord {
                start: w.start + from,
                end: w.end + from,
            })
            .collect()
    }
}

pub fn parse(line: LogicalLine, escape: char) -> Result<Instruction, LineError> {
    let LogicalLine {
        text,
        map,
        range,
        line: line_no,
        heredocs,
    } = line;
    let cx = Cx {
        text: &text,
        map: &map,
        escape,
    };
    let (keyword_text, kind, args_offset, flags, keyword) = parse_at(&cx, 0, 0)?;
    Ok(Instruction {
        keyword,
        keyword_range: map.range(0, keyword_text.len()),
        keyword_text,
        range,
        line: line_no,
        args_offset,
        flags,
        heredocs,
        kind,
        text,
        map,
    })
}

type Parsed = (String, Kind, usize, Vec<Flag>, Keyword);

fn parse_at(cx: &Cx<'_>, start: usize, depth: u8) -> Result<Parsed, LineError> {
    let text = cx.text;
    let rest = &text[start..];
    let kw_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let keyword_text = &rest[..kw_len];
    let keyword = Keyword::parse(keyword_text).ok_or_else(|| {
        let name: String = keyword_text.chars().take(40).collect();
        let name = seaworthy_core::text::shown(&name);
        cx.err(start, format!("unknown instruction `{name}`"))
    })?;
    let mut args_start = start + kw_len;
    args_start += text[args_start..].len() - text[args_start..].trim_start().len();
    if text[args_start..].trim().is_empty() {
        return Err(cx.err(
            start,
            format!("{} requires at least one argument", keyword.as_str()),
        ));
    }

    let mut flags = Vec::new();
    if matches!(
        keyword,
        Keyword::From | Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Healthcheck
    ) {
        for w in cx.words_from(args_start) {
            let raw = &text[w.start..w.end];
            let Some(body) = raw.strip_prefix("--") else {
                break;
            };
            if body.is_empty() {
                break;
            }
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(unquote(v, cx.escape))),
                None => (body, None),
            };
            flags.push(Flag {
                name: name.to_ascii_lowercase(),
                value,
                range: cx.map.range(w.start, w.end),
            });
            args_start = w.end;
            args_start += text[args_start..].len() - text[args_start..].trim_start().len();
        }
    }

    let args = &text[args_start..];
    let kind = match keyword {
        Keyword::From => parse_from(cx, args_start)?,
        Keyword::Run => Kind::Run(command(cx, args_start)),
        Keyword::Cmd => Kind::Cmd(command(cx, args_start)),
        Keyword::Entrypoint => Kind::Entrypoint(command(cx, args_start)),
        Keyword::Shell => match json_array(args) {
            Some(v) if !v.is_empty() => Kind::Shell(v),
            _ => {
                return Err(cx.err(
                    args_start,
                    "SHELL requires a JSON array, e.g. SHELL [\"/bin/bash\", \"-c\"]",
                ));
            }
        },
        Keyword::Env => parse_env(cx, args_start)?,
        Keyword::Label => match parse_env(cx, args_start)? {
            Kind::Env { pairs, .. } => Kind::Label(pairs),
            other => other,
        },
        Keyword::Arg => parse_arg(cx, args_start)?,
        Keyword::Expose => Kind::Expose(plain_words(cx, args_start)),
        Keyword::Volume => Kind::Volume(json_or_words(cx, args_start)),
        Keyword::User => Kind::User(single(cx, args_start, "USER")?),
        Keyword::Workdir => Kind::Workdir(whole(cx, args_start)),
        Keyword::Stopsignal => Kind::Stopsignal(single(cx, args_start, "STOPSIGNAL")?),
        Keyword::Copy => Kind::Copy(copy_args(cx, args_start, "COPY")?),
        Keyword::Add => Kind::Add(copy_args(cx, args_start, "ADD")?),
        Keyword::Healthcheck => {
            let words = cx.words_from(args_start);
            let first = words.first().map(|w| &text[w.start..w.end]).unwrap_or("");
            if first.eq_ignore_ascii_case("NONE") {
                Kind::Healthcheck(Healthcheck::None)
            } else if first.eq_ignore_ascii_case("CMD") {
                let after = words.get(1).map_or(text.len(), |w| w.start);
                if after >= text.len() {
                    return Err(cx.err(args_start, "HEALTHCHECK CMD requires a command"));
                }
                Kind::Healthcheck(Healthcheck::Cmd(command(cx, after)))
            } else {
                return Err(cx.err(
                    args_start,
                    "HEALTHCHECK must be followed by NONE or CMD <command>",
                ));
            }
        }
        Keyword::Maintainer => Kind::Maintainer(args.trim().to_string()),
        Keyword::Onbuild => {
            if depth > 0 {
                return Err(cx.err(start, "ONBUILD inside ONBUILD is not allowed"));
            }
            let (inner_kw, inner_kind, inner_args, inner_flags, inner_keyword) =
                parse_at(cx, args_start, depth + 1)?;
            if matches!(
                inner_keyword,
                Keyword::Onbuild | Keyword::From | Keyword::Maintainer
            ) {
                return Err(cx.err(
                    args_start,
                    format!(
                        "{} is not allowed as an ONBUILD trigger",
                        inner_keyword.as_str()
                    ),
                ));
            }
            let inner = Instruction {
                keyword: inner_keyword,
                keyword_range: cx.map.range(args_start, args_start + inner_kw.len()),
                keyword_text: inner_kw,
                range: cx.map.range(args_start, text.len()),
                line: 0,
                text: text.to_string(),
                map: cx.map.clone(),
                args_offset: inner_args,
                flags: inner_flags,
                heredocs: Vec::new(),
                kind: inner_kind,
            };
            Kind::Onbuild(Box::new(inner))
        }
    };
    Ok((keyword_text.to_string(), kind, args_start, flags, keyword))
}

fn json_array(args: &str) -> Option<Vec<String>> {
    let t = args.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

fn command(cx: &Cx<'_>, at: usize) -> Command {
    let args = &cx.text[at..];
    let trimmed_len = args.trim_end().len();
    let range = cx.map.range(at, at + trimmed_len);
    match json_array(args) {
        Some(args) => Command::Exec { args, range },
        None => Command::Shell(ShellText {
            text: args.trim_end().to_string(),
            offset: at,
            range,
        }),
    }
}

fn plain_words(cx: &Cx<'_>, at: usize) -> Vec<Word> {
    cx.words_from(at).into_iter().map(|w| cx.word(w)).collect()
}

fn json_or_words(cx: &Cx<'_>, at: usize) -> Vec<Word> {
    match json_words(cx, at) {
        Some(words) => words,
        None => plain_words(cx, at),
    }
}

/// The elements of a JSON array argument, each with the range of its string literal.
fn json_words(cx: &Cx<'_>, at: usize) -> Option<Vec<Word>> {
    let args = &cx.text[at..];
    let values = json_array(args)?;
    let whole = cx.map.range(at, at + args.trim_end().len());
    let spans = json_string_spans(args).filter(|s| s.len() == values.len());
    Some(
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let range = spans
                    .as_ref()
                    .and_then(|s| s.get(i))
                    .map_or(whole, |&(s, e)| cx.map.range(at + s, at + e));
                Word {
                    raw: v.clone(),
                    value: v,
                    range,
                }
            })
            .collect(),
    )
}

/// Byte ranges of the string literals of a JSON array of strings (quotes included).
fn json_string_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = text.find('[')? + 1;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i)? {
            b']' => return Some(spans),
            b',' => i += 1,
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                spans.push((start, i));
            }
            _ => return None,
        }
    }
}

/// The rest of the line as one word (WORKDIR keeps spaces).
fn whole(cx: &Cx<'_>, at: usize) -> Word {
    let raw = cx.text[at..].trim_end();
    Word {
        raw: raw.to_string(),
        value: unquote(raw, cx.escape),
        range: cx.map.range(at, at + raw.len()),
    }
}

fn single(cx: &Cx<'_>, at: usize, name: &str) -> Result<Word, LineError> {
    let words = cx.words_from(at);
    match words.as_slice() {
        [w] => Ok(cx.word(*w)),
        _ => Err(cx.err(at, format!("{name} takes exactly one argument"))),
    }
}

fn parse_from(cx: &Cx<'_>, at: usize) -> Result<Kind, LineError> {
    let words = cx.words_from(at);
    let raw = |w: &RawWord| &cx.text[w.start..w.end];
    match words.as_slice() {
        [image] => Ok(Kind::From(From {
            image: cx.word(*image),
            alias: None,
        })),
        [image, as_kw, name] if raw(as_kw).eq_ignore_ascii_case("AS") => Ok(Kind::From(From {
            image: cx.word(*image),
            alias: Some(cx.word(*name)),
        })),
        _ => Err(cx.err(
            at,
            "FROM takes an image and optionally `AS name` (FROM image [AS name])",
        )),
    }
}

fn copy_args(cx: &Cx<'_>, at: usize, name: &str) -> Result<CopyArgs, LineError> {
    let args = &cx.text[at..];
    let _ = args;
    let (mut words, json) = match json_words(cx, at) {
        Some(words) => (words, true),
        None => (plain_words(cx, at), false),
    };
    // Heredoc markers are sources whose content follows the instruction.
    let heredoc_words = heredoc_markers(cx.text, cx.escape).len();
    if words.len() < 2 && heredoc_words == 0 {
        return Err(cx.err(
            at,
            format!("{name} requires at least two arguments: a source and a destination"),
        ));
    }
    let Some(dest) = words.pop() else {
        return Err(cx.err(at, format!("{name} requires a destination")));
    };
    Ok(CopyArgs {
        sources: words,
        dest,
        json,
    })
}

fn key_values(cx: &Cx<'_>, at: usize, name: &str) -> Result<Vec<KeyValue>, LineError> {
    let mut pairs = Vec::new();
    for w in cx.words_from(at) {
        let raw = &cx.text[w.start..w.end];
        let Some(eq) = raw.find('=') else {
            return Err(cx.err(
                w.start,
                format!("{name} expects key=value pairs, got `{raw}`"),
            ));
        };
        let raw_value = &raw[eq + 1..];
        pairs.push(KeyValue {
            key: unquote(&raw[..eq], cx.escape),
            value: unquote(raw_value, cx.escape),
            raw_value: raw_value.to_string(),
            range: cx.map.range(w.start, w.end),
        });
    }
    Ok(pairs)
}

fn parse_env(cx: &Cx<'_>, at: usize) -> Result<Kind, LineError> {
    let words = cx.words_from(at);
    let first = words
        .first()
        .map(|w| &cx.text[w.start..w.end])
        .unwrap_or("");
    if first.contains('=') {
        return Ok(Kind::Env {
            pairs: key_values(cx, at, "ENV")?,
            legacy: false,
        });
    }
    // Legacy `ENV key value with spaces`.
    let (Some(key), Some(value_start)) = (words.first(), words.get(1).map(|w| w.start)) else {
        let keyword = cx.text.split_whitespace().next().unwrap_or("ENV");
        return Err(cx.err(
            at,
            format!("{keyword} requires a value: {keyword} key=value"),
        ));
    };
    let raw_value = cx.text[value_start..].trim_end();
    Ok(Kind::Env {
        pairs: vec![KeyValue {
            key: cx.text[key.start..key.end].to_string(),
            value: unquote(raw_value, cx.escape),
            raw_value: raw_value.to_string(),
            range: cx.map.range(key.start, value_start + raw_value.len()),
        }],
        legacy: true,
    })
}

fn parse_arg(cx: &Cx<'_>, at: usize) -> Result<Kind, LineError> {
    let mut decls = Vec::new();
    for w in cx.words_from(at) {
        let raw = &cx.text[w.start..w.end];
        let (name, default) = match raw.split_once('=') {
            Some((n, d)) => (n, Some(unquote(d, cx.escape))),
            None => (raw, None),
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if !valid {
            return Err(cx.err(w.start, format!("invalid ARG name `{name}`")));
        }
        decls.push(ArgDecl {
            name: name.to_string(),
            default,
            range: cx.map.range(w.start, w.end),
        });
    }
    Ok(Kind::Arg(decls))
}
