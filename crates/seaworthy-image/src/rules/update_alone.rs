use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags a build step whose command refreshes the package index (`apt-get update`, `apk
    /// update`, `yum makecache`, …) without installing anything in the same step.
    ///
    /// ## Why
    /// The refreshed index lands in its own cached layer. Later installs in other steps reuse that
    /// stale layer from the build cache, and install whatever versions the old index named —
    /// missing security updates for as long as the cache lives.
    ///
    /// ## Fix
    /// Update and install in one RUN: `RUN apt-get update && apt-get install -y --no-install-recommends curl`.
    UpdateAlone {
        id: "SW-IMG-003",
        name: "image-update-alone",
        title: "Package index updated alone in a build step",
        area: Image,
        group: "run",
        severity: Low,
        remediation: "Refresh the package index and install in the same RUN instruction.",
        refs: [Dockle("CIS-DI-0007"), Cis("4.7"), Hadolint("DL3009")],
        fire: [
            "step /bin/sh -c apt-get update\nstep /bin/sh -c apt-get install -y curl\n",
            "step RUN /bin/sh -c apk update # buildkit\n",
        ],
        quiet: [
            "step /bin/sh -c apt-get update && apt-get install -y curl\n",
            "step /bin/sh -c apk add --no-cache curl\n",
        ],
    }
}

/// Index refresh commands and the words that make a step more than a refresh.
const REFRESH: &[(&str, &[&str])] = &[
    ("apt-get update", &["install", "upgrade"]),
    ("apt update", &["install", "upgrade"]),
    ("apk update", &["add", "upgrade"]),
    ("yum makecache", &["install", "update "]),
    ("dnf makecache", &["install", "upgrade"]),
    ("zypper refresh", &["install", "update"]),
    ("zypper ref", &["install", "update"]),
];

impl Check for UpdateAlone {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        for i in 0..image.history().len() {
            let Some(command) = image.command(i) else {
                continue;
            };
            let Some(body) = command.strip_prefix("RUN ") else {
                continue;
            };
            let lone = REFRESH.iter().find(|(refresh, more)| {
                body.contains(refresh)
                    && !more.iter().any(|m| body.replace(refresh, "").contains(m))
            });
            if let Some((refresh, _)) = lone {
                out.push(Hit {
                    message: format!("`{refresh}` runs alone in a build step"),
                    step: Some(i),
                    evidence: Some(command.clone()),
                    ..Hit::default()
                });
            }
        }
    }
}
