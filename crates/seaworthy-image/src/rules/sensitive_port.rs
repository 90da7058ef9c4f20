use seaworthy_dockerfile::exposure;

use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags exposed ports of remote-administration and data services (SSH 22, Telnet 23, the
    /// Docker API 2375/2376, RDP, VNC, databases and caches), read from the image config, so base
    /// images and build arguments are covered too.
    ///
    /// ## Why
    /// An exposed port is an invitation to publish it. Administration ports in an application
    /// image mean a second way in; database ports belong on an internal network.
    ///
    /// ## Fix
    /// Remove the EXPOSE (and the service); reach databases over an internal network only.
    SensitivePort {
        id: "SW-IMG-006",
        name: "image-sensitive-port",
        title: "Image exposes a sensitive port",
        area: Image,
        group: "network",
        severity: Medium,
        remediation: "Do not expose administration or database ports from an application image.",
        refs: [Cis("4.1")],
        fire: [
            "config {\"ExposedPorts\": {\"22/tcp\": {}, \"8080/tcp\": {}}}\n",
            "config {\"ExposedPorts\": {\"2375/tcp\": {}}}\n",
        ],
        quiet: [
            "config {\"ExposedPorts\": {\"8080/tcp\": {}, \"443/tcp\": {}}}\n",
            "config {}\n",
        ],
    }
}

impl Check for SensitivePort {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for key in &image.run.exposed_ports {
            let port = key.split('/').next().unwrap_or_default();
            let Some(what) = port.parse().ok().and_then(exposure::sensitive_port) else {
                continue;
            };
            out.push(Hit {
                message: format!("the image exposes {key} ({what})"),
                step: image.step_with("EXPOSE", port),
                evidence: Some(key.clone()),
                ..Hit::default()
            });
        }
    }
}
