//! Swarm facts: the node's state and, on a manager, the cluster's auto-lock setting, overlay
//! networks and services.

use bollard::Docker;
use bollard::models::SwarmInfo;

use super::MAX_OBJECTS;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SwarmFacts {
    /// `inactive`, `pending`, `active`, `error`, `locked` (empty when unknown).
    pub state: String,
    /// This node is a manager.
    pub control_available: bool,
    pub managers: Option<i64>,
    pub nodes: Option<i64>,
    /// The address this node is reached at by the other nodes.
    pub node_addr: String,
    /// `EncryptionConfig.AutoLockManagers` (managers only).
    pub autolock: Option<bool>,
    pub overlay_networks: Vec<OverlayNetwork>,
    pub services: Vec<ServicePorts>,
}

impl SwarmFacts {
    pub fn active(&self) -> bool {
        matches!(self.state.as_str(), "active" | "locked")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayNetwork {
    pub name: String,
    /// The `encrypted` driver option is set.
    pub encrypted: bool,
    /// The swarm's own ingress network.
    pub ingress: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePorts {
    pub name: String,
    pub ports: Vec<PublishedPort>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    pub published: i64,
    pub target: i64,
    /// `ingress` (routing mesh, every node) or `host`.
    pub mode: String,
}

pub(super) async fn gather(docker: &Docker, info: Option<&SwarmInfo>) -> SwarmFacts {
    let Some(info) = info else {
        return SwarmFacts::default();
    };
    let mut facts = SwarmFacts {
        state: info
            .local_node_state
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        control_available: info.control_available.unwrap_or(false),
        managers: info.managers,
        nodes: info.nodes,
        node_addr: info.node_addr.clone().unwrap_or_default(),
        ..SwarmFacts::default()
    };
    if !facts.active() {
        return facts;
    }
    if let Ok(networks) = docker.list_networks(None).await {
        facts.overlay_networks = networks
            .into_iter()
            .filter(|n| n.driver.as_deref() == Some("overlay"))
            .take(MAX_OBJECTS)
            .map(|n| OverlayNetwork {
                name: n.name.unwrap_or_default(),
                encrypted: n
                    .options
                    .as_ref()
                    .is_some_and(|o| o.contains_key("encrypted")),
                ingress: n.ingress.unwrap_or(false),
            })
            .collect();
    }
    if !facts.control_available {
        return facts;
    }
    if let Ok(swarm) = docker.inspect_swarm().await {
        facts.autolock = swarm
            .spec
            .and_then(|s| s.encryption_config)
            .and_then(|e| e.auto_lock_managers)
            .or(Some(false));
    }
    if let Ok(services) = docker.list_services(None).await {
        facts.services = services
            .into_iter()
            .take(MAX_OBJECTS)
            .map(|s| {
                let name = s
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.name.clone())
                    .unwrap_or_default();
                let ports = s
                    .endpoint
                    .and_then(|e| e.ports)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| PublishedPort {
                        published: p.published_port.unwrap_or(0),
                        target: p.target_port.unwrap_or(0),
                        mode: p
                            .publish_mode
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| "ingress".into()),
                    })
                    .collect();
                ServicePorts { name, ports }
            })
            .collect();
    }
    facts
}
