//! One model of how a container runs ([`ContainerSpec`]), filled from three places — a running
//! container's inspect data, a compose service, a `docker run` command line — so the CIS section 5
//! rules (`SW-CTR-5.n`) and those beyond CIS (`SW-CTR-USER-001` root, `SW-CTR-SECRET-001` secrets
//! in the environment) give the same ids and fixes before deploy and at runtime.

pub mod case;
pub mod compose;
pub mod drift;
pub mod rules;
pub mod run;
pub mod spec;
pub mod syntax;

pub use rules::{ContainerRule, Context, NON_CIS_REGISTRY, NonCisRule, REGISTRY, check, findings};
pub use spec::{
    ContainerSpec, EnvVar, ExecSession, Field, Mount, MountKind, PortBinding, Set, Subject,
};
