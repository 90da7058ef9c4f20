//! Known vulnerabilities: advisory sources, a SQLite store, and matching with each ecosystem's
//! own version rules.

pub mod cvss;
pub mod ecosystem;
pub mod fetch;
pub mod findings;
pub mod import;
pub mod intel;
pub mod matcher;
pub mod model;
pub mod ranges;
pub mod sources;
pub mod store;
pub mod update;
pub mod versions;

pub use ecosystem::Scheme;
pub use findings::{
    CvssScore, DbSummary, LayerRef, MatchStatus, MatchedPackage, RiskGate, SortOrder, VulnMatch,
};
pub use intel::{CveIntel, EpssScore, KevEntry, NvdRating};
pub use model::{Advisory, Affected, Event, Range, Rating, RatingKind, ReqSyntax, Status};
