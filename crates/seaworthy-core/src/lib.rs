//! The vocabulary every seaworthy area speaks: findings, severities, rule metadata, locations and
//! the report model. No I/O lives here, except [`files`]: the one way to read a file a user names
//! (or one inside a directory a user names) safely.

pub mod causes;
mod check;
pub mod date;
pub mod files;
mod finding;
mod location;
mod report;
pub mod rule;
mod scanner;
mod severity;
pub mod text;

pub use check::{CheckResult, Evidence, Level, Status};
pub use finding::{DockerfileLine, Finding, Origin, Suppression};
pub use location::{Location, Position, Span};
pub use report::{InputError, REPORT_SCHEMA_VERSION, Report, Summary};
pub use rule::{Area, CrossRef, Peer, RuleMeta};
pub use scanner::{ParseScannerError, Scanner, Thresholds, threshold_of};
pub use severity::{ParseSeverityError, Severity};
