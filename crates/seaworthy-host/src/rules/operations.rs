//! CIS 6.1, 6.2 (manual): image and container sprawl.

use seaworthy_core::Level;

use super::{HostCheck, HostFacts, Verdict, daemon};

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports how many images the daemon holds.\n\n## Why\nOld images carry old vulnerabilities and may be started by mistake.\n\n## Fix\nPrune images that no container uses."]
    ImageSprawl {
        id: "SW-HOST-6.1",
        name: "image-sprawl",
        title: "Ensure that image sprawl is avoided",
        area: Host,
        group: "operations",
        severity: Info,
        remediation: "Remove unused images regularly (`docker image prune -a`).",
        refs: [Cis("6.1")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "daemon:images",
            check: |f: &HostFacts| match daemon(f) {
                Ok(d) => Verdict::info(format!("{} images", d.images)).with(format!("Images={}", d.images), "GET /info"),
                Err(v) => v,
            },
        },
    }
}

seaworthy_core::declare_rule! {
    #[doc = "Manual: reports running and stopped containers.\n\n## Why\nStopped containers keep their data and can be restarted with stale images.\n\n## Fix\nPrune stopped containers."]
    ContainerSprawl {
        id: "SW-HOST-6.2",
        name: "container-sprawl",
        title: "Ensure that container sprawl is avoided",
        area: Host,
        group: "operations",
        severity: Info,
        remediation: "Remove stopped containers you no longer need (`docker container prune`).",
        refs: [Cis("6.2")],
        extra: HostCheck {
            level: Level::L1,
            automated: false,
            object: "daemon:containers",
            check: |f: &HostFacts| match daemon(f) {
                Ok(d) => Verdict::info(format!("{} containers, {} running", d.containers, d.containers_running))
                    .with(format!("Containers={} ContainersRunning={}", d.containers, d.containers_running), "GET /info"),
                Err(v) => v,
            },
        },
    }
}
