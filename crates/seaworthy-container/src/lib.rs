//! One model of how a container runs ([`ContainerSpec`]), filled from three places — a running
//! container's inspect data, a compose service, a `docker run` command line — so the CIS section 5
//! rules (`SW-CTR-5.n`) give the same ids and fixes before deploy and at runtime.

pub mod case;
pub mod compose;
pub mod drift;
pub mod rules;
pub mod run;
pub mod spec;
pub mod syntax;

pub use rules::{ContainerRule, Context, REGISTRY, check};
pub use spec::{ContainerSpec, ExecSession, Field, Mount, MountKind, PortBinding, Set, Subject};
