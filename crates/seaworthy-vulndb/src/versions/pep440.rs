//! PEP 440 versions (PyPI): epochs, pre/post/dev releases, local labels, with the spelling
//! normalisation of `packaging.version`. Invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

/// A decimal number of any length: ordered by digit count, then digits (no leading zeros).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Num(usize, String);

impl Num {
    fn new(digits: &str) -> Num {
        let d = digits.trim_start_matches('0');
        let d = if d.is_empty() { "0" } else { d };
        Num(d.len(), d.to_string())
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    /// A dev release without pre/post: before every prerelease.
    DevOnly,
    Labelled(u8, Num),
    /// A final (or post) release.
    None,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    Str(String),
    Int(Num),
}

/// The comparison key of `packaging.version.Version`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    epoch: Num,
    release: Vec<Num>,
    pre: Pre,
    post: Option<Num>,
    /// `(false, n)` for `.devN`, `(true, 0)` without: no dev sorts last.
    dev: (bool, Num),
    local: Option<Vec<Local>>,
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }
    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.pos = self.pos.saturating_add(prefix.len());
            true
        } else {
            false
        }
    }
    fn sep(&mut self) -> bool {
        self.eat("-") || self.eat("_") || self.eat(".")
    }
    fn digits(&mut self) -> Option<Num> {
        let n = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let d = self.rest().get(..n).map(Num::new);
        self.pos = self.pos.saturating_add(n);
        d
    }
    /// Matches `[-_.]?(one of words)[-_.]?(digits)?`; on failure the cursor is unchanged.
    fn labelled(&mut self, words: &[(&str, u8)]) -> Option<(u8, Num)> {
        let start = self.pos;
        self.sep();
        let Some(&(word, kind)) = words.iter().find(|(w, _)| self.rest().starts_with(w)) else {
            self.pos = start;
            return None;
        };
        self.pos = self.pos.saturating_add(word.len());
        let before_sep = self.pos;
        self.sep();
        let n = match self.digits() {
            Some(n) => n,
            None => {
                self.pos = before_sep;
                Num::new("0")
            }
        };
        Some((kind, n))
    }
}

fn parse(v: &str) -> Option<Key> {
    let lower = v.trim().to_ascii_lowercase();
    let mut c = Cursor { s: &lower, pos: 0 };
    c.eat("v");
    let mut epoch = Num::new("0");
    let mut release = vec![c.digits()?];
    if c.eat("!") {
        epoch = release.pop()?;
        release.push(c.digits()?);
    }
    loop {
        let save = c.pos;
        if !c.eat(".") {
            break;
        }
        match c.digits() {
            Some(n) => release.push(n),
            None => {
                c.pos = save;
                break;
            }
        }
    }
    const PRE: &[(&str, u8)] = &[
        ("alpha", 0),
        ("a", 0),
        ("beta", 1),
        ("b", 1),
        ("preview", 2),
        ("pre", 2),
        ("c", 2),
        ("rc", 2),
    ];
    let pre = c.labelled(PRE);
    let post = {
        let save = c.pos;
        let implicit = if c.eat("-") { c.digits() } else { None };
        match implicit {
            Some(n) => Some(n),
            None => {
                c.pos = save;
                c.labelled(&[("post", 0), ("rev", 0), ("r", 0)])
                    .map(|(_, n)| n)
            }
        }
    };
    let dev = c.labelled(&[("dev", 0)]).map(|(_, n)| n);
    let local = if c.eat("+") {
        let text = c.rest().to_string();
        let parts: Vec<&str> = text.split(['-', '_', '.']).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return None;
        }
        c.pos = lower.len();
        Some(
            parts
                .iter()
                .map(|p| {
                    if p.bytes().all(|b| b.is_ascii_digit()) {
                        Local::Int(Num::new(p))
                    } else {
                        Local::Str((*p).to_string())
                    }
                })
                .collect(),
        )
    } else {
        None
    };
    if !c.rest().is_empty() {
        return None;
    }
    while release.len() > 1 && release.last().is_some_and(|n| n.1 == "0") {
        release.pop();
    }
    let pre = match (pre, &post, &dev) {
        (Some((k, n)), _, _) => Pre::Labelled(k, n),
        (None, None, Some(_)) => Pre::DevOnly,
        (None, _, _) => Pre::None,
    };
    let dev = match dev {
        Some(n) => (false, n),
        None => (true, Num::new("0")),
    };
    Some(Key {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Total order on PEP 440 version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when `v` is a valid PEP 440 version.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}
