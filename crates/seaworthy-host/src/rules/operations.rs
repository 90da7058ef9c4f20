//! CIS 6.1, 6.2 (manual): image and container sprawl.

use super::{HostFacts, Verdict, daemon};

host_rule!(
    IMAGE_SPRAWL, cis: "6.1", name: "image-sprawl", level: L1, automated: false,
    severity: Info, group: "operations", object: "daemon:images",
    title: "Ensure that image sprawl is avoided",
    remediation: "Remove unused images regularly (`docker image prune -a`).",
    docs: "Manual: reports how many images the daemon holds.\n\n## Why\nOld images carry old vulnerabilities and may be started by mistake.\n\n## Fix\nPrune images that no container uses.\n",
    check: |f: &HostFacts| match daemon(f) {
        Ok(d) => Verdict::info(format!("{} images", d.images)).with(format!("Images={}", d.images), "GET /info"),
        Err(v) => v,
    },
);

host_rule!(
    CONTAINER_SPRAWL, cis: "6.2", name: "container-sprawl", level: L1, automated: false,
    severity: Info, group: "operations", object: "daemon:containers",
    title: "Ensure that container sprawl is avoided",
    remediation: "Remove stopped containers you no longer need (`docker container prune`).",
    docs: "Manual: reports running and stopped containers.\n\n## Why\nStopped containers keep their data and can be restarted with stale images.\n\n## Fix\nPrune stopped containers.\n",
    check: |f: &HostFacts| match daemon(f) {
        Ok(d) => Verdict::info(format!("{} containers, {} running", d.containers, d.containers_running))
            .with(format!("Containers={} ContainersRunning={}", d.containers, d.containers_running), "GET /info"),
        Err(v) => v,
    },
);
