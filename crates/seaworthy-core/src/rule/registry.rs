//! A [`Registry`] per area, and the [`Catalog`] of every area's registry.

use super::{Area, Peer, Rule, RuleMeta};

/// The rules of one area, in the order they run and are listed.
pub struct Registry<R: ?Sized + 'static> {
    area: Area,
    rules: &'static [&'static R],
    /// Peers whose ids also name a rule (a hadolint code, a CIS id).
    aliases: &'static [Peer],
}

impl<R: ?Sized + Rule> Registry<R> {
    pub const fn new(area: Area, rules: &'static [&'static R], aliases: &'static [Peer]) -> Self {
        Registry {
            area,
            rules,
            aliases,
        }
    }

    pub fn area(&self) -> Area {
        self.area
    }

    pub fn rules(&self) -> &'static [&'static R] {
        self.rules
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static R> + use<R> {
        self.rules.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with this id or name (case-insensitive).
    pub fn get(&self, query: &str) -> Option<&'static R> {
        self.iter().find(|r| {
            let m = r.meta();
            m.id.eq_ignore_ascii_case(query) || m.name.eq_ignore_ascii_case(query)
        })
    }

    /// The rules that stand for `id` of `peer` (e.g. hadolint `DL3014`), in order.
    pub fn by_peer(&self, peer: Peer, id: &str) -> impl Iterator<Item = &'static R> + use<R> {
        let id = peer.canonical_id(id);
        self.iter().filter(move |r| {
            r.meta()
                .cross_ref(peer)
                .any(|c| c.eq_ignore_ascii_case(&id))
        })
    }

    /// The rule with this id or name, else the first one an alias peer's id names.
    pub fn find(&self, query: &str) -> Option<&'static R> {
        self.get(query).or_else(|| self.by_alias(query))
    }

    fn by_alias(&self, query: &str) -> Option<&'static R> {
        self.aliases
            .iter()
            .find_map(|p| self.by_peer(*p, query).next())
    }
}

/// A registry seen from outside its area: metadata only.
pub trait RuleSet: Sync {
    fn area(&self) -> Area;
    fn metas(&self) -> Vec<&'static RuleMeta>;
    /// By id or name.
    fn get_meta(&self, query: &str) -> Option<&'static RuleMeta>;
    /// By an alias peer's id.
    fn alias_meta(&self, query: &str) -> Option<&'static RuleMeta>;
}

impl<R: ?Sized + Rule> RuleSet for Registry<R> {
    fn area(&self) -> Area {
        self.area
    }
    fn metas(&self) -> Vec<&'static RuleMeta> {
        self.iter().map(|r| r.meta()).collect()
    }
    fn get_meta(&self, query: &str) -> Option<&'static RuleMeta> {
        self.get(query).map(|r| r.meta())
    }
    fn alias_meta(&self, query: &str) -> Option<&'static RuleMeta> {
        self.by_alias(query).map(|r| r.meta())
    }
}

/// Every area's registry in one order: what `rules`, `explain`, the docs, SARIF `rules[]` and
/// JUnit names read.
pub struct Catalog(pub &'static [&'static dyn RuleSet]);

impl Catalog {
    /// Every rule, registry after registry.
    pub fn metas(&self) -> Vec<&'static RuleMeta> {
        self.0.iter().flat_map(|s| s.metas()).collect()
    }

    /// A rule by id or name in any registry, else by an alias (a hadolint code, a CIS id).
    pub fn find(&self, query: &str) -> Option<&'static RuleMeta> {
        self.0
            .iter()
            .find_map(|s| s.get_meta(query))
            .or_else(|| self.0.iter().find_map(|s| s.alias_meta(query)))
    }
}
