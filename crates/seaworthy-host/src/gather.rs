//! Gathers every host fact once: the daemon (when reachable), the dockerd process, the effective
//! configuration, and the host files below the root.

use seaworthy_engine::engine::{Endpoint, block_on, connect};
use seaworthy_engine::facts::{self, DaemonFacts};

use crate::config::{self, find_dockerd};
use crate::hostfiles;
use crate::root::HostRoot;
use crate::rules::HostFacts;

/// Reads everything the host checks need. `endpoint` is `None` to skip the daemon (its checks
/// then report "daemon not reachable").
pub fn gather(root: &HostRoot, endpoint: Option<&Endpoint>, host: &str) -> HostFacts {
    let daemon: Result<DaemonFacts, String> = match endpoint {
        Some(ep) => daemon_facts(ep),
        None => Err("no daemon endpoint".to_string()),
    };
    let dockerd = find_dockerd(root);
    let config = config::load(root, dockerd.as_ref(), daemon.as_ref().ok());
    let files = hostfiles::gather(root, &config, dockerd.as_ref());
    HostFacts {
        host: host.to_string(),
        daemon,
        config,
        files,
        dockerd_pid: dockerd.map(|p| p.pid),
    }
}

fn daemon_facts(ep: &Endpoint) -> Result<DaemonFacts, String> {
    let run = async {
        let docker = connect(ep).await?;
        facts::gather(&docker, ep).await
    };
    match block_on(run) {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(e)) | Err(e) => Err(e.to_string()),
    }
}
