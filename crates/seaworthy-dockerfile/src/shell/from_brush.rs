//! Walks a brush-parser AST into [`Builder`] commands.

use brush_parser::ast::{
    Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList, IoRedirect, Pipeline,
    SimpleCommand, Word,
};

use super::{Builder, MAX_DEPTH};

/// Parses `text` with brush-parser; false if it was rejected (or the parser panicked).
pub(crate) fn collect(text: &str, b: &mut Builder, depth: usize, nested: bool) -> bool {
    let options = brush_parser::ParserOptions::default();
    let parsed = std::panic::catch_unwind(|| {
        brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &options).parse_program()
    });
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
        let push_item = |item: &CommandPrefixOrSuffixItem,
                         words: &mut Vec<(String, usize, usize)>,
                         assignments: &mut Vec<(String, String)>| match item
        {
            CommandPrefixOrSuffixItem::Word(w) => {
                if let Some(w) = self.word(w) {
                    words.push(w);
                }
            }
            CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                if let brush_parser::ast::AssignmentName::VariableName(name) = &a.name {
                    let value = match &a.value {
                        brush_parser::ast::AssignmentValue::Scalar(v) => v.value.clone(),
                        brush_parser::ast::AssignmentValue::Array(_) => String::new(),
                    };
                    assignments.push((name.clone(), super::unquote(&value)));
                }
                // A command word that looks like an assignment after the name is an argument.
                if !words.is_empty() {
                    if let Some(w) = self.word(w) {
                        words.push(w);
                    }
                }
            }
            CommandPrefixOrSuffixItem::IoRedirect(IoRedirect::HereDocument(..))
            | CommandPrefixOrSuffixItem::IoRedirect(_)
            | CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {}
        };
        if let Some(prefix) = &s.prefix {
            for item in &prefix.0 {
                push_item(item, &mut words, &mut assignments);
            }
        }
        if let Some(w) = s.word_or_name.as_ref().and_then(|w| self.word(w)) {
            words.push(w);
        }
        if let Some(suffix) = &s.suffix {
            for item in &suffix.0 {
                push_item(item, &mut words, &mut assignments);
            }
        }
        if words.is_empty() {
            // Bare assignments can still hide command substitutions: `X=$(curl … | sh)`.
            if self.depth < MAX_DEPTH {
                for (_, value) in &assignments {
                    for inner in super::word::substitutions(value) {
                        let mut sub = Builder::default();
                        if !collect(&inner, &mut sub, self.depth + 1, true) {
                            sub = Builder::default();
                            super::tokenizer::collect(&inner, &mut sub, self.depth + 1, 0, true);
                        }
                        self.b.absorb(sub, 0, 0);
                    }
                }
            }
            return;
        }
        self.b
            .push(words, assignments, pipeline, nested, self.depth);
    }
}
