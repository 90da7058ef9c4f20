//! Maven versions, ordered like Maven 3.8's `ComparableVersion`: items split on `.`, `-` and
//! digit/letter transitions; qualifiers alpha < beta < milestone < rc = cr < snapshot <
//! "" = ga = final = release < sp < other strings; trailing null items dropped. Versions nested
//! deeper than [`MAX_DEPTH`] are invalid and sort after valid ones, bytewise.

use std::cmp::Ordering;

/// Deepest sub-list accepted (each `-` or digit/letter switch opens one).
pub const MAX_DEPTH: usize = 512;

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

#[derive(Debug)]
enum Item {
    /// Digits without leading zeros (`""` is zero).
    Int(String),
    Str(String),
    List(Vec<Item>),
}

fn cmp_int(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn int_item(digits: &str) -> Item {
    Item::Int(digits.trim_start_matches('0').to_string())
}

fn str_item(value: &str, followed_by_digit: bool) -> Item {
    let v = match value {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(v.to_string())
}

fn item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        int_item(text)
    } else {
        str_item(text, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// Compares with `other`, `None` standing for a missing item (padding).
    fn cmp_to(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(d), None) => {
                if d.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => cmp_int(a, b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => qualifier_key(s).cmp(&qualifier_key("")),
            (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => qualifier_key(a).cmp(&qualifier_key(b)),
            (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
            // Every item against padding, not just the first (MNG-6964).
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.cmp_to(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let r = match (a.get(i), b.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => r.cmp_to(None).reverse(),
            (Some(l), r) => l.cmp_to(r),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items, skipping over (already normalised) trailing sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(it) = list.get(i) else { break };
        if it.is_null() {
            list.remove(i);
        } else if !matches!(it, Item::List(_)) {
            break;
        }
    }
}

/// Builds the nested item list (innermost lists are kept in `stack`, outermost first).
fn parse(v: &str) -> Option<Item> {
    let version = v.to_lowercase();
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    let push_item = |stack: &mut Vec<Vec<Item>>, it: Item| {
        if let Some(top) = stack.last_mut() {
            top.push(it);
        }
    };
    for (i, c) in version.char_indices() {
        let text = version.get(start..i).unwrap_or("");
        if c == '.' || c == '-' {
            let it = if text.is_empty() {
                Item::Int(String::new())
            } else {
                item(is_digit, text)
            };
            push_item(&mut stack, it);
            start = i.saturating_add(1);
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `.X1` is treated as `-X1`: a string qualifier opens a sub-list.
                if stack.last().is_some_and(|l| !l.is_empty()) {
                    stack.push(Vec::new());
                }
                push_item(&mut stack, str_item(text, true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push_item(&mut stack, int_item(text));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
        if stack.len() > MAX_DEPTH {
            return None;
        }
    }
    if let Some(text) = version.get(start..).filter(|t| !t.is_empty()) {
        if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
            stack.push(Vec::new());
        }
        push_item(&mut stack, item(is_digit, text));
    }
    // Fold the stack: each list becomes the last item of its parent.
    let mut inner = stack.pop()?;
    while let Some(mut parent) = stack.pop() {
        normalize(&mut inner);
        parent.push(Item::List(inner));
        inner = parent;
    }
    normalize(&mut inner);
    Some(Item::List(inner))
}

/// Total order on Maven version strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp_to(Some(&y)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when `v` is non-empty, has no whitespace and is not nested absurdly deep.
pub fn is_valid(v: &str) -> bool {
    !v.is_empty() && !v.chars().any(char::is_whitespace) && parse(v).is_some()
}
