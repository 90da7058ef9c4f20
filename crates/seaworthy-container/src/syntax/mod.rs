//! Value syntaxes the Docker CLI and compose share: sizes with units, port publications, volume
//! and `--mount` specs, capability names.

mod mounts;
mod ports;
mod units;

pub(crate) use mounts::normalize_source;
pub use mounts::{parse_mount, parse_volume};
pub use ports::parse_ports;
pub use units::{parse_bytes, parse_cpus};

/// `cap_sys_admin`, `CAP_SYS_ADMIN` and `sys_admin` all name `SYS_ADMIN`.
pub fn normalize_cap(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}
