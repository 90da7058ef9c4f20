use crate::Hit;
use crate::rules::Check;
use crate::subject::Subject;

seaworthy_core::declare_rule! {
    /// Flags an image whose configured user is root: `User` is empty (Docker then runs as root),
    /// `root`, `0`, or `root`/`0` with any group.
    ///
    /// ## Why
    /// A process that runs as root in the container is root on the host's kernel: any escape is a
    /// full host compromise, and inside the container it can rewrite every file of the image.
    /// Checking the built image catches what a Dockerfile review misses (a base image's USER, a
    /// USER set through build arguments).
    ///
    /// ## Fix
    /// End the final stage with `USER app` (or a numeric UID such as `USER 10001:10001`).
    RootUser {
        id: "SW-IMG-001",
        name: "image-user-root",
        title: "Image runs as root",
        area: Image,
        group: "user",
        severity: High,
        remediation: "Create an unprivileged user and end the final stage with USER <user or UID>.",
        refs: [Dockle("CIS-DI-0001"), Cis("4.1"), Trivy("DS-0002")],
        fire: [
            "step RUN apt-get install -y curl\n",
            "meta USER root\nconfig {\"User\": \"root\"}\n",
            "config {\"User\": \"0:0\"}\n",
        ],
        quiet: [
            "meta USER app\nconfig {\"User\": \"app\"}\n",
            "config {\"User\": \"10001:10001\"}\n",
        ],
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name.is_empty() || name == "root" || name == "0"
}

impl Check for RootUser {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>) {
        let user = &image.run.user;
        if !is_root(user) {
            return;
        }
        let message = if user.is_empty() {
            "the image sets no user, so its processes run as root".to_string()
        } else {
            format!("the image runs as `{user}`")
        };
        out.push(Hit {
            message,
            step: image.last_step("USER"),
            evidence: (!user.is_empty()).then(|| format!("User: {user}")),
            ..Hit::default()
        });
    }
}
