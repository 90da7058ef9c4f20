//! Daemon facts from the Engine API: `/info`, `/version`, the default bridge's options, and the
//! swarm (state, managers, auto-lock when this node is a manager, overlay networks' encryption,
//! services' published ports). Gathered once; lists are bounded.

mod swarm;

use std::collections::BTreeMap;

use bollard::Docker;

use crate::engine::{Endpoint, EngineError, api_error};

pub use swarm::{OverlayNetwork, PublishedPort, ServicePorts, SwarmFacts};

/// Most networks or services read from the API.
pub const MAX_OBJECTS: usize = 10_000;

/// What the running daemon says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DaemonFacts {
    /// The endpoint it was reached at.
    pub endpoint: String,
    pub server_version: String,
    pub api_version: String,
    pub operating_system: String,
    pub kernel_version: String,
    pub storage_driver: String,
    pub logging_driver: String,
    pub live_restore: bool,
    pub experimental: bool,
    pub debug: bool,
    pub docker_root_dir: String,
    pub cgroup_driver: String,
    /// e.g. `name=seccomp,profile=default`, `name=userns`, `name=rootless`.
    pub security_options: Vec<String>,
    /// Registries (CIDRs and names) the daemon reaches without TLS verification, without the
    /// always-present `127.0.0.0/8`.
    pub insecure_registries: Vec<String>,
    pub authorization_plugins: Vec<String>,
    pub images: i64,
    pub containers: i64,
    pub containers_running: i64,
    /// Driver options of the default `bridge` network (`com.docker.network.bridge.enable_icc`…).
    pub bridge_options: BTreeMap<String, String>,
    pub swarm: SwarmFacts,
}

impl DaemonFacts {
    /// A security option is present (`userns`, `rootless`, `seccomp`, `selinux`, `apparmor`).
    pub fn has_security_option(&self, name: &str) -> bool {
        let want = format!("name={name}");
        self.security_options
            .iter()
            .any(|o| o.split(',').any(|p| p == want))
    }
}

/// Reads the facts from a connected daemon.
pub async fn gather(docker: &Docker, endpoint: &Endpoint) -> Result<DaemonFacts, EngineError> {
    let info = docker
        .info()
        .await
        .map_err(|e| api_error(endpoint, "GET /info", e))?;
    let version = docker
        .version()
        .await
        .map_err(|e| api_error(endpoint, "GET /version", e))?;
    let bridge = docker.inspect_network("bridge", None).await.ok();
    let swarm = swarm::gather(docker, info.swarm.as_ref()).await;

    let registry = info.registry_config.unwrap_or_default();
    let mut insecure: Vec<String> = registry
        .insecure_registry_cidrs
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c != "127.0.0.0/8" && c != "::1/128")
        .collect();
    for (name, index) in registry.index_configs.unwrap_or_default() {
        if index.secure == Some(false) {
            insecure.push(name);
        }
    }
    insecure.sort();
    insecure.dedup();

    Ok(DaemonFacts {
        endpoint: endpoint.host.clone(),
        server_version: info.server_version.or(version.version).unwrap_or_default(),
        api_version: version.api_version.unwrap_or_default(),
        operating_system: info.operating_system.unwrap_or_default(),
        kernel_version: info.kernel_version.unwrap_or_default(),
        storage_driver: info.driver.unwrap_or_default(),
        logging_driver: info.logging_driver.unwrap_or_default(),
        live_restore: info.live_restore_enabled.unwrap_or(false),
        experimental: info.experimental_build.unwrap_or(false),
        debug: info.debug.unwrap_or(false),
        docker_root_dir: info.docker_root_dir.unwrap_or_default(),
        cgroup_driver: info
            .cgroup_driver
            .map(|d| d.to_string())
            .unwrap_or_default(),
        security_options: info.security_options.unwrap_or_default(),
        insecure_registries: insecure,
        authorization_plugins: info
            .plugins
            .and_then(|p| p.authorization)
            .unwrap_or_default(),
        images: info.images.unwrap_or(0),
        containers: info.containers.unwrap_or(0),
        containers_running: info.containers_running.unwrap_or(0),
        bridge_options: bridge
            .and_then(|b| b.options)
            .map(|o| o.into_iter().collect())
            .unwrap_or_default(),
        swarm,
    })
}
