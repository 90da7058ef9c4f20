//! The meta-test every area runs on its registry: ids, docs and test cases.

use std::collections::BTreeSet;

use super::{Registry, Rule};

type Runner<'a, R> = Box<dyn Fn(&R, &str) -> bool + 'a>;

/// Checks every rule of a registry; [`run`](Self::run) panics listing every problem.
///
/// Always: ids unique and of the area (`SW-DF-…`), names unique and kebab-case, title, summary
/// and remediation present, the doc sections present. With [`cases`](Self::cases): every rule
/// has a quiet case and (unless [`fire_optional`](Self::fire_optional)) a firing case, every
/// firing case fires and every quiet case stays quiet. Without: no rule declares cases.
pub struct RegistryCheck<'a, R: ?Sized + 'static> {
    registry: &'a Registry<R>,
    sections: &'a [&'a str],
    runner: Option<Runner<'a, R>>,
    fire_optional: Box<dyn Fn(&R) -> bool + 'a>,
}

impl<'a, R: ?Sized + Rule> RegistryCheck<'a, R> {
    /// Docs need `## Why` and `## Fix`.
    pub fn new(registry: &'a Registry<R>) -> Self {
        RegistryCheck {
            registry,
            sections: &["## Why", "## Fix"],
            runner: None,
            fire_optional: Box::new(|_| false),
        }
    }

    /// The doc sections every rule needs.
    pub fn sections(mut self, sections: &'a [&'a str]) -> Self {
        self.sections = sections;
        self
    }

    /// Runs one case of one rule and says whether the rule fired.
    pub fn cases(mut self, fired: impl Fn(&R, &str) -> bool + 'a) -> Self {
        self.runner = Some(Box::new(fired));
        self
    }

    /// Rules that may go without a firing case (e.g. manual checks that only report facts).
    pub fn fire_optional(mut self, optional: impl Fn(&R) -> bool + 'a) -> Self {
        self.fire_optional = Box::new(optional);
        self
    }

    /// Runs every check.
    pub fn run(self) {
        let problems = self.problems();
        assert!(
            problems.is_empty(),
            "{} problem(s) in the {} registry:\n{}",
            problems.len(),
            self.registry.area().as_str(),
            problems.join("\n")
        );
    }

    /// What is wrong, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        if self.registry.is_empty() {
            out.push("no rules".to_string());
        }
        for rule in self.registry.iter() {
            let m = rule.meta();
            let id = m.id;
            let mut bad = |what: String| out.push(format!("{id}: {what}"));
            if !ids.insert(id) {
                bad("registered twice".into());
            }
            if !names.insert(m.name) {
                bad(format!("name `{}` is taken", m.name));
            }
            let area = self.registry.area();
            if m.area != area || !id.starts_with(area.id_prefix()) {
                bad(format!("not an id of the {} area", area.as_str()));
            }
            if !is_kebab(m.name) {
                bad(format!("name `{}` is not kebab-case", m.name));
            }
            if m.title.trim().is_empty() || m.remediation.trim().is_empty() {
                bad("no title or no remediation".into());
            }
            if m.summary().trim().is_empty() || m.summary() == m.title {
                bad("docs have no summary paragraph".into());
            }
            for section in self.sections {
                if !m.docs.contains(section) {
                    bad(format!("docs lack `{section}`"));
                }
            }
            out.extend(self.case_problems(rule));
        }
        out
    }

    fn case_problems(&self, rule: &R) -> Vec<String> {
        let id = rule.meta().id;
        let (fire, quiet) = (rule.fire_cases(), rule.quiet_cases());
        let Some(fired) = &self.runner else {
            return if fire.is_empty() && quiet.is_empty() {
                Vec::new()
            } else {
                vec![format!("{id}: has cases but the area runs none")]
            };
        };
        let mut out = Vec::new();
        if fire.is_empty() && !(self.fire_optional)(rule) {
            out.push(format!("{id}: no firing case"));
        }
        if quiet.is_empty() {
            out.push(format!("{id}: no quiet case"));
        }
        for (n, case) in fire.iter().enumerate() {
            if !fired(rule, case) {
                out.push(format!("{id}: did not fire on case {n}:\n{case}"));
            }
        }
        for (n, case) in quiet.iter().enumerate() {
            if fired(rule, case) {
                out.push(format!("{id}: fired on quiet case {n}:\n{case}"));
            }
        }
        out
    }
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
