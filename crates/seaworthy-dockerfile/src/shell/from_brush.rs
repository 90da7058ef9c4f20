//! Walks a brush-parser AST into [`Builder`] commands.

use brush_parser::ast::{
    Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList, IoRedirect, Pipeline,
    SimpleCommand, Word,
};

use super::{Builder, MAX_DEPTH};

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs brush-parser under `catch_unwind`: a panic hook can stay quiet,
/// the panic is handled (the script goes to the fallback tokenizer).
pub fn in_guarded_parse() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

/// Parentheses, brackets or braces nested deeper than this go to the tokenizer: brush-parser
/// 0.4's grammar backtracks exponentially on them (`((((((…` takes minutes at depth 30, so
/// does `D[[''D[''[…`).
const MAX_PAREN_DEPTH: usize = 8;

/// Inputs brush-parser 0.4 is known to mishandle: panics (an fd number that overflows before
/// `<`/`>`), exponential backtracking (deeply nested parentheses) and endless, allocating loops
/// (a heredoc operator without a proper delimiter word, e.g. `<< ''` or `<<-` at the end).
fn known_to_misbehave(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Control characters have no place in a real script, and every input found to hang the
    // parser had some; `$[` is bash's obsolete arithmetic, whose grammar backtracks badly.
    if bytes
        .iter()
        .any(|&b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f)
        || text.contains("$[")
        || has_bad_heredoc_tag(bytes)
        || heredoc_with_substitution(text)
    {
        return true;
    }
    // Nesting depth of ( [ {: the grammar backtracks exponentially in it.
    let mut depth = [0usize; 3];
    for &b in bytes {
        let (kind, open) = match b {
            b'(' => (0, true),
            b')' => (0, false),
            b'[' => (1, true),
            b']' => (1, false),
            b'{' => (2, true),
            b'}' => (2, false),
            _ => continue,
        };
        if open {
            depth[kind] += 1;
            if depth[kind] > MAX_PAREN_DEPTH {
                return true;
            }
        } else {
            depth[kind] = depth[kind].saturating_sub(1);
        }
    }
    let mut run = 0usize;
    for &b in bytes {
        if b.is_ascii_digit() {
            run += 1;
        } else {
            if run >= 10 && (b == b'<' || b == b'>') {
                return true;
            }
            run = 0;
        }
    }
    false
}

/// A `<<` or `<<-` (not `<<<`) whose delimiter does not start with a word character, quoted or
/// not. Real scripts always name their delimiter.
fn has_bad_heredoc_tag(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'<' || bytes[i + 1] != b'<' {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        if bytes.get(j) == Some(&b'<') {
            // A here-string `<<<`.
            i = j + 1;
            continue;
        }
        if bytes.get(j) == Some(&b'-') {
            j += 1;
        }
        while matches!(bytes.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        let ok = match bytes.get(j) {
            Some(b'\'' | b'"') => bytes
                .get(j + 1)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_'),
            Some(&c) => c.is_ascii_alphanumeric() || c == b'_' || c == b'\\',
            None => false,
        };
        if !ok {
            return true;
        }
        i = j;
    }
    false
}

/// A heredoc operator in a script that also has a `$(` or a backquote: brush-parser 0.4's
/// tokenizer can loop forever, allocating, when it reads heredoc tags around nested constructs
/// (`$(<<\t\t'j'`, `{<<I\x08"$(($(`, found by fuzzing). Such scripts are rare; the tokenizer
/// still finds their commands.
fn heredoc_with_substitution(text: &str) -> bool {
    let heredoc = text
        .match_indices("<<")
        .any(|(i, _)| !text[i + 2..].starts_with('<'));
    heredoc && (text.contains("$(") || text.contains('`'))
}

/// Parses `text` with brush-parser; false if it was rejected (or the parser panicked).
pub(crate) fn collect(text: &str, b: &mut Builder, depth: usize, nested: bool) -> bool {
    // brush-parser 0.4 loops forever, allocating, on `<<\r($(` and `<<\f($(`; as blanks these
    // characters mean the same to a shell, and the byte offsets stay the same.
    let normalized;
    let text = if text.contains(['\r', '\x0b', '\x0c']) {
        normalized = text.replace(['\r', '\x0b', '\x0c'], " ");
        normalized.as_str()
    } else {
        text
    };
    if known_to_misbehave(text) {
        return false;
    }
    let options = brush_parser::ParserOptions::default();
    GUARDED.with(|g| g.set(true));
    let parsed = std::panic::catch_unwind(|| {
        brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &options).parse_program()
    });
    GUARDED.with(|g| g.set(false));
    let Ok(Ok(program)) = parsed else {
        return false;
    };
    let offsets = Offsets::new(text);
    let mut walker = Walker {
        b,
        offsets: &offsets,
        depth,
    };
    for cc in &program.complete_commands {
        walker.list(cc, nested, 0);
    }
    true
}

/// brush counts positions in chars; rules want byte offsets.
struct Offsets {
    /// Byte offset of each char, when the text is not ASCII.
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
            None => char_index.min(self.len),
        }
    }
}

struct Walker<'a> {
    b: &'a mut Builder,
    offsets: &'a Offsets,
    depth: usize,
}

impl Walker<'_> {
    fn list(&mut self, list: &CompoundList, nested: bool, level: usize) {
        if level > 64 {
            return;
        }
        for item in &list.0 {
            let and_or = &item.0;
            self.pipeline(&and_or.first, nested, level);
            for next in &and_or.additional {
                let p = match next {
                    brush_parser::ast::AndOr::And(p) | brush_parser::ast::AndOr::Or(p) => p,
                };
                self.pipeline(p, nested, level);
            }
        }
    }

    fn pipeline(&mut self, p: &Pipeline, nested: bool, level: usize) {
        let id = self.b.new_pipeline();
        for cmd in &p.seq {
            self.command(cmd, id, nested, level);
        }
    }

    fn command(&mut self, cmd: &Command, pipeline: usize, nested: bool, level: usize) {
        match cmd {
            Command::Simple(simple) => self.simple(simple, pipeline, nested),
            Command::Compound(compound, _) => self.compound(compound, nested, level + 1),
            Command::Function(f) => self.compound(&f.body.0, true, level + 1),
            Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, c: &CompoundCommand, nested: bool, level: usize) {
        match c {
            CompoundCommand::BraceGroup(g) => self.list(&g.list, nested, level),
            CompoundCommand::Subshell(s) => self.list(&s.list, true, level),
            CompoundCommand::ForClause(f) => self.list(&f.body.list, nested, level),
            CompoundCommand::ArithmeticForClause(f) => self.list(&f.body.list, nested, level),
            CompoundCommand::WhileClause(w) | CompoundCommand::UntilClause(w) => {
                self.list(&w.0, nested, level);
                self.list(&w.1.list, nested, level);
            }
            CompoundCommand::IfClause(i) => {
                self.list(&i.condition, nested, level);
                self.list(&i.then, nested, level);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.list(c, nested, level);
                    }
                    self.list(&e.body, nested, level);
                }
            }
            CompoundCommand::CaseClause(c) => {
                for item in &c.cases {
                    if let Some(list) = &item.cmd {
                        self.list(list, nested, level);
                    }
                }
            }
            CompoundCommand::Coprocess(c) => {
                let id = self.b.new_pipeline();
                self.command(&c.body, id, true, level);
            }
            CompoundCommand::Arithmetic(_) => {}
        }
    }

    fn word(&self, w: &Word) -> Option<(String, usize, usize)> {
        let loc = w.loc.as_ref()?;
        Some((
            w.value.clone(),
            self.offsets.byte(loc.start.index),
            self.offsets.byte(loc.end.index),
        ))
    }

    fn simple(&mut self, s: &SimpleCommand, pipeline: usize, nested: bool) {
        let mut words = Vec::new();
        let mut assignments = Vec::new();
        // Process substitutions and assignment words, for their nested commands.
        let mut substituted: Vec<&brush_parser::ast::SubshellCommand> = Vec::new();
        let mut assignment_words: Vec<(String, usize, usize)> = Vec::new();
        let prefix = s.prefix.iter().flat_map(|p| p.0.iter()).map(Some);
        let suffix = s.suffix.iter().flat_map(|p| p.0.iter()).map(Some);
        for item in prefix.chain(std::iter::once(None)).chain(suffix) {
            match item {
                None => {
                    if let Some(w) = s.word_or_name.as_ref().and_then(|w| self.word(w)) {
                        words.push(w);
                    }
                }
                Some(CommandPrefixOrSuffixItem::Word(w)) => {
                    if let Some(w) = self.word(w) {
                        words.push(w);
                    }
                }
                Some(CommandPrefixOrSuffixItem::AssignmentWord(a, w)) => {
                    let prefix_assignment = words.is_empty();
                    if let (true, brush_parser::ast::AssignmentName::VariableName(name)) =
                        (prefix_assignment, &a.name)
                    {
                        let value = match &a.value {
                            brush_parser::ast::AssignmentValue::Scalar(v) => v.value.clone(),
                            brush_parser::ast::AssignmentValue::Array(_) => String::new(),
                        };
                        assignments.push((name.clone(), super::unquote(&value)));
                    }
                    if let Some(w) = self.word(w) {
                        // After the command name, `a=b` is an argument (`make CC=gcc`).
                        if words.is_empty() {
                            assignment_words.push(w);
                        } else {
                            words.push(w);
                        }
                    }
                }
                Some(CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub))
                | Some(CommandPrefixOrSuffixItem::IoRedirect(IoRedirect::File(
                    _,
                    _,
                    brush_parser::ast::IoFileRedirectTarget::ProcessSubstitution(_, sub),
                ))) => substituted.push(sub),
                Some(CommandPrefixOrSuffixItem::IoRedirect(_)) => {}
            }
        }
        let bare = words.is_empty();
        if !bare {
            self.b
                .push(words, assignments, pipeline, nested, self.depth);
        }
        if self.depth >= MAX_DEPTH {
            return;
        }
        for sub in substituted {
            let start = self.offsets.byte(sub.loc.start.index);
            let end = self.offsets.byte(sub.loc.end.index);
            let mut inner = Builder::default();
            let mut walker = Walker {
                b: &mut inner,
                offsets: self.offsets,
                depth: self.depth + 1,
            };
            walker.list(&sub.list, true, 0);
            self.b.absorb(inner, start, end);
        }
        // Assignment values can hide command substitutions: `X=$(curl … | sh)`. With a command
        // word, `push` already followed them.
        if bare {
            for (value, start, end) in &assignment_words {
                for inner in super::word::substitutions(value) {
                    let mut sub = Builder::default();
                    if !collect(&inner, &mut sub, self.depth + 1, true) {
                        sub = Builder::default();
                        super::tokenizer::collect(&inner, &mut sub, self.depth + 1, 0, true);
                    }
                    self.b.absorb(sub, *start, *end);
                }
            }
        }
    }
}
