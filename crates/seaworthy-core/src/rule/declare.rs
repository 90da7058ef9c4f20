//! The [`Rule`] trait and the [`declare_rule!`](crate::declare_rule) macro that implements it.

use super::RuleMeta;

/// A declared rule: metadata, test cases and the area's own data. Written by
/// [`declare_rule!`](crate::declare_rule); each area adds its check trait on top.
pub trait Rule: Sync + 'static {
    /// What the area keeps beside [`RuleMeta`] (CIS level, the host check); `()` when nothing.
    type Extra: 'static;

    fn meta(&self) -> &'static RuleMeta;
    /// Inputs the rule must report on.
    fn fire_cases(&self) -> &'static [&'static str];
    /// Inputs the rule must stay quiet on.
    fn quiet_cases(&self) -> &'static [&'static str];
    fn extra(&self) -> &'static Self::Extra;
}

/// Declares a rule: a unit struct whose doc comment is the rule's documentation, its
/// [`RuleMeta`](crate::RuleMeta) and its [`Rule`](crate::rule::Rule) impl.
///
/// ```
/// seaworthy_core::declare_rule! {
///     /// Flags something.
///     ///
///     /// ## Why
///     /// Because.
///     ///
///     /// ## Fix
///     /// Don't.
///     Something {
///         id: "SW-DF-999",
///         name: "something",
///         title: "Something",
///         area: Dockerfile,
///         group: "run",
///         severity: Low,
///         remediation: "Don't.",
///         refs: [Hadolint("DL9999")],
///         fire: ["FROM a\nRUN something\n"],
///         quiet: ["FROM a\n"],
///     }
/// }
/// use seaworthy_core::rule::Rule;
/// assert_eq!(Something.meta().id, "SW-DF-999");
/// assert!(Something.meta().docs.starts_with(" Flags something.\n\n ## Why\n"));
/// ```
///
/// `fire` and `quiet` may be left out (areas without cases). A last field
/// `extra: Type { field: value, .. }` sets the area's own data (`Rule::Extra = Type`).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        $name:ident {
            id: $id:expr,
            name: $slug:expr,
            title: $title:expr,
            area: $area:ident,
            group: $group:expr,
            severity: $sev:ident,
            remediation: $rem:expr,
            refs: [$($peer:ident($ref:expr)),* $(,)?]
            $(, fire: [$($fire:expr),* $(,)?])?
            $(, quiet: [$($quiet:expr),* $(,)?])?
            $(, extra: $extra:ident { $($field:tt)* })?
            $(,)?
        }
    ) => {
        // Rule docs are user documentation: their code blocks (sh, Dockerfile) are no doctests.
        $(#[cfg_attr(not(doctest), doc = $doc)])*
        pub struct $name;

        impl $crate::rule::Rule for $name {
            type Extra = $crate::declare_rule!(@type $($extra)?);

            fn meta(&self) -> &'static $crate::RuleMeta {
                static META: $crate::RuleMeta = $crate::RuleMeta {
                    id: $id,
                    name: $slug,
                    title: $title,
                    area: $crate::Area::$area,
                    group: $group,
                    severity: $crate::Severity::$sev,
                    remediation: $rem,
                    refs: &[$($crate::CrossRef {
                        peer: $crate::Peer::$peer,
                        id: $ref,
                    }),*],
                    docs: concat!($($doc, "\n"),*),
                };
                &META
            }

            fn fire_cases(&self) -> &'static [&'static str] {
                &[$($($fire),*)?]
            }

            fn quiet_cases(&self) -> &'static [&'static str] {
                &[$($($quiet),*)?]
            }

            fn extra(&self) -> &'static Self::Extra {
                $crate::declare_rule!(@value $($extra { $($field)* })?)
            }
        }
    };
    (@type) => { () };
    (@type $extra:ident) => { $extra };
    (@value) => { &() };
    (@value $extra:ident { $($field:tt)* }) => {{
        static EXTRA: $extra = $extra { $($field)* };
        &EXTRA
    }};
}
