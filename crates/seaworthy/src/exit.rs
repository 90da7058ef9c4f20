//! The exit codes README documents.

/// Documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Pass = 0,
    PolicyFailed = 1,
    Usage = 2,
    Internal = 3,
}
