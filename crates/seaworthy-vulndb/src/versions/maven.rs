//! Maven versions, ordered like Maven 3.8's `ComparableVersion`: items split on `.`, `-` and
//! digit/letter transitions; qualifiers alpha < beta < milestone < rc = cr < snapshot <
//! "" = ga = final = release < sp < other strings; trailing null items dropped. Where Maven's
//! own order is not transitive (items of different kinds next to padding), see [`cmp_lists`].
//! Versions nested deeper than [`MAX_DEPTH`] are invalid and sort after valid ones, bytewise.

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

    /// Compares with padding (a missing item): how `1.0-alpha` ranks below `1.0`.
    fn padding_sign(&self) -> Ordering {
        match self {
            Item::Int(d) if d.is_empty() => Ordering::Equal,
            Item::Int(_) => Ordering::Greater,
            Item::Str(s) => qualifier_key(s).cmp(&qualifier_key("")),
            // Every item against padding, not just the first (MNG-6964).
            Item::List(l) => first_sign(l),
        }
    }

    /// Compares with another item: by value within a kind, else by kind (int > list > string)
    /// as Maven does. [`cmp_lists`] calls it only where both tails are on the same side of
    /// padding.
    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => cmp_int(a, b),
            (Item::Str(a), Item::Str(b)) => qualifier_key(a).cmp(&qualifier_key(b)),
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
            _ => self.kind_rank().cmp(&other.kind_rank()),
        }
    }

    fn kind_rank(&self) -> u8 {
        match self {
            Item::Str(_) => 0,
            Item::List(_) => 1,
            Item::Int(_) => 2,
        }
    }
}

/// The side of padding a list (or the tail of one) is on: that of its first item not equal
/// to padding.
fn first_sign(items: &[Item]) -> Ordering {
    items
        .iter()
        .map(Item::padding_sign)
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Maven's list order, made total. Maven compares items of different kinds by kind alone
/// (int > list > string), which is not transitive next to padding: `1.0.alpha.1` < `1` < `1-sp`
/// yet `1.0.alpha.1` > `1-sp`. So at each position the tails are compared against padding
/// first (`[0, alpha, 1]` is below it, `[[sp]]` above), and only tails on the same side are
/// compared item by item as Maven does; two tails equal to padding are equal. This agrees
/// with Maven wherever Maven is consistent (every pair of the test corpus), and a hostile
/// advisory cannot make a sort see an inconsistent order.
fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let (signs_a, signs_b) = (tail_signs(a), tail_signs(b));
    for i in 0..a.len().max(b.len()) {
        let side_a = signs_a.get(i).copied().unwrap_or(Ordering::Equal);
        let side_b = signs_b.get(i).copied().unwrap_or(Ordering::Equal);
        if side_a != side_b {
            return side_a.cmp(&side_b);
        }
        if side_a == Ordering::Equal {
            return Ordering::Equal;
        }
        // Both tails are on the same side of padding, so neither has ended here.
        let (Some(x), Some(y)) = (a.get(i), b.get(i)) else {
            return Ordering::Equal;
        };
        let r = x.cmp_item(y);
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// For each position of `items`, the side of padding of the tail that starts there.
fn tail_signs(items: &[Item]) -> Vec<Ordering> {
    let mut signs = vec![Ordering::Equal; items.len()];
    let mut after = Ordering::Equal;
    for (i, item) in items.iter().enumerate().rev() {
        let own = item.padding_sign();
        if own != Ordering::Equal {
            after = own;
        }
        if let Some(s) = signs.get_mut(i) {
            *s = after;
        }
    }
    signs
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
        (Some(x), Some(y)) => x.cmp_item(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// True when `v` is non-empty, has no whitespace and is not nested absurdly deep.
pub fn is_valid(v: &str) -> bool {
    !v.is_empty() && !v.chars().any(char::is_whitespace) && parse(v).is_some()
}
